#include "daemon/cli.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <optional>

#include "config/config.h"
#include "daemon/daemon.h"
#include "daemon/extract_command.h"
#include "daemon/logging_setup.h"
#include "daemon/parse_command.h"
#include "daemon/proxy_command.h"
#include "daemon/status_command.h"
#include "daemon/tail.h"
#include "pipeline/deliver/curve.h"

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

// A client's own certificate: the .key_secret file, with both keys.
pipeline::CurveKeys read_secret_certificate(const std::string& file) {
  auto keys = pipeline::read_certificate(file);
  if (keys.secret_key.empty()) throw std::runtime_error(file + " holds no secret-key: give the .key_secret file");
  return keys;
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
  std::string tail_from;
  std::string server_key_file;
  std::string client_key_file;
  auto* tail_command = app.add_subcommand(
      "tail", "Subscribe to a running daemon and print one article JSON per line, in seq order; with a replay "
              "endpoint, missed articles are asked for and printed in their place");
  auto* tail_config_option = tail_command->add_option(
      "-c,--config", tail_config, "Take the endpoints (and the server's CURVE key) from this configuration file");
  tail_command->add_option("-e,--endpoint", tail.endpoint, "Publisher endpoint to connect to")
      ->capture_default_str()
      ->excludes(tail_config_option);
  tail_command->add_option("-r,--replay", tail.replay_endpoint, "Replay endpoint, to fill gaps and serve --from (through sluice proxy: not needed, each instance's "
                           "comes with its heartbeats)")
      ->excludes(tail_config_option);
  tail_command->add_option("-t,--topic", tail.topic, "Topic prefix, e.g. article.<feed-name>.")->capture_default_str();
  tail_command->add_option("-n,--count", tail.count, "Exit after this many articles (0: run until interrupted)");
  tail_command->add_option("--from", tail_from,
                           "Replay from this seq first; 'last' resumes after the seq in the position file");
  tail_command->add_option("--position", tail.position_file,
                           "Keep the epoch and seq of the last article printed in this file (default for --from last: "
                           "$XDG_STATE_HOME/sluice/tail-<topic>position)");
  tail_command->add_option("--server-key", server_key_file, "CURVE: the server's public certificate file");
  tail_command->add_option("--key", client_key_file, "CURVE: this client's secret certificate file (sluice keygen)");

  std::string keygen_dir = ".";
  std::string keygen_name = "sluice";
  auto* keygen = app.add_subcommand(
      "keygen", "Write a CURVE certificate pair: NAME.key (public, to share) and NAME.key_secret (mode 0600)");
  keygen->add_option("name", keygen_name, "Base name of the two files")->capture_default_str();
  keygen->add_option("-d,--dir", keygen_dir, "Directory to write them in")->capture_default_str();

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

  std::string status_config;
  StatusOptions status;
  auto* status_command = app.add_subcommand(
      "status", "Show where each feed stands (last poll and outcome, errors, next poll, redirects), read from the "
                "daemon's state; exit 1 when a feed is failing");
  status_command->add_option("-c,--config", status_config, "Configuration file (YAML)")->required();
  status_command->add_flag("--json", status.json, "One JSON object per feed and line");

  ProxyOptions proxy;
  auto* proxy_command = app.add_subcommand(
      "proxy", "Give subscribers one address for the streams of several instances (a cluster); each message keeps "
               "its origin, so `sluice tail -e` on the proxy recovers each instance's gaps from its own replay server");
  proxy_command->add_option("-b,--bind", proxy.bind, "Endpoint subscribers connect to")->capture_default_str();
  proxy_command->add_option("-u,--upstream", proxy.upstreams, "An instance's publish endpoint (give one per instance)")
      ->required();
  proxy_command->add_option("--queue", proxy.queue, "Messages queued per subscriber before its stream drops")
      ->capture_default_str()
      ->check(CLI::Range(10, 10'000'000));
  std::vector<std::string> proxy_server_key_files;
  std::string proxy_client_key_file;
  proxy_command->add_option("--server-key", proxy_server_key_files,
                            "CURVE toward the instances: their server's public certificate file (one for all, or one "
                            "per --upstream in the same order)");
  proxy_command->add_option("--key", proxy_client_key_file,
                            "CURVE toward the instances: the proxy's secret certificate file (its public key in their "
                            "clients_dir)");
  proxy_command->add_option("--secret-key", proxy.secret_key_file,
                            "CURVE toward subscribers: the proxy's server secret certificate file (mode 0600)");
  proxy_command->add_option("--clients-dir", proxy.clients_dir,
                            "CURVE toward subscribers: the public certificates of the clients admitted (read again "
                            "on SIGHUP)");

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
  if (*status_command) {
    const auto config = load(status_config);
    if (!config) return kUsageError;
    return run_status(*config, status);
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
  if (*proxy_command) {
    if (proxy_server_key_files.empty() != proxy_client_key_file.empty() ||
        proxy.secret_key_file.empty() != proxy.clients_dir.empty()) {
      std::fprintf(stderr, "sluice proxy: CURVE toward the instances needs both --server-key and --key, toward "
                           "subscribers both --secret-key and --clients-dir\n");
      return kUsageError;
    }
    if (proxy_server_key_files.size() > 1 && proxy_server_key_files.size() != proxy.upstreams.size()) {
      std::fprintf(stderr, "sluice proxy: %zu --server-key for %zu --upstream: give one for all, or one per upstream\n",
                   proxy_server_key_files.size(), proxy.upstreams.size());
      return kUsageError;
    }
    try {
      for (const std::string& file : proxy_server_key_files)
        proxy.upstream_server_keys.push_back(pipeline::read_certificate(file).public_key);
      if (!proxy_client_key_file.empty()) proxy.client_keys = read_secret_certificate(proxy_client_key_file);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "sluice proxy: %s\n", e.what());
      return kUsageError;
    }
    setup_logging("info");
    return run_proxy(proxy);
  }
  if (*keygen) {
    try {
      const auto keys = pipeline::write_certificates(keygen_dir, keygen_name);
      std::printf("%s\n", keys.public_key.c_str());
      std::fprintf(stderr, "sluice keygen: wrote %s/%s.key and %s/%s.key_secret (mode 0600)\n", keygen_dir.c_str(),
                   keygen_name.c_str(), keygen_dir.c_str(), keygen_name.c_str());
      return 0;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "sluice keygen: %s\n", e.what());
      return 1;
    }
  }
  if (*tail_command) {
    if (!tail_config.empty()) {
      const auto config = load(tail_config);
      if (!config) return kUsageError;
      tail.endpoint = connect_address(config->publish.endpoint);
      tail.replay_endpoint = connect_address(config->publish.replay_endpoint);
      if (config->publish.curve && server_key_file.empty()) server_key_file = config->publish.curve->secret_key_file;
    }
    if (tail_from == "last") {
      tail.from_last = true;
      if (tail.position_file.empty()) tail.position_file = default_position_file(tail.topic);
    } else if (!tail_from.empty()) {
      char* end = nullptr;
      tail.from = std::strtoull(tail_from.c_str(), &end, 10);
      if (*end != '\0' || tail_from[0] == '-') {
        std::fprintf(stderr, "sluice tail: --from takes a seq or 'last', not '%s'\n", tail_from.c_str());
        return kUsageError;
      }
    }
    if (server_key_file.empty() != client_key_file.empty()) {
      std::fprintf(stderr, "sluice tail: CURVE needs both --server-key and --key\n");
      return kUsageError;
    }
    if (!server_key_file.empty()) {
      try {
        tail.server_key = pipeline::read_certificate(server_key_file).public_key;
        tail.client_keys = read_secret_certificate(client_key_file);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "sluice tail: %s\n", e.what());
        return kUsageError;
      }
    }
    return run_tail(tail);
  }
  const auto config = load(config_file);
  if (!config) return kUsageError;
  setup_logging(log_level.empty() ? config->log_level : log_level);
  return run_daemon(*config);
}

}  // namespace sluice::daemon
