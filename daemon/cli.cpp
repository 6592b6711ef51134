#include "daemon/cli.h"

#include <CLI/CLI.hpp>

#include "daemon/commands/commands.h"

namespace sluice::daemon {

int run_cli(int argc, char** argv) {
  CLI::App app{"sluice: a streaming feed-ingestion daemon. Polls RSS and Atom feeds, turns each new item into a "
               "clean article and publishes it as JSON over ZeroMQ."};
  app.set_version_flag("--version", "sluice " SLUICE_VERSION);
  app.require_subcommand(1);
  const Subcommand commands[] = {add_run_command(app),     add_tail_command(app),   add_keygen_command(app),
                                 add_parse_command(app),   add_extract_command(app), add_status_command(app),
                                 add_proxy_command(app),   add_check_config_command(app)};
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
