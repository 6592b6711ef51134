// The Poller against real HTTP servers on 127.0.0.1, on a clock the test moves: per-host limits,
// Retry-After, backoff, resumed schedules, permanent redirects and cookies.
#include "feeds/fetch/poller.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "tests/support/http_server.h"
#include "tests/support/manual_clock.h"
#include "tests/support/temp_dir.h"

namespace sluice::feeds {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;
using TimePoint = std::chrono::steady_clock::time_point;

constexpr const char* kFeed = R"(<rss version="2.0"><channel><title>t</title></channel></rss>)";

config::FeedConfig feed(const std::string& name, const std::string& url, milliseconds interval) {
  config::FeedConfig out;
  out.name = name;
  out.url = url;
  out.poll.interval = interval;
  out.poll.min_interval = 10ms;
  out.poll.max_interval = 10s;
  out.poll.timeout = 5s;
  return out;
}

// A Poller on a hand-moved clock, turned by the test itself: time passes only through advance(),
// and each step of it runs until every transfer it started has finished.
class DrivenPoller {
 public:
  explicit DrivenPoller(const config::Config& config, std::vector<PollState> initial = {})
      : poller(config, std::move(initial), [](PolledDocument&&) { return true; },
               [this](std::size_t index, const PollState& state) { reported[index] = state; }, {}, clock) {}

  // Moves the clock on by `span` in steps of `step`.
  void advance(milliseconds span, milliseconds step = 50ms) {
    for (milliseconds moved{0}; moved < span; moved += step) {
      clock.advance(std::min(step, span - moved));
      settle();
    }
  }

  // Turns the poller until it has nothing left to do at this instant.
  void settle() {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    poller.turn(0ms);  // starts what is due
    while (!poller.idle()) {
      if (std::chrono::steady_clock::now() > deadline) {
        ADD_FAILURE() << "the poller was still busy after 10 s of real time";
        return;
      }
      poller.turn(5ms);
    }
  }

  test::ManualClock clock;
  std::map<std::size_t, PollState> reported;  // the last state reported per feed
  Poller poller;
};

// Requests as the servers saw them, stamped with the test's clock.
class RequestLog {
 public:
  explicit RequestLog(const test::ManualClock& clock) : clock_(clock) {}

  void record(const std::string& path, const test::HttpRequest& request) {
    const std::lock_guard lock(mutex_);
    entries_.push_back({path, clock_.now(), request.header("Cookie")});
  }

  std::vector<TimePoint> times(const std::string& path) const {
    const std::lock_guard lock(mutex_);
    std::vector<TimePoint> out;
    for (const Entry& entry : entries_)
      if (entry.path == path) out.push_back(entry.at);
    return out;
  }

  std::vector<std::string> cookies(const std::string& path) const {
    const std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    for (const Entry& entry : entries_)
      if (entry.path == path) out.push_back(entry.cookie);
    return out;
  }

  std::size_t count(const std::string& path) const { return times(path).size(); }

