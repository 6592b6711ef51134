// The WebSub stage, on two threads of its own: the callback server hubs call (verification of
// intent, deliveries; cpp-httplib on websub.listen), and the client that sends subscription
// requests to hubs (libcurl, behind the SSRF guard: a hub a feed names must be public, unless it
// is on the feed's own server or the operator named it).
//
// A delivery is taken only with its subscription's signature, and handed to the sink as the
// feed's document, so it goes the way a polled one does (parse, clean, dedup, publish). Every
// other POST is answered 202 as the specification asks, dropped, counted and logged.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "config/config.h"
#include "feeds/fetch/http_fetcher.h"
#include "feeds/parse/websub_links.h"
#include "pipeline/push/subscriptions.h"

namespace sluice::pipeline {

struct PushCounters {
  std::atomic<std::uint64_t> delivered{0};           // signed deliveries handed on
  std::atomic<std::uint64_t> bad_signature{0};       // refused: missing, malformed or wrong signature
  std::atomic<std::uint64_t> unknown_callback{0};    // refused: no subscription has that callback
  std::atomic<std::uint64_t> too_large{0};           // refused: over the feed's max_body
  std::atomic<std::uint64_t> verifications_refused{0};  // GETs for nothing sluice asked (404)
};

class PushStage {
 public:
  // Takes a delivered document of feed (an index into Config::feeds); false when it cannot.
  using Sink = std::function<bool(std::size_t feed, feeds::FetchResponse&& document)>;

  // config.websub must be set. Subscriptions of feeds no longer configured are ended.
  PushStage(const config::Config& config, StateStore& store, PushCounters& counters, Sink sink);
  ~PushStage();
  PushStage(const PushStage&) = delete;
  PushStage& operator=(const PushStage&) = delete;

  // Binds websub.listen; throws std::runtime_error when it cannot. Nothing is served yet.
  void listen();
  // Starts both threads: requests go to hubs, and the callback server answers.
  void start();
  void stop();

  // What a feed's document advertises (workers call it): a subscription when it names a hub, or
  // the feed's configured hub. Thread-safe.
  void advertised(std::size_t feed, const feeds::WebSubLinks& links, std::string_view fetched_url);

  // Whether a hub pushes the feed now. Thread-safe.
  bool pushed(std::size_t feed) const;

  int port() const noexcept { return port_; }
  const Subscriptions& subscriptions() const noexcept { return subscriptions_; }

 private:
  void serve();
  void request_subscriptions(std::stop_token stop);
  std::int64_t now() const;

  const config::Config& config_;
  Sink sink_;
  Subscriptions subscriptions_;
  std::unordered_map<std::string, std::size_t> feed_index_;
  struct Server;
  std::unique_ptr<Server> server_;
  int port_ = 0;
  std::thread server_thread_;
  std::jthread client_thread_;
  PushCounters& counters_;
};

}  // namespace sluice::pipeline
