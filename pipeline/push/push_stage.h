// The WebSub stage: the callback server hubs call (verification of intent, deliveries), the
// client that sends subscription requests to hubs (libcurl, behind the SSRF guard: a hub a feed
// names must be public, unless it is on the feed's own server or the operator named it), and the
// hand-off of signed deliveries to the workers.
//
// The callback server is the one listener anyone may reach, so it is GNU libmicrohttpd on one
// event loop (websub.listen): at most kMaxConnections connections, each closed after
// kIdleTimeout without a byte, headers within 32 KiB; idle or slow clients hold no thread. A
// delivery's body is read only for a callback sluice made, with an X-Hub-Signature, for a feed
// this instance owns; it is cut off at the feed's max_body, and all bodies being read or waiting
// for the workers share kBodyBudget bytes (more is refused, not queued). Every delivery is
// answered 202 as the specification asks; one taken only with its subscription's signature goes
// to the sink as the feed's document, on the hand-off thread, so it goes the way a polled one does
// (parse, clean, dedup, publish). Every other is dropped, counted and logged.
//
// In a cluster, the instance that holds a feed's shard holds its subscription, on its own
// callback URL: the feeds start unowned; own() (with the hub and topic the previous owner was
// pushed from, when known) subscribes at once, disown() unsubscribes. A subscription kept in the
// state for a feed this instance has not owned since it started is ended once the shards have
// settled.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
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
  std::atomic<std::uint64_t> not_owned{0};           // dropped: the feed's shard is another instance's
  std::atomic<std::uint64_t> overloaded{0};          // refused: the bodies under way filled kBodyBudget
  std::atomic<std::uint64_t> verifications_refused{0};  // GETs for nothing sluice asked (404)
};

class PushStage {
 public:
  using Clock = std::chrono::steady_clock;
  // Takes a delivered document of feed (an index into Config::feeds), which reached the callback
  // server at `arrived`; false when it cannot take it (sluice is stopping). Called for a feed
  // `busy` said was not, so it blocks little if at all.
  using Sink = std::function<bool(std::size_t feed, feeds::FetchResponse&& document, Clock::time_point arrived)>;
  // Whether a feed has a document under way (a poll in flight, a document queued or in work): its
  // delivery waits, the others' go ahead.
  using Busy = std::function<bool(std::size_t feed)>;

  static constexpr unsigned kMaxConnections = 1024;
  static constexpr std::chrono::seconds kIdleTimeout{10};
  static constexpr std::size_t kBodyBudget = 64 << 20;  // or the largest max_body, when larger

  // config.websub must be set. Subscriptions of feeds no longer configured are ended.
  PushStage(const config::Config& config, StateStore& store, PushCounters& counters, Sink sink, Busy busy);
  ~PushStage();
  PushStage(const PushStage&) = delete;
  PushStage& operator=(const PushStage&) = delete;

  // Binds websub.listen; throws std::runtime_error when it cannot. Nothing is served yet.
  void listen();
  // Starts serving, asking hubs and handing deliveries on. Throws std::runtime_error when the
  // callback server cannot start.
  void start();
  void stop();

  // What a feed's document advertises (workers call it): a subscription when it names a hub, or
  // the feed's configured hub. Thread-safe.
  void advertised(std::size_t feed, const feeds::WebSubLinks& links, std::string_view fetched_url);

  // Whether a hub pushes the feed now. Thread-safe.
  bool pushed(std::size_t feed) const;

  // The hub and topic a feed is subscribed at (no hubs when none, or while it is being
  // unsubscribed). Thread-safe.
  feeds::WebSubLinks subscribed(std::size_t feed) const;

  // Cluster mode: this instance now holds the feed's shard (with the hub and topic its previous
  // owner was subscribed at; no hubs when none), or no longer does. Thread-safe.
  void own(std::size_t feed, const feeds::WebSubLinks& previous);
  void disown(std::size_t feed);

  int port() const noexcept { return port_; }
  const Subscriptions& subscriptions() const noexcept { return subscriptions_; }

 private:
  struct Exchange;
  struct Server;
  // The callback server's parts, on its event loop: a request's headers, its body, its end.
  void begin(Exchange& exchange);
  bool read_body(Exchange& exchange, std::string_view data);
  void finish(Exchange& exchange);
  void release(Exchange& exchange);
  void hand_off(std::stop_token stop);
  void request_subscriptions(std::stop_token stop);
  // Cluster mode, once the shards have settled: ends the subscriptions of feeds not owned.
  void end_unowned();
  std::int64_t now() const;

  const config::Config& config_;
  Sink sink_;
  Busy busy_;
  Subscriptions subscriptions_;
  std::unordered_map<std::string, std::size_t> feed_index_;
  std::unique_ptr<std::atomic<bool>[]> owned_;  // per feed; all of them outside a cluster
  Clock::time_point settled_;                    // cluster mode: when stored subscriptions are sorted
  std::unique_ptr<Server> server_;
  int port_ = 0;
  std::size_t body_budget_ = kBodyBudget;
  std::atomic<std::size_t> buffered_{0};  // bytes of bodies being read or waiting for the sink

  // Signed deliveries waiting for the sink (the hand-off thread's).
  struct Delivery {
    std::size_t feed;
    feeds::FetchResponse document;
    Clock::time_point arrived;
  };
  std::mutex waiting_mutex_;
  std::condition_variable_any waiting_changed_;
  std::deque<Delivery> waiting_;

  std::jthread hand_off_thread_;
  std::jthread client_thread_;
  PushCounters& counters_;
};

}  // namespace sluice::pipeline
