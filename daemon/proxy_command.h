// `sluice proxy`: one address for the streams of several instances (a cluster). An XSUB socket
// connects to every instance's publisher, an XPUB socket binds for subscribers, and libzmq
// forwards between them (zmq_proxy_steerable): articles and heartbeats down, subscriptions
// up. Each message keeps its origin in its header, so a subscriber tells the streams apart and
// asks each instance's replay server for what it missed (see `sluice tail`).
// With CURVE, either side or both: toward the instances the proxy is a client whose public key
// they allow, toward subscribers a server that admits only the clients it allows, as the daemon's
// publisher does.
#pragma once

#include <string>
#include <vector>

#include "pipeline/deliver/curve.h"

namespace sluice::daemon {

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

// Runs until SIGINT or SIGTERM (SIGHUP reads clients_dir again); returns the exit code (1 when
// the endpoint cannot be bound or the CURVE keys cannot be used).
int run_proxy(const ProxyOptions& options);

}  // namespace sluice::daemon
