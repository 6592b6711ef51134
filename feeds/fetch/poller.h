// The fetch stage: one thread polls every configured feed on its schedule with conditional GETs
// and hands each changed document to the next stage.
//
// Politeness: at most `per_host` transfers at once to one server (scheme, host and port); a 429 or
// 503 with Retry-After holds back every feed of that server, not just the one that asked.
//
// Per-feed state (validators, error count) lives here while running; it starts from what the
// state store kept, and every new schedule is reported so the store can keep it. A failing feed is
// never disabled: it is retried with exponential backoff up to max_interval, each failure logged.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <unordered_map>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <stop_token>
#include <string>
#include <vector>

#include "config/config.h"
#include "feeds/fetch/cadence.h"
#include "feeds/fetch/clock.h"
#include "feeds/fetch/http_fetcher.h"
#include "feeds/model.h"
#include "feeds/fetch/scheduler.h"

namespace sluice::feeds {

// Where a feed stands: what the daemon keeps across restarts, and reports after every poll.
struct PollState {
  std::string etag;
  std::string last_modified;
  std::int64_t next_due = 0;  // Unix seconds; 0 when unknown
  int errors = 0;
  std::string url;              // where the feed is fetched from now; "" means the configured URL
  std::string redirect_target;  // a permanent redirect seen on the last polls...
  int redirect_streak = 0;      // ...and on how many in a row
  std::string cookies;          // the feed's cookie jar (Netscape cookie-file lines)
  std::int64_t last_polled = 0;  // Unix seconds of the last poll's end; 0 when never polled
  std::string last_status;       // its outcome in words: "200, 5120 bytes", "304 not modified", an error
};

// After this many consecutive polls answered by the same 301/308 redirect, the feed's URL becomes
// the redirect's target. A 302 or 307 never moves it.
inline constexpr int kRedirectsToAdopt = 3;

struct PolledDocument {
  std::size_t feed = 0;  // index into Config::feeds
  FetchResponse response;
  Timestamp fetched;
  bool pushed = false;  // delivered by a WebSub hub: its validators are not the feed's
};

class Poller {
 public:
  // Receives each changed document; may block while the next stage is full. Returns false to
  // refuse the document, which is then fetched again (unconditionally) on the next poll.
  using Sink = std::function<bool(PolledDocument&&)>;
  // Told each feed's state after every poll (validators aside: those advance with the articles).
  using Scheduled = std::function<void(std::size_t feed, const PollState& state)>;

  // Shown every feed poll's outcome, on the fetch thread (for metrics).
  using Observed = std::function<void(std::size_t feed, const FetchResult& result)>;

  // `initial` holds one PollState per configured feed (or is empty: a first start). Schedules
  // follow `clock`; transfers (timeouts, elapsed times) run in real time whatever the clock.
  // With `owned` false, no feed is polled until own() hands it over (a cluster instance polls
  // only the feeds of the shards it holds).
  Poller(const config::Config& config, std::vector<PollState> initial, Sink sink, Scheduled scheduled = {},
         Observed observed = {}, const Clock& clock = Clock::real(), bool owned = true);

  // The fetch thread's body: polls until stop is requested, then abandons transfers in flight.
  void run(std::stop_token stop);

  // One turn of that loop: starts what is due by the clock, then waits for network activity for
  // at most `longest_wait` of real time and handles the transfers that finished. For callers that
  // drive the poller themselves (tests on a hand-moved clock); run() is this in a loop.
  void turn(std::chrono::milliseconds longest_wait);

  // Whether a turn now would have nothing to do: no transfer in flight or held back, and nothing
  // due by the clock. Fetch thread only.
  bool idle() const;

  // Ends a turn's wait early (after the clock moved). Thread-safe.
  void wake() noexcept { fetcher_.wakeup(); }

  // What the parsed document says about its cadence (posting rate, <ttl>); applies from the
  // feed's next scheduling on. Thread-safe: workers call it.
  void hint(std::size_t feed, std::optional<std::chrono::milliseconds> adapted, std::chrono::seconds ttl);

  // The next poll of feed fetches the document in full (no conditional GET): some of what it
  // led to could not be read this time. Thread-safe.
  void refetch(std::size_t feed);

  // From the next poll of feed on, it is fetched from `url`: the feed its configured page
  // advertises (feed discovery). Kept in the feed's state like an adopted redirect; the validators
  // of the page are dropped. Thread-safe.
  void adopt(std::size_t feed, std::string url);

  // Fetches a page for a worker: an item's link (full text) or an article an HTML feed links to,
  // under the same per-server limit and back-off as the feeds, with the feed's timeout, size cap
  // and proxy. The SSRF guard refuses non-public addresses unless the page is on the feed's own
  // server or the feed allows private links. `done` runs once on the fetch thread, with the
  // result, or with an error when sluice stops first. Thread-safe.
  using PageDone = std::function<void(FetchResult)>;
  void fetch_page(std::size_t feed, std::string url, PageDone done);

  // Cluster ownership (thread-safe). own() starts polling feed until `until` by the poller's clock
  // (the lease's validity), from `state` when given (what the previous owner left: validators,
  // jar, next due) or from what this poller knew. extend() moves `until` on while feed is owned
  // (a renewed lease); disown() stops it now. No poll starts past `until`, and one in flight then
  // is abandoned when it ends (its document is not passed on). busy() says whether a poll of feed
  // is in flight.
  using TimePoint = Scheduler::TimePoint;
  void own(std::size_t feed, std::optional<PollState> state, TimePoint until = TimePoint::max());
  void extend(std::size_t feed, TimePoint until) noexcept;
  void disown(std::size_t feed) noexcept { owned_until_[feed] = 0; }
  bool busy(std::size_t feed) const noexcept { return in_flight_[feed].load(); }
  bool owns(std::size_t feed) const noexcept { return owned(feed, clock_.now()); }

