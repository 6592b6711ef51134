#include "daemon/proxy_command.h"

#include <signal.h>

#include <cstdio>
#include <future>
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
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  zmq::context_t context;
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
      for (const std::string& endpoint : options.upstreams) upstream.connect(endpoint);
      downstream.set(zmq::sockopt::sndhwm, options.queue);
      downstream.set(zmq::sockopt::linger, 0);
      downstream.set(zmq::sockopt::heartbeat_ivl, kHeartbeatIntervalMs);
      downstream.set(zmq::sockopt::heartbeat_timeout, kHeartbeatTimeoutMs);
      downstream.set(zmq::sockopt::heartbeat_ttl, kHeartbeatTimeoutMs);
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
    log->info("proxy started endpoint={} upstreams={}", endpoint, upstreams);
  } catch (const std::exception& e) {
    proxy.join();
    log->error("sluice proxy cannot start: {}", e.what());
    return 1;
  }
  int received = 0;
  sigwait(&signals, &received);
  log->info("stopping signal={}", strsignal(received));
  control.send(zmq::str_buffer("TERMINATE"), zmq::send_flags::none);
  proxy.join();
  log->info("proxy stopped");
  return 0;
}

}  // namespace sluice::daemon