 private:
  struct Entry {
    std::string path;
    TimePoint at;
    std::string cookie;
  };
  const test::ManualClock& clock_;
  mutable std::mutex mutex_;
  std::vector<Entry> entries_;
};

TEST(Poller, NeverExceedsThePerHostLimit) {
  test::HttpServer server;
  std::atomic<int> active{0};
  std::atomic<int> most{0};
  std::mutex mutex;
  std::set<std::string> fetched;
  for (int i = 0; i < 5; ++i) {
    const std::string path = "/feed" + std::to_string(i);
    server.route(path, [&, path](const test::HttpRequest&) {
      const int now = ++active;
      for (int seen = most; now > seen && !most.compare_exchange_weak(seen, now);) {
      }
      std::this_thread::sleep_for(100ms);  // real time: the transfers overlap
      --active;
      const std::lock_guard lock(mutex);
      fetched.insert(path);
      return test::HttpReply{200, kFeed, {}};
    });
  }
  config::Config config;
  config.hosts.per_host = 2;
  for (int i = 0; i < 5; ++i) config.feeds.push_back(feed("f" + std::to_string(i), server.url("/feed" + std::to_string(i)), 10s));
  DrivenPoller driven(config);
  driven.advance(1s, 1s);  // first polls are spread over a second: all five are due at once
  EXPECT_EQ(fetched.size(), 5U) << "every feed of the host got its turn";
  EXPECT_LE(most, 2) << "more transfers at once than per_host allows";
  EXPECT_GE(most, 2) << "the limit was not used: the feeds were fetched one by one";
}

class RetryAfter : public testing::TestWithParam<int> {};

TEST_P(RetryAfter, HoldsBackTheWholeHostOnlyForAsLongAsAsked) {
  const int status = GetParam();
  test::HttpServer busy_host;
  test::HttpServer other_host;
  config::Config config;
  config.feeds = {feed("a", busy_host.url("/a"), 200ms), feed("b", busy_host.url("/b"), 200ms),
                  feed("c", other_host.url("/c"), 200ms)};
  DrivenPoller driven(config);
  RequestLog log(driven.clock);
  std::atomic<bool> refused{false};
  busy_host.route("/a", [&](const test::HttpRequest& request) {
    log.record("/a", request);
    if (!refused.exchange(true)) return test::HttpReply{status, "", {{"Retry-After", "2"}}};
    return test::HttpReply{200, kFeed, {}};
  });
  busy_host.route("/b", [&](const test::HttpRequest& request) {
    log.record("/b", request);
    return test::HttpReply{200, kFeed, {}};
  });
  other_host.route("/c", [&](const test::HttpRequest& request) {
    log.record("/c", request);
    return test::HttpReply{200, kFeed, {}};
  });
  driven.advance(4s);

  ASSERT_TRUE(refused);
  const TimePoint refused_at = log.times("/a").front();
  const TimePoint held_until = refused_at + 2s;
  const auto during_hold = [&](TimePoint t) { return t > refused_at && t < held_until; };
  auto busy = log.times("/a");
  const auto b = log.times("/b");
  busy.insert(busy.end(), b.begin(), b.end());
  const auto other = log.times("/c");
  EXPECT_EQ(std::count_if(busy.begin(), busy.end(), during_hold), 0) << "the busy host was asked again before its Retry-After";
  // Every 200 ms (±5%) for two seconds.
  EXPECT_GE(std::count_if(other.begin(), other.end(), during_hold), 8) << "the other host was held back too";
  const auto after = std::count_if(busy.begin(), busy.end(), [&](TimePoint t) { return t >= held_until && t < held_until + 300ms; });
  EXPECT_GE(after, 1) << "the busy host was not polled again once the hold ended";
  EXPECT_TRUE(driven.reported.at(0).last_status.starts_with("200, ")) << driven.reported.at(0).last_status;
}

INSTANTIATE_TEST_SUITE_P(Poller, RetryAfter, testing::Values(429, 503));

TEST(Poller, AFeedWhosePreviousDocumentIsStillUnderWayIsNotPolled) {
  test::HttpServer server;
  config::Config config;
  config.feeds = {feed("big", server.url("/big"), 1s), feed("small", server.url("/small"), 1s)};
  DrivenPoller driven(config);
  RequestLog log(driven.clock);
  server.route("/big", [&](const test::HttpRequest& request) {
    log.record("/big", request);
    return test::HttpReply{200, kFeed, {}};
  });
  server.route("/small", [&](const test::HttpRequest& request) {
    log.record("/small", request);
    return test::HttpReply{200, kFeed, {}};
  });
  std::atomic<bool> big_under_way{true};
  driven.poller.hold_while([&](std::size_t index) { return index == 0 && big_under_way; });
  driven.advance(10s, 100ms);
  EXPECT_EQ(log.count("/big"), 0U) << "polled while its previous document was under way";
  EXPECT_GE(log.count("/small"), 9U) << "the other feed keeps its schedule";
  big_under_way = false;
  driven.advance(1500ms, 100ms);
  EXPECT_GE(log.count("/big"), 1U) << "polled within a second once its document is done";
}

TEST(Poller, BacksOffExponentiallyUpToMaxIntervalAndRecoversAtOnce) {
  test::HttpServer server;
  config::Config config;
  config.feeds = {feed("flaky", server.url("/feed"), 1s)};
  config.feeds[0].poll.max_interval = 8s;
  DrivenPoller driven(config);
  RequestLog log(driven.clock);
  std::atomic<bool> healthy{false};
  server.route("/feed", [&](const test::HttpRequest& request) {
    log.record("/feed", request);
    return healthy ? test::HttpReply{200, kFeed, {}} : test::HttpReply{500, "", {}};
  });
  driven.advance(25s, 100ms);
  ASSERT_EQ(driven.reported.at(0).last_status, "HTTP 500");
  const int errors = driven.reported.at(0).errors;
  EXPECT_GE(errors, 5);

  healthy = true;
  driven.advance(20s, 100ms);
  const auto times = log.times("/feed");
  ASSERT_GE(times.size(), 8U);
  std::vector<milliseconds> gaps;
  for (std::size_t i = 1; i < times.size(); ++i) gaps.push_back(std::chrono::duration_cast<milliseconds>(times[i] - times[i - 1]));
  // 1 s, 2 s, 4 s, then 8 s (the cap) while failing; each ±5% jitter, seen in 100 ms steps.
  const milliseconds expected[] = {1s, 2s, 4s, 8s};
  for (std::size_t i = 0; i + 1 < static_cast<std::size_t>(errors); ++i) {
    const milliseconds want = expected[std::min<std::size_t>(i, 3)];
    EXPECT_GE(gaps[i], want * 95 / 100) << "gap " << i;
    EXPECT_LE(gaps[i], want * 105 / 100 + 100ms) << "gap " << i;
  }
  // Once the server answers, the feed is back on its interval.
  EXPECT_EQ(driven.reported.at(0).errors, 0);
  EXPECT_LE(gaps.back(), 1050ms + 100ms);
  EXPECT_TRUE(driven.reported.at(0).last_status.starts_with("200, ")) << driven.reported.at(0).last_status;
}

TEST(Poller, ARestartResumesTheScheduleAndPollsNothingEarly) {
  test::HttpServer server;
  config::Config config;
  config.feeds = {feed("known", server.url("/known"), 60s), feed("added", server.url("/added"), 60s)};
  for (config::FeedConfig& each : config.feeds) each.poll.max_interval = 1h;
  test::ManualClock reference;
  std::vector<PollState> initial(2);
  initial[0].next_due =
      std::chrono::duration_cast<std::chrono::seconds>(reference.wall().time_since_epoch()).count() + 30;
  DrivenPoller driven(config, initial);
  RequestLog log(driven.clock);
  for (const char* path : {"/known", "/added"})
    server.route(path, [&, path = std::string(path)](const test::HttpRequest& request) {
      log.record(path, request);
      return test::HttpReply{200, kFeed, {}};
    });
  driven.advance(28s, 500ms);
  EXPECT_EQ(log.count("/known"), 0U) << "polled before the next due time it was stored with";
  EXPECT_EQ(log.count("/added"), 1U) << "a feed with no state is polled at start";
  driven.advance(4s, 500ms);
  EXPECT_EQ(log.count("/known"), 1U) << "not polled once due";
}

TEST(Poller, AdoptsAPermanentRedirectAfterThreePollsButNeverATemporaryOne) {
  test::HttpServer server;
  config::Config config;
  config.feeds = {feed("moved", server.url("/old"), 100ms), feed("visiting", server.url("/away"), 100ms)};
  DrivenPoller driven(config);
  RequestLog log(driven.clock);
  auto route = [&](const std::string& path, test::HttpReply reply) {
    server.route(path, [&, path, reply](const test::HttpRequest& request) {
      log.record(path, request);
      return reply;
    });
  };
  route("/old", test::HttpReply{301, "", {{"Location", "/new"}}});
  route("/new", test::HttpReply{200, kFeed, {}});
  route("/away", test::HttpReply{302, "", {{"Location", "/elsewhere"}}});
  route("/elsewhere", test::HttpReply{200, kFeed, {}});
  driven.advance(2s);
  ASSERT_GE(log.count("/away"), 6U);
  EXPECT_EQ(log.count("/old"), static_cast<std::size_t>(kRedirectsToAdopt)) << "asked the old URL after adopting";
  EXPECT_GT(log.count("/new"), static_cast<std::size_t>(kRedirectsToAdopt)) << "polled the new URL directly";
  EXPECT_EQ(driven.reported.at(0).url, server.url("/new"));
  EXPECT_EQ(driven.reported.at(1).url, server.url("/away")) << "a 302 does not move a feed";
  EXPECT_EQ(driven.reported.at(1).redirect_streak, 0);
}

TEST(Poller, KeepsEachFeedsCookiesAcrossPollsAndRestarts) {
  // The Cookie header of every request, by path; it outlives the server that fills it.
  std::mutex mutex;
  std::map<std::string, std::vector<std::string>> cookies;
  std::atomic<bool> sets_cookie{true};
  test::HttpServer server;
  for (const char* path : {"/walled", "/plain"})
    server.route(path, [&, path = std::string(path)](const test::HttpRequest& request) {
      const std::lock_guard lock(mutex);
      cookies[path].push_back(request.header("Cookie"));
      if (path == "/walled" && sets_cookie)
        return test::HttpReply{200, kFeed, {{"Set-Cookie", "visitor=42; Path=/; Max-Age=86400"}}};
      return test::HttpReply{200, kFeed, {}};
    });
  const auto seen = [&](const std::string& path) {
    const std::lock_guard lock(mutex);
    return cookies[path];
  };
  config::Config config;
  config.feeds = {feed("walled", server.url("/walled"), 1s), feed("plain", server.url("/plain"), 1s)};
  config.feeds[0].cookies = {{"consent", "yes"}};
  std::vector<PollState> kept;
  {
    DrivenPoller driven(config);
    driven.advance(2500ms, 100ms);
    const auto walled = seen("/walled");
    ASSERT_GE(walled.size(), 2U);
    EXPECT_EQ(walled[0], "consent=yes") << "the configured cookie goes with the first request";
    EXPECT_NE(walled[1].find("visitor=42"), std::string::npos) << "the server's cookie was not sent back: " << walled[1];
    EXPECT_NE(walled[1].find("consent=yes"), std::string::npos);
    for (const std::string& cookie : seen("/plain")) EXPECT_EQ(cookie, "") << "one feed's cookies went to another";
    EXPECT_NE(driven.reported.at(0).cookies.find("visitor\t42"), std::string::npos);
    kept = {driven.reported.at(0), driven.reported.at(1)};
  }
  // A restart starts from the stored jar.
  sets_cookie = false;
  {
    const std::lock_guard lock(mutex);
    cookies.clear();
  }
  config.feeds[0].cookies.clear();
  DrivenPoller restarted(config, kept);
  restarted.advance(3s, 100ms);
  const auto walled = seen("/walled");
  ASSERT_FALSE(walled.empty());
  EXPECT_NE(walled[0].find("visitor=42"), std::string::npos) << walled[0];
  EXPECT_EQ(walled[0].find("consent"), std::string::npos) << "a cookie taken out of the configuration was still sent";
}


// A cluster instance's poller: it polls only the feeds handed to it, from the state handed over,
// and only until the lease's validity, which renewals extend.
TEST(Poller, PollsOnlyWhatItOwnsFromTheHandedOverStateAndOnlyWhileItsLeaseHolds) {
  test::HttpServer server;
  test::ManualClock clock;
  std::mutex mutex;
  std::vector<std::pair<std::string, TimePoint>> requests;  // path, when
  std::vector<std::string> validators;                      // If-None-Match of /owned
  for (const std::string path : {"/owned", "/other"})
    server.route(path, [&, path](const test::HttpRequest& request) {
      const std::lock_guard lock(mutex);
      requests.emplace_back(path, clock.now());
      if (path == "/owned") validators.push_back(request.header("If-None-Match"));
      return test::HttpReply{200, kFeed, {{"ETag", "\"v2\""}}};
    });
  config::Config config;
  config.feeds = {feed("owned", server.url("/owned"), 1s), feed("other", server.url("/other"), 1s)};
  std::atomic<int> documents{0};
  Poller poller(config, {}, [&](PolledDocument&&) { return ++documents, true; }, {}, {}, clock, false);
  const auto settle = [&] {
    poller.turn(0ms);
    for (int i = 0; i < 2000 && !poller.idle(); ++i) poller.turn(5ms);
  };
  const auto advance = [&](milliseconds span) {
    for (milliseconds moved{0}; moved < span; moved += 50ms) {
      clock.advance(50ms);
      settle();
    }
  };
  const auto polls = [&](const std::string& path, TimePoint after) {
    const std::lock_guard lock(mutex);
    return std::ranges::count_if(requests, [&](const auto& r) { return r.first == path && r.second > after; });
  };

  advance(3s);
  EXPECT_EQ(polls("/owned", {}) + polls("/other", {}), 0) << "nothing is polled before it is handed over";

  PollState handed;
  handed.etag = "\"v1\"";
  const TimePoint until = clock.now() + 3500ms;
  poller.own(0, handed, until);
  advance(6s);
  EXPECT_GE(polls("/owned", {}), 3);
  EXPECT_EQ(polls("/owned", until), 0) << "polled after its lease ran out";
  EXPECT_EQ(polls("/other", {}), 0);
  {
    const std::lock_guard lock(mutex);
    ASSERT_FALSE(validators.empty());
    EXPECT_EQ(validators.front(), "\"v1\"") << "the first poll uses the validators handed over";
  }
  EXPECT_FALSE(poller.owns(0));

  // A renewal after the lapse: polling resumes within a second or two.
  const TimePoint renewed = clock.now();
  poller.extend(0, renewed + 10s);
  advance(3s);
  EXPECT_GE(polls("/owned", renewed), 1);

  // Given away while a poll is in flight: the poll ends, its document goes nowhere.
  server.route("/owned", [&](const test::HttpRequest&) {
    const std::lock_guard lock(mutex);
    requests.emplace_back("/owned", clock.now());
    return test::HttpReply{200, kFeed, {}, 300ms};
  });
  const int before = documents.load();
  const TimePoint slow = clock.now();
  for (int i = 0; i < 60 && !poller.busy(0); ++i) {
    clock.advance(50ms);
    poller.turn(0ms);
  }
  ASSERT_TRUE(poller.busy(0));
  poller.disown(0);
  settle();
  EXPECT_FALSE(poller.busy(0));
  EXPECT_EQ(documents.load(), before) << "a document polled for a feed given away was passed on";
  const TimePoint disowned = clock.now();
  advance(3s);
  EXPECT_EQ(polls("/owned", disowned), 0);
  EXPECT_GE(polls("/owned", slow), 1);
  // extend() does not bring back a feed given away.
  poller.extend(0, clock.now() + 10s);
  advance(2s);
  EXPECT_EQ(polls("/owned", disowned), 0);
}

}  // namespace
}  // namespace sluice::feeds
