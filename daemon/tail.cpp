#include "daemon/tail.h"

#include <signal.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>
#include <zmq.hpp>
#include <zmq_addon.hpp>

namespace sluice::daemon {
namespace {

std::atomic<bool> interrupted{false};

extern "C" void on_signal(int) { interrupted = true; }

std::uint64_t read_be64(const zmq::message_t& frame, std::size_t offset) {
  const auto* bytes = static_cast<const unsigned char*>(frame.data()) + offset;
  std::uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = (value << 8) | bytes[i];
  return value;
}

}  // namespace

std::string connect_address(const std::string& bound_endpoint) {
  for (const std::string wildcard : {"tcp://*:", "tcp://0.0.0.0:"}) {
    if (bound_endpoint.starts_with(wildcard)) return "tcp://127.0.0.1:" + bound_endpoint.substr(wildcard.size());
  }
  return bound_endpoint;
}

int run_tail(const TailOptions& options) {
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  signal(SIGPIPE, SIG_IGN);

  zmq::context_t context;
  zmq::socket_t socket(context, zmq::socket_type::sub);
  socket.set(zmq::sockopt::linger, 0);
  socket.set(zmq::sockopt::rcvhwm, 100'000);
  socket.set(zmq::sockopt::subscribe, options.topic);
  try {
    socket.connect(options.endpoint);
  } catch (const zmq::error_t& e) {
    std::fprintf(stderr, "sluice tail: cannot connect to %s: %s\n", options.endpoint.c_str(), e.what());
    return 2;
  }

  std::uint64_t printed = 0;
  std::uint64_t last_epoch = 0;
  std::uint64_t last_seq = 0;
  std::vector<zmq::message_t> frames;
  while (!interrupted && (options.count == 0 || printed < options.count)) {
    zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
    try {
      if (zmq::poll(&item, 1, std::chrono::milliseconds(200)) == 0) continue;
      frames.clear();
      if (!zmq::recv_multipart(socket, std::back_inserter(frames))) continue;
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) continue;
      std::fprintf(stderr, "sluice tail: %s\n", e.what());
      return 1;
    }
    if (frames.size() != 3 || frames[1].size() != 16) {
      std::fprintf(stderr, "sluice tail: skipped a message that is not topic/header/body (%zu frames)\n",
                   frames.size());
      continue;
    }
    // seq is global across feeds, so a jump means lost messages only when every article is wanted.
    const std::uint64_t epoch = read_be64(frames[1], 0);
    const std::uint64_t seq = read_be64(frames[1], 8);
    if (options.topic == "article." && epoch == last_epoch && seq != last_seq + 1 && seq > last_seq)
      std::fprintf(stderr, "sluice tail: missed seq %llu..%llu (epoch %llu)\n",
                   static_cast<unsigned long long>(last_seq + 1), static_cast<unsigned long long>(seq - 1),
                   static_cast<unsigned long long>(epoch));
    last_epoch = epoch;
    last_seq = seq;
    std::fwrite(frames[2].data(), 1, frames[2].size(), stdout);
    std::fputc('\n', stdout);
    if (std::fflush(stdout) != 0) return errno == EPIPE ? 0 : 1;
    ++printed;
  }
  return 0;
}

}  // namespace sluice::daemon
