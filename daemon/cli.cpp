#include "daemon/cli.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <string>

#include "daemon/commands/commands.h"

namespace sluice::daemon {

int run_cli(int argc, char** argv) {
  CLI::App app{"sluice: a streaming feed-ingestion daemon. Polls RSS, Atom and JSON Feed feeds and web pages, turns "
               "each new item into a clean article and publishes it, once, as JSON over ZeroMQ."};
  app.set_version_flag("--version", "sluice " SLUICE_VERSION);
  app.require_subcommand(1);
  const Subcommand commands[] = {add_run_command(app),     add_tail_command(app),   add_keygen_command(app),
                                 add_parse_command(app),   add_extract_command(app), add_status_command(app),
                                 add_proxy_command(app),   add_check_config_command(app), add_opml_command(app),
                                 add_discover_command(app)};
  // A word where the command goes that names none: said as such (CLI11 would ask for a subcommand).
  if (argc > 1 && argv[1][0] != '-' &&
      std::ranges::none_of(commands, [&](const Subcommand& command) { return command.app->get_name() == argv[1]; })) {
    std::string names;
    for (const Subcommand& command : commands) names += (names.empty() ? "" : ", ") + command.app->get_name();
    std::fprintf(stderr, "sluice: unknown command '%s'; the commands are %s (sluice --help)\n", argv[1], names.c_str());
    return kUsageError;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kUsageError;
  }
  for (const Subcommand& command : commands)
    if (command.app->parsed()) return command.run();
  return kUsageError;
}

}  // namespace sluice::daemon
