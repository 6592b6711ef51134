#include "daemon/cli.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <optional>

#include "config/config.h"
#include "daemon/daemon.h"
#include "daemon/extract_command.h"
#include "daemon/logging_setup.h"
#include "daemon/parse_command.h"
#include "daemon/tail.h"

namespace sluice::daemon {
namespace {

constexpr int kUsageError = 2;

std::optional<config::Config> load(const std::string& file) {
  try {
    return config::load_config(file);
  } catch (const config::ConfigError& e) {
    std::fprintf(stderr, "sluice: %s\n", e.what());
    return std::nullopt;
  }
}

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App app{"sluice: a streaming feed-ingestion daemon. Polls RSS and Atom feeds, turns each new item into a "
               "clean article and publishes it as JSON over ZeroMQ."};
  app.set_version_flag("--version", "sluice " SLUICE_VERSION);
  app.require_subcommand(1);

  std::string config_file;
  std::string log_level;
  auto* run = app.add_subcommand("run", "Run the daemon: poll the configured feeds and publish new articles");
  run->add_option("-c,--config", config_file, "Configuration file (YAML)")->required();
  run->add_option("--log-level", log_level, "Override log_level: trace, debug, info, warn, error, critical, off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));

  TailOptions tail;
  std::string tail_config;
  auto* tail_command = app.add_subcommand("tail", "Subscribe to a running daemon and print one article JSON per line");
  auto* tail_config_option =
      tail_command->add_option("-c,--config", tail_config, "Take the endpoint from this configuration file");
  tail_command->add_option("-e,--endpoint", tail.endpoint, "Publisher endpoint to connect to")
      ->capture_default_str()
      ->excludes(tail_config_option);
  tail_command->add_option("-t,--topic", tail.topic, "Topic prefix, e.g. article.<feed-name>.")->capture_default_str();
  tail_command->add_option("-n,--count", tail.count, "Exit after this many articles (0: run until interrupted)");

  ParseOptions parse;
  auto* parse_command = app.add_subcommand("parse", "Parse one feed document (file or URL) and print the feed JSON");
  parse_command->add_option("source", parse.source, "Feed file or http(s) URL");
  parse_command->add_option("--url", parse.url, "The document's URL, the base for relative links (empty: none)");
  parse_command->add_option("--content-type", parse.content_type, "The document's Content-Type (empty: none)");
  parse_command->add_flag("--batch", parse.batch,
                          "Read requests {\"file\",\"url\",\"headers\"} from stdin, one per line; answer one JSON per line");

  ExtractOptions extract;
  auto* extract_command =
      app.add_subcommand("extract", "Clean one web page (file, URL or -) and print the article JSON");
  extract_command->add_option("source", extract.source, "HTML file, http(s) URL, or - for stdin");
  extract_command->add_option("--url", extract.url, "The page's URL, the base for relative links (empty: none)");
  extract_command->add_flag("--text", extract.text,
                            "The input is plain text: a paragraph per line (blank-line paragraphs when hard-wrapped)");
  extract_command->add_flag("--explain", extract.explain, "Print why each part of the page was kept or dropped (stderr)");
  extract_command->add_flag("--batch", extract.batch,
                            "Read requests {\"file\",\"url\",\"text\"} from stdin, one per line; answer one JSON per line");

  std::string check_file;
  auto* check = app.add_subcommand("check-config", "Validate a configuration file; exit 0 when valid, 2 when not");
  check->add_option("file", check_file, "Configuration file (YAML)")->required();

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

  if (*check) {
    const auto config = load(check_file);
    if (!config) return kUsageError;
    std::printf("%s: valid, %zu feed%s\n", check_file.c_str(), config->feeds.size(),
                config->feeds.size() == 1 ? "" : "s");
    return 0;
  }
  if (*parse_command) {
    if (!parse.batch && parse.source.empty()) {
      std::fprintf(stderr, "sluice parse: give a FILE or URL, or --batch\n");
      return kUsageError;
    }
    return run_parse(parse);
  }
  if (*extract_command) {
    if (!extract.batch && extract.source.empty()) {
      std::fprintf(stderr, "sluice extract: give a FILE, URL or -, or --batch\n");
      return kUsageError;
    }
    return run_extract(extract);
  }
  if (*tail_command) {
    if (!tail_config.empty()) {
      const auto config = load(tail_config);
      if (!config) return kUsageError;
      tail.endpoint = connect_address(config->publish.endpoint);
    }
    return run_tail(tail);
  }
  const auto config = load(config_file);
  if (!config) return kUsageError;
  setup_logging(log_level.empty() ? config->log_level : log_level);
  return run_daemon(*config);
}

}  // namespace sluice::daemon
