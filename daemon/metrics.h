// Prometheus metrics: counters the stages add to as they work, and an HTTP endpoint
// (`metrics.listen`) serving them in the text exposition format at /metrics, with /healthz (200
// while every thread makes progress) and /readyz (200 while the daemon serves; 503 during a
// reload). The registry outlives a reload, so counters only ever grow.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <optional>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "feeds/fetch/http_fetcher.h"
#include "pipeline/deliver/publish_loop.h"
#include "pipeline/push/push_stage.h"

namespace sluice::daemon {

class Metrics {
 public:
  // A feed poll's outcome (fetch thread).
  void fetched(const std::string& feed, const feeds::FetchResult& result, std::int64_t unix_now);
  // A feed's next poll, as scheduled (fetch thread).
  void scheduled(const std::string& feed, std::int64_t next_due_unix, int errors);
  // A pushed document's articles published (its commit made), seconds after the hub's delivery
  // arrived (publish thread).
  void push_published(double seconds);

  std::atomic<std::uint64_t> entries_parsed{0};      // entries read from feed documents
  std::atomic<std::uint64_t> articles_built{0};      // cleaned articles handed to the publisher
  std::atomic<std::uint64_t> articles_blocked{0};    // new or edited items a feed's keep/block rules left out
  pipeline::DeliveryCounters delivery;  // the publish loop's: published, repeats dropped
  pipeline::PushCounters push;          // the WebSub stage's: deliveries taken and refused
  std::atomic<std::uint64_t> feed_parse_errors{0};
  // The per-feed brakes, when they bite: items past max_items (dropped), new items past
  // max_new_per_poll (left for the next poll), edits within min_revision_interval (held).
  std::atomic<std::uint64_t> entries_over_max_items{0};
  std::atomic<std::uint64_t> entries_deferred{0};
  std::atomic<std::uint64_t> revisions_held{0};

  // Figures read when scraped: from the running daemon.
  struct Gauges {
    bool ready = false;
    bool alive = false;
    std::size_t documents_queued = 0;
    std::size_t articles_queued = 0;
    std::uint64_t journal_bytes = 0;
    std::uint64_t journal_head = 0;
    std::uint64_t journal_first = 0;
    std::size_t subscribers = 0;
    std::uint64_t replay_requests = 0;
    std::uint64_t replay_busy = 0;          // requests refused: too many replays at once
    std::size_t replay_queued_bytes = 0;    // queued for replay clients, not yet sent
    std::optional<std::size_t> shards_held;  // in a cluster
    std::string endpoint;         // the live stream as bound (port * resolved)
    std::string replay_endpoint;  // the replay server as bound
  };

  // The text exposition format.
  std::string render(const Gauges& gauges) const;

  static constexpr std::array<double, 9> kLatencyBuckets{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
  static constexpr std::array<double, 11> kPushBuckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

 private:
  // A Prometheus histogram over fixed upper bounds (under mutex_).
  template <std::size_t N>
  struct Histogram {
    const std::array<double, N>& bounds;
    std::array<std::uint64_t, N> buckets{};
    std::uint64_t count = 0;
    double sum = 0;

    void observe(double value);
    void render(std::string& out, const char* name, const char* help) const;
  };

  struct Feed {
    double last_success = 0;  // unix seconds; 0 when never
    double last_error = 0;
    double next_due = 0;
    int errors = 0;
  };

  // The parts of render(): the fetch stage's figures (under mutex_), the counters, the gauges.
  void render_fetches(std::string& out) const;
  void render_counters(std::string& out) const;
  static void render_gauges(std::string& out, const Gauges& gauges);

  mutable std::mutex mutex_;
  std::map<std::string, std::uint64_t> fetches_;    // by result: fetched, not_modified, error
  std::map<long, std::uint64_t> statuses_;           // by HTTP status (0: no answer)
  Histogram<kLatencyBuckets.size()> fetch_duration_{kLatencyBuckets};
  Histogram<kPushBuckets.size()> push_to_publish_{kPushBuckets};
  std::uint64_t bytes_ = 0;
  std::map<std::string, Feed> feeds_;
};

// Serves a Metrics registry over HTTP on its own thread until destroyed.
class MetricsServer {
 public:
  // listen is HOST:PORT (port 0: any free one). Throws std::runtime_error when it cannot bind.
  MetricsServer(const std::string& listen, const Metrics& metrics, std::function<Metrics::Gauges()> gauges);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  int port() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::daemon
