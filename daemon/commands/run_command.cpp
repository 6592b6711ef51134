// `sluice run -c FILE`: the daemon, until SIGTERM or SIGINT (daemon/run.cpp).
#include <memory>
#include <string>

#include "daemon/commands/commands.h"
#include "daemon/daemon.h"
#include "daemon/logging_setup.h"

namespace sluice::daemon {

Subcommand add_run_command(CLI::App& app) {
  struct Options {
    std::string config_file;
    std::string log_level;
  };
  auto options = std::make_shared<Options>();
  auto* run = app.add_subcommand("run", "Run the daemon: poll the configured feeds and publish new articles");
  run->add_option("-c,--config", options->config_file, "Configuration file (YAML)")->required();
  run->add_option("--log-level", options->log_level, "Override log_level: trace, debug, info, warn, error, critical, off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  return {run, [options] {
            const auto config = load_and_check(options->config_file);
            if (!config) return kUsageError;
            setup_logging(options->log_level.empty() ? config->log_level : options->log_level);
            return run_daemon(*config);
          }};
}

}  // namespace sluice::daemon
