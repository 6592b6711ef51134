// The subcommands of `sluice` (DESIGN.md §4), one file each: the file registers its options on the
// app and says what runs when it is chosen. cli.cpp lists them in the order `sluice --help` shows.
// Exit codes: 0 success, 2 usage or configuration error, 1 any other failure; errors go to stderr
// on one line naming the file or feed.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <optional>
#include <string>

#include "config/config.h"
#include "pipeline/deliver/curve.h"

namespace sluice::daemon {

constexpr int kUsageError = 2;

struct Subcommand {
  CLI::App* app;           // the subcommand, parsed into the options `run` holds
  std::function<int()> run;  // the exit code
};

Subcommand add_run_command(CLI::App& app);
Subcommand add_tail_command(CLI::App& app);
Subcommand add_keygen_command(CLI::App& app);
Subcommand add_parse_command(CLI::App& app);
Subcommand add_extract_command(CLI::App& app);
Subcommand add_status_command(CLI::App& app);
Subcommand add_opml_command(CLI::App& app);
Subcommand add_discover_command(CLI::App& app);
Subcommand add_proxy_command(CLI::App& app);
Subcommand add_check_config_command(CLI::App& app);

// The configuration in file, or nullopt after printing what is wrong with it: one line,
// FILE:LINE:COLUMN: KEY: reason, as editors and compilers write it.
std::optional<config::Config> load_or_report(const std::string& file);

// The configuration in file when it is valid and the machine has what `run` needs of it
// (daemon/preflight.h); nullopt after printing each problem as FILE: KEY: reason.
std::optional<config::Config> load_and_check(const std::string& file);

// A client's own certificate: the .key_secret file, with both keys. Throws std::runtime_error
// naming the file when it is not one.
pipeline::CurveKeys read_secret_certificate(const std::string& file);

// The public half keygen writes beside a secret certificate: NAME.key for NAME.key_secret; ""
// when the file is not named so.
std::string public_certificate_of(const std::string& secret_file);

}  // namespace sluice::daemon
