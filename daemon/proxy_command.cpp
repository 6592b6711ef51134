#include "daemon/proxy_command.h"

#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <future>
#include <optional>
#include <thread>
#include <zmq.hpp>

#include "feeds/logging.h"

namespace sluice::daemon {
namespace {

constexpr const char* kControl = "inproc://sluice-proxy-control";
// As the publisher's: a subscriber silent this long is dropped.
constexpr int kHeartbeatIntervalMs = 5000;
constexpr int kHeartbeatTimeoutMs = 15000;

}  // namespace

int run_proxy(const ProxyOptions& options) {
  static const auto log = logger("proxy");
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

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

}  // namespace sluice::daemon
