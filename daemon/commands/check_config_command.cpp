// `sluice check-config FILE`: whether a configuration file is valid and the machine has what
// `sluice run` needs of it (daemon/preflight.h); exit 0 when so, 2 when not.
#include <cstdio>
#include <memory>
#include <string>

#include "daemon/commands/commands.h"

namespace sluice::daemon {

Subcommand add_check_config_command(CLI::App& app) {
  auto file = std::make_shared<std::string>();
  auto* check = app.add_subcommand("check-config", "Validate a configuration file and what it names (keys, directories); exit 0 when valid, 2 when not");
  check->add_option("file", *file, "Configuration file (YAML)")->required();
  return {check, [file] {
            const auto config = load_and_check(*file);
            if (!config) return kUsageError;
            std::printf("%s: valid, %zu feed%s\n", file->c_str(), config->feeds.size(),
                        config->feeds.size() == 1 ? "" : "s");
            if (config->feeds.empty())
              std::fprintf(stderr, "%s: warning: feeds is empty; sluice runs but polls nothing\n", file->c_str());
            // A hub needs the callback server its deliveries come to.
            if (!config->websub)
              for (const config::FeedConfig& feed : config->feeds)
                if (!feed.hub.empty())
                  std::fprintf(stderr, "%s: warning: feed '%s' names a hub but there is no websub section; it is polled only\n",
                               file->c_str(), feed.name.c_str());
            return 0;
          }};
}

}  // namespace sluice::daemon