  // A feed for which `busy` says true is not polled: it is looked at again a second later. The
  // daemon says so while the feed's previous document is still queued or being processed, so a
  // feed slower to process than to poll never has two documents under way. Call before run().
  void hold_while(std::function<bool(std::size_t feed)> busy) { hold_while_ = std::move(busy); }

  // A feed for which `pushed` says true (a WebSub hub pushes it) is polled at its
  // websub_interval, unless its own interval is longer. Call before run().
  void slow_while(std::function<bool(std::size_t feed)> pushed) { slow_while_ = std::move(pushed); }

  // For the service manager (thread-safe): when the fetch loop last came round by the poller's
  // clock (it does at least once a second while it runs), and how many feeds failed on their last
  // poll.
  std::chrono::steady_clock::time_point last_turn() const noexcept {
    return std::chrono::steady_clock::time_point(std::chrono::steady_clock::duration(last_turn_.load()));
  }
  std::size_t failing() const noexcept { return failing_.load(); }

 private:
  struct FeedState {
    std::string etag;
    std::string last_modified;
    int errors = 0;
    std::string url;
    std::string redirect_target;
    int redirect_streak = 0;
    std::string cookies;
    Cadence cadence;
  };

  struct Hint {
    std::size_t feed;
    std::optional<std::chrono::milliseconds> adapted;
    std::chrono::seconds ttl;
    bool refetch = false;  // drop the validators instead
    std::string adopt;     // fetch the feed from this URL from now on
  };

  void apply_hints();
  void take_handovers();
  // Called for a feed found not owned when due: looked at again later, or dropped if given away.
  void set_aside(std::size_t feed);
  bool owned(std::size_t feed, TimePoint now) const noexcept {
    return owned_until_[feed].load() > now.time_since_epoch().count();
  }
  // Puts feed's next poll at `at`; an earlier entry of the feed in the schedule is then void.
  void schedule(std::size_t feed, Scheduler::TimePoint at);
  void follow_redirects(std::size_t feed, const FetchResponse& response);

  struct HostState {
    unsigned active = 0;                     // transfers in flight
    Scheduler::TimePoint blocked_until{};    // after a 429/503: no request before this
    std::deque<Scheduler::Due> waiting;      // due feeds held back by the per-host limit
    std::deque<std::uint64_t> waiting_pages;  // page fetches held back, by tag
  };

  struct PageFetch {
    std::size_t feed;
    std::string url;
    PageDone done;
    std::string host;
  };

  void take_page_requests();
  void start_page(std::uint64_t tag, HostState& host);
  void on_page_done(std::uint64_t tag, FetchResult result);
  void make_room(HostState& host);
  void fail_pending_pages();

  void start_due(Scheduler::TimePoint now);
  void start(const Scheduler::Due& due, HostState& host);
  void log_summary();
  void report(std::size_t feed, std::chrono::milliseconds delay, std::string last_status);
  void back_off_host(HostState& host, const std::string& name, std::chrono::milliseconds wait);
  void on_done(std::size_t feed, FetchResult result);
  std::chrono::milliseconds jittered(std::chrono::milliseconds delay);

  const config::Config& config_;
  const Clock& clock_;
  Sink sink_;
  Scheduled scheduled_;
  Observed observed_;
  std::function<bool(std::size_t)> hold_while_;
  std::function<bool(std::size_t)> slow_while_;
  HttpFetcher fetcher_;
  Scheduler scheduler_;
  std::vector<FeedState> state_;
  std::vector<std::string> host_of_;  // per feed
  std::unordered_map<std::string, HostState> hosts_;
  std::mt19937_64 random_{std::random_device{}()};
  // For the periodic summary line: outcomes and how late polls started, since the last one.
  struct Summary {
    std::size_t fetched = 0;
    std::size_t not_modified = 0;
    std::size_t errors = 0;
    std::size_t held = 0;  // polls put off: the feed's previous document was still under way
    std::vector<std::chrono::milliseconds> lateness;
    Scheduler::TimePoint since;
  } summary_;
  std::mutex hints_mutex_;
  std::vector<Hint> hints_;
  mutable std::mutex pages_mutex_;
  std::vector<PageFetch> page_requests_;  // from workers, not yet taken by the fetch thread
  bool stopped_ = false;                  // under pages_mutex_: no more page fetches start
  std::unordered_map<std::uint64_t, PageFetch> pages_;  // waiting or in flight, by tag
  std::uint64_t next_page_tag_;
  std::atomic<std::chrono::steady_clock::rep> last_turn_;
  // Ownership, per feed: until when it may be polled (clock ticks; 0 not at all), written by any
  // thread. in_flight_ is set by the fetch thread before it reads owned_until_, so a disown()
  // that then sees no poll in flight can be sure none starts.
  std::unique_ptr<std::atomic<TimePoint::rep>[]> owned_until_;
  std::unique_ptr<std::atomic<bool>[]> in_flight_;
  std::vector<Scheduler::TimePoint> due_at_;  // per feed: its valid schedule entry
  struct Handover {
    std::size_t feed;
    std::optional<PollState> state;
    TimePoint until;
  };
  std::mutex handovers_mutex_;
  std::vector<Handover> handovers_;
  std::atomic<std::size_t> failing_{0};
};

}  // namespace sluice::feeds
