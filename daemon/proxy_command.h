// `sluice proxy`: one address for the streams of several instances (a cluster). An XSUB socket
// connects to every instance's publisher, an XPUB socket binds for subscribers, and libzmq
// forwards between them (zmq_proxy_steerable): articles and heartbeats down, subscriptions
// up. Each message keeps its origin in its header, so a subscriber tells the streams apart and
// asks each instance's replay server for what it missed (see `sluice tail`).
#pragma once

#include <string>
#include <vector>

namespace sluice::daemon {

struct ProxyOptions {
  std::string bind = "tcp://127.0.0.1:5555";
  std::vector<std::string> upstreams;  // the instances' publish endpoints
  // Messages one subscriber may have waiting before the stream drops for it (it recovers them
  // through replay), as publish.subscriber_queue.
  int queue = 100'000;
};

// Runs until SIGINT or SIGTERM; returns the exit code (1 when the endpoint cannot be bound).
int run_proxy(const ProxyOptions& options);

}  // namespace sluice::daemon
