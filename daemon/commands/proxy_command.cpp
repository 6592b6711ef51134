// `sluice proxy`: one address for the streams of several instances (a cluster). An XSUB socket
// connects to every instance's publisher, an XPUB socket binds for subscribers, and libzmq
// forwards between them (zmq_proxy_steerable): articles and heartbeats down, subscriptions
// up. Each message keeps its origin in its header, so a subscriber tells the streams apart and
// asks each instance's replay server for what it missed (see `sluice tail`).
// With CURVE, either side or both: toward the instances the proxy is a client whose public key
// they allow, toward subscribers a server that admits only the clients it allows, as the daemon's
// publisher does.
#include <signal.h>

#include <zmq.hpp>

#include <algorithm>
#include <cstdio>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "daemon/commands/commands.h"
#include "daemon/logging_setup.h"
#include "daemon/service_manager.h"
#include "feeds/logging.h"

namespace sluice::daemon {
namespace {

struct ProxyOptions {
  std::string bind = "tcp://127.0.0.1:5555";
  std::vector<std::string> upstreams;  // the instances' publish endpoints
  // Messages one subscriber may have waiting before the stream drops for it (it recovers them
  // through replay), as publish.subscriber_queue.
  int queue = 100'000;
  // CURVE toward the instances (when upstream_server_keys is not empty): the servers' public keys
  // (Z85; one for every upstream, or one per upstream in order) and the proxy's own key pair.
  std::vector<std::string> upstream_server_keys;
  pipeline::CurveKeys client_keys;
  // CURVE toward subscribers (when not empty): the proxy's secret certificate file and the
  // directory of the public certificates of the clients it admits, as publish.curve.
  std::string secret_key_file;
  std::string clients_dir;
};


constexpr const char* kControl = "inproc://sluice-proxy-control";
// As the publisher's: a subscriber silent this long is dropped.
constexpr int kHeartbeatIntervalMs = 5000;
constexpr int kHeartbeatTimeoutMs = 15000;


int run_proxy(const ProxyOptions& options) {
  static const auto log = logger("proxy");
  const sigset_t signals = block_service_signals();

  zmq::context_t context;
  std::optional<pipeline::CurveServer> curve;
  if (!options.secret_key_file.empty()) {
    try {
      curve.emplace(context, options.secret_key_file, options.clients_dir);
    } catch (const std::exception& e) {
      log->error("sluice proxy cannot start: {}", e.what());
      return 1;
    }
  }
  zmq::socket_t control(context, zmq::socket_type::pair);
  control.bind(kControl);
  std::promise<std::string> bound;
  auto bound_endpoint = bound.get_future();
  // The proxy's sockets live on its own thread, from creation to close.
  std::thread proxy([&] {
    zmq::socket_t upstream(context, zmq::socket_type::xsub);
    zmq::socket_t downstream(context, zmq::socket_type::xpub);
    zmq::socket_t steering(context, zmq::socket_type::pair);
    try {
      upstream.set(zmq::sockopt::rcvhwm, options.queue);
      upstream.set(zmq::sockopt::linger, 0);
      for (std::size_t i = 0; i < options.upstreams.size(); ++i) {
        // The server key is taken at connect: each upstream may have its own.
        if (!options.upstream_server_keys.empty())
          pipeline::secure_client(upstream,
                                  options.upstream_server_keys[std::min(i, options.upstream_server_keys.size() - 1)],
                                  options.client_keys);
        upstream.connect(options.upstreams[i]);
      }
      downstream.set(zmq::sockopt::sndhwm, options.queue);
      downstream.set(zmq::sockopt::linger, 0);
      downstream.set(zmq::sockopt::heartbeat_ivl, kHeartbeatIntervalMs);
      downstream.set(zmq::sockopt::heartbeat_timeout, kHeartbeatTimeoutMs);
      downstream.set(zmq::sockopt::heartbeat_ttl, kHeartbeatTimeoutMs);
      if (curve) curve->secure(downstream);
      downstream.bind(options.bind);
      steering.connect(kControl);
      bound.set_value(downstream.get(zmq::sockopt::last_endpoint));
    } catch (const zmq::error_t& e) {
      bound.set_exception(std::make_exception_ptr(
          std::runtime_error("cannot proxy " + options.bind + ": " + e.what())));
      return;
    }
    zmq_proxy_steerable(upstream.handle(), downstream.handle(), nullptr, steering.handle());
  });
  try {
    const std::string endpoint = bound_endpoint.get();
    std::string upstreams;
    for (const std::string& upstream : options.upstreams) upstreams += (upstreams.empty() ? "" : ",") + upstream;
    log->info("proxy started endpoint={} upstreams={} curve_upstream={} curve_subscribers={}", endpoint, upstreams,
              !options.upstream_server_keys.empty(), curve.has_value());
  } catch (const std::exception& e) {
    proxy.join();
    log->error("sluice proxy cannot start: {}", e.what());
    return 1;
  }
  int received = 0;
  while (sigwait(&signals, &received) == 0 && received == SIGHUP) {
    if (curve) curve->reload_clients();
    else log->info("SIGHUP ignored: subscribers are not authenticated (no --secret-key)");
  }
  log->info("stopping signal={}", strsignal(received));
  control.send(zmq::str_buffer("TERMINATE"), zmq::send_flags::none);
  proxy.join();
  log->info("proxy stopped");
  return 0;
}


// What the command line gives: the options, and the certificate files to read them from.
struct ProxyArguments {
  ProxyOptions proxy;
  std::vector<std::string> server_key_files;
  std::string client_key_file;
};

// Checks the CURVE options and reads the keys, then runs.
int checked_run(ProxyArguments& options) {
  ProxyOptions& proxy = options.proxy;
  if (options.server_key_files.empty() != options.client_key_file.empty() ||
      proxy.secret_key_file.empty() != proxy.clients_dir.empty()) {
    std::fprintf(stderr, "sluice proxy: CURVE toward the instances needs both --server-key and --key, toward "
                         "subscribers both --secret-key and --clients-dir\n");
    return kUsageError;
  }
  if (options.server_key_files.size() > 1 && options.server_key_files.size() != proxy.upstreams.size()) {
    std::fprintf(stderr, "sluice proxy: %zu --server-key for %zu --upstream: give one for all, or one per upstream\n",
                 options.server_key_files.size(), proxy.upstreams.size());
    return kUsageError;
  }
  try {
    for (const std::string& file : options.server_key_files)
      proxy.upstream_server_keys.push_back(pipeline::read_certificate(file).public_key);
    if (!options.client_key_file.empty()) proxy.client_keys = read_secret_certificate(options.client_key_file);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sluice proxy: %s\n", e.what());
    return kUsageError;
  }
  setup_logging("info");
  return run_proxy(proxy);
}

}  // namespace

Subcommand add_proxy_command(CLI::App& app) {
  auto options = std::make_shared<ProxyArguments>();
  ProxyOptions& proxy = options->proxy;
  auto* command = app.add_subcommand(
      "proxy", "Give subscribers one address for the streams of several instances (a cluster); each message keeps "
               "its origin, so `sluice tail -e` on the proxy recovers each instance's gaps from its own replay server");
  command->add_option("-b,--bind", proxy.bind, "Endpoint subscribers connect to")->capture_default_str();
  command->add_option("-u,--upstream", proxy.upstreams, "An instance's publish endpoint (give one per instance)")
      ->required();
  command->add_option("--queue", proxy.queue, "Messages queued per subscriber before its stream drops")
      ->capture_default_str()
      ->check(CLI::Range(10, 10'000'000));
  command->add_option("--server-key", options->server_key_files,
                      "CURVE toward the instances: their server's public certificate file (one for all, or one per "
                      "--upstream in the same order)");
  command->add_option("--key", options->client_key_file,
                      "CURVE toward the instances: the proxy's secret certificate file (its public key in their "
                      "clients_dir)");
  command->add_option("--secret-key", proxy.secret_key_file,
                      "CURVE toward subscribers: the proxy's server secret certificate file (mode 0600)");
  command->add_option("--clients-dir", proxy.clients_dir,
                      "CURVE toward subscribers: the public certificates of the clients admitted (read again on "
                      "SIGHUP)");
  return {command, [options] { return checked_run(*options); }};
}

}  // namespace sluice::daemon
