// `sluice tail`: the command line of the subscriber in tail.cpp. With -c FILE the endpoints (and
// the server's CURVE certificate) come from a configuration file; --from takes a seq or `last`.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "daemon/commands/commands.h"
#include "daemon/commands/tail.h"
#include "daemon/commands/tail_positions.h"
#include "daemon/run_record.h"

namespace sluice::daemon {
namespace {

// The address to connect to for a bound endpoint: a wildcard host ("*", 0.0.0.0) becomes loopback.
std::string connect_address(const std::string& bound_endpoint) {
  for (const std::string wildcard : {"tcp://*:", "tcp://0.0.0.0:"}) {
    if (bound_endpoint.starts_with(wildcard)) return "tcp://127.0.0.1:" + bound_endpoint.substr(wildcard.size());
  }
  return bound_endpoint;
}

bool picks_port(const std::string& endpoint) { return endpoint.ends_with(":*") || endpoint.ends_with(":0"); }

// The endpoints of the sluice running on the configuration's state directory, as it bound them
// (state_dir/sluice.run), else as configured. false (after saying why) when the configuration
// leaves the port to the daemon and no daemon says which it took.
bool find_endpoints(const config::Config& config, TailOptions& tail) {
  std::optional<RunningInstance> running;
  std::string unknown;
  try {
    running = RunRecord::find(config.state_dir);
    if (!running) unknown = "no sluice runs on state_dir " + config.state_dir.string();
    else if (running->endpoint.empty()) unknown = "sluice pid " + std::to_string(running->pid) + " is still starting";
  } catch (const std::exception& e) {
    unknown = e.what();
  }
  if (unknown.empty()) {
    tail.endpoint = connect_address(running->endpoint);
    tail.replay_endpoint = connect_address(running->replay_endpoint);
    return true;
  }
  for (const std::string* endpoint : {&config.publish.endpoint, &config.publish.replay_endpoint}) {
    if (!picks_port(*endpoint)) continue;
    std::fprintf(stderr, "sluice tail: %s: %s takes its port when sluice starts, and %s to say which; start sluice "
                 "first, or give -e and -r\n", config.source.c_str(), endpoint->c_str(), unknown.c_str());
    return false;
  }
  tail.endpoint = connect_address(config.publish.endpoint);
  tail.replay_endpoint = connect_address(config.publish.replay_endpoint);
  return true;
}

struct TailArguments {
  TailOptions tail;
  std::string config_file;
  std::string from;
  std::string server_key_file;
  std::string client_key_file;
};

// Fills in what the options leave to a configuration file, a position file or the certificates;
// false (after saying why on stderr) when they do not make sense.
bool complete(TailArguments& arguments) {
  TailOptions& tail = arguments.tail;
  if (!arguments.config_file.empty()) {
    const auto config = load_or_report(arguments.config_file);
    if (!config) return false;
    if (!find_endpoints(*config, tail)) return false;
    if (const auto& curve = config->publish.curve) {
      // A subscriber has the server's public certificate, which keygen writes beside the secret one.
      const std::string public_half = public_certificate_of(curve->secret_key_file.string());
      const bool beside = !public_half.empty() && std::filesystem::exists(public_half);
      if (arguments.server_key_file.empty())
        arguments.server_key_file = beside ? public_half : curve->secret_key_file.string();
      if (arguments.client_key_file.empty()) {
        std::fprintf(stderr, "sluice tail: %s publishes with CURVE: give --key with this client's secret certificate "
                     "(sluice keygen NAME writes NAME.key_secret; NAME.key goes into %s)\n",
                     arguments.config_file.c_str(), curve->clients_dir.c_str());
        return false;
      }
    }
  }
  if (arguments.from == "last") {
    tail.from_last = true;
    if (tail.position_file.empty()) tail.position_file = TailPositions::default_file(tail.topic);
  } else if (!arguments.from.empty()) {
    char* end = nullptr;
    tail.from = std::strtoull(arguments.from.c_str(), &end, 10);
    if (*end != '\0' || arguments.from[0] == '-' || tail.from == 0) {
      std::fprintf(stderr, "sluice tail: --from takes a seq (the first is 1) or 'last', not '%s'\n",
                   arguments.from.c_str());
      return false;
    }
  }
  if (arguments.server_key_file.empty() != arguments.client_key_file.empty()) {
    std::fprintf(stderr, "sluice tail: CURVE needs both --server-key and --key\n");
    return false;
  }
  if (arguments.server_key_file.empty()) return true;
  try {
    tail.server_key = pipeline::read_certificate(arguments.server_key_file).public_key;
    tail.client_keys = read_secret_certificate(arguments.client_key_file);
    tail.client_key_file = arguments.client_key_file;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sluice tail: %s\n", e.what());
    return false;
  }
  return true;
}

}  // namespace

Subcommand add_tail_command(CLI::App& app) {
  auto arguments = std::make_shared<TailArguments>();
  TailOptions& tail = arguments->tail;
  auto* command = app.add_subcommand(
      "tail", "Subscribe to a running daemon and print one article JSON per line, in seq order; with a replay "
              "endpoint, missed articles are asked for and printed in their place");
  auto* config_option = command->add_option(
      "-c,--config", arguments->config_file, "Take the endpoints (and the server's CURVE key) from this configuration file");
  command->add_option("-e,--endpoint", tail.endpoint, "Publisher endpoint to connect to")
      ->capture_default_str()
      ->excludes(config_option);
  command->add_option("-r,--replay", tail.replay_endpoint,
                      "Replay endpoint, to fill gaps and serve --from (through sluice proxy: not needed, each "
                      "instance's comes with its heartbeats)")
      ->excludes(config_option);
  command->add_option("-t,--topic", tail.topic, "Topic prefix, e.g. article.<feed-name>.")->capture_default_str();
  command->add_option("-n,--count", tail.count, "Exit after this many articles (0: run until interrupted)");
  command->add_option("--from", arguments->from, "Replay from this seq first; 'last' resumes after the seq in the "
                                                 "position file");
  command->add_option("--position", tail.position_file,
                      "Keep the epoch and seq of the last article printed in this file (default for --from last: "
                      "$XDG_STATE_HOME/sluice/tail-<topic>position)");
  command->add_option("--server-key", arguments->server_key_file, "CURVE: the server's public certificate file");
  command->add_option("--key", arguments->client_key_file, "CURVE: this client's secret certificate file (sluice keygen)");
  return {command, [arguments] { return complete(*arguments) ? run_tail(arguments->tail) : kUsageError; }};
}

}  // namespace sluice::daemon
