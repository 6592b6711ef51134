// `sluice tail`: a subscriber that prints each article JSON on its own line, flushed per line.
#pragma once

#include <cstdint>
#include <string>

namespace sluice::daemon {

struct TailOptions {
  std::string endpoint = "tcp://127.0.0.1:5556";
  std::string topic = "article.";  // prefix filter
  std::uint64_t count = 0;         // stop after this many articles; 0 = run until interrupted
};

// Runs until SIGINT/SIGTERM, `count` articles, or stdout closes; returns the exit code.
int run_tail(const TailOptions& options);

// The address to connect to for a bound endpoint: a wildcard host ("*", 0.0.0.0) becomes loopback.
std::string connect_address(const std::string& bound_endpoint);

}  // namespace sluice::daemon
