// Replay clients that misbehave, for the tests of the replay server and of the daemon.
#pragma once

#include <zmq.hpp>

#include <algorithm>
#include <string>
#include <string_view>

namespace sluice::test {

// `count` DEALER clients that each connect to endpoint, send one request (even ones `even`, odd
// ones `odd`) and close at once, gone before the answer. They go in batches of 200, each in a
// context of its own, terminated after it: a context holds at most 1023 sockets, and a closed
// socket's file descriptors are released only as its context reaps it.
inline void hit_and_run(const std::string& endpoint, int count, std::string_view even, std::string_view odd) {
  for (int batch = 0; batch < count; batch += 200) {
    zmq::context_t context;
    for (int i = batch; i < std::min(count, batch + 200); ++i) {
      zmq::socket_t client(context, zmq::socket_type::dealer);
      client.set(zmq::sockopt::linger, 200);
      client.connect(endpoint);
      client.send(zmq::buffer(i % 2 == 0 ? even : odd), zmq::send_flags::none);
    }
  }
}

}  // namespace sluice::test
