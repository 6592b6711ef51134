// The Poller against real HTTP servers on 127.0.0.1: per-host limits and Retry-After.
#include "feeds/poller.h"

#include <gtest/gtest.h>

#include <atomic>
#include <algorithm>
#include <mutex>
#include <set>
#include <thread>

#include "tests/support/http_server.h"
#include "tests/support/temp_dir.h"

namespace sluice::feeds {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr const char* kFeed = R"(<rss version="2.0"><channel><title>t</title></channel></rss>)";

config::FeedConfig feed(const std::string& name, const std::string& url, std::chrono::milliseconds interval) {
  config::FeedConfig out;
  out.name = name;
  out.url = url;
  out.poll.interval = interval;
  out.poll.min_interval = 10ms;
  out.poll.max_interval = 10s;
  out.poll.timeout = 5s;
  return out;
}

// Runs a Poller over `config` for `duration`, handing every document to a sink that accepts it.
void run_poller(const config::Config& config, std::chrono::milliseconds duration) {
  Poller poller(config, {}, [](PolledDocument&&) { return true; });
  std::jthread thread([&](std::stop_token stop) { poller.run(stop); });
  std::this_thread::sleep_for(duration);
}

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
      std::this_thread::sleep_for(150ms);
      --active;
      const std::lock_guard lock(mutex);
      fetched.insert(path);
      return test::HttpReply{200, kFeed, {}};
    });
  }
  config::Config config;
  config.hosts.per_host = 2;
  for (int i = 0; i < 5; ++i) config.feeds.push_back(feed("f" + std::to_string(i), server.url("/feed" + std::to_string(i)), 10s));
  run_poller(config, 1500ms);
  EXPECT_EQ(fetched.size(), 5U) << "every feed of the host got its turn";
  EXPECT_LE(most, 2) << "more transfers at once than per_host allows";
  EXPECT_GE(most, 2) << "the limit was not used: the feeds were fetched one by one";
}

TEST(Poller, RetryAfterHoldsBackTheWholeHostOnly) {
  test::HttpServer busy_host;
  test::HttpServer other_host;
  std::mutex mutex;
  std::vector<Clock::time_point> busy_requests;
  std::vector<Clock::time_point> other_requests;
  std::optional<Clock::time_point> refused_at;
  busy_host.route("/a", [&](const test::HttpRequest&) {
    const std::lock_guard lock(mutex);
    busy_requests.push_back(Clock::now());
    if (!refused_at) {
      refused_at = Clock::now();
      return test::HttpReply{429, "", {{"Retry-After", "2"}}};
    }
    return test::HttpReply{200, kFeed, {}};
  });
  busy_host.route("/b", [&](const test::HttpRequest&) {
    const std::lock_guard lock(mutex);
    busy_requests.push_back(Clock::now());
    return test::HttpReply{200, kFeed, {}};
  });
  other_host.route("/c", [&](const test::HttpRequest&) {
    const std::lock_guard lock(mutex);
    other_requests.push_back(Clock::now());
    return test::HttpReply{200, kFeed, {}};
  });
  config::Config config;
  config.feeds = {feed("a", busy_host.url("/a"), 200ms), feed("b", busy_host.url("/b"), 200ms),
                  feed("c", other_host.url("/c"), 200ms)};
  run_poller(config, 3000ms);

  const std::lock_guard lock(mutex);
  ASSERT_TRUE(refused_at);
  const auto held_until = *refused_at + 1900ms;  // Retry-After: 2, less scheduling slack
  const auto during_hold = [&](Clock::time_point t) { return t > *refused_at + 50ms && t < held_until; };
  EXPECT_EQ(std::count_if(busy_requests.begin(), busy_requests.end(), during_hold), 0)
      << "the busy host was asked again before its Retry-After";
  EXPECT_GE(std::count_if(other_requests.begin(), other_requests.end(), during_hold), 4)
      << "the other host should have been polled on its interval meanwhile";
  EXPECT_GE(std::count_if(busy_requests.begin(), busy_requests.end(), [&](Clock::time_point t) { return t >= held_until; }), 1)
      << "the busy host was never polled again";
}

TEST(Poller, AdoptsAPermanentRedirectAfterThreePollsButNeverATemporaryOne) {
  test::HttpServer server;
  std::mutex mutex;
  std::vector<std::string> paths;
  auto route = [&](const std::string& path, test::HttpReply reply) {
    server.route(path, [&, path, reply](const test::HttpRequest&) {
      const std::lock_guard lock(mutex);
      paths.push_back(path);
      return reply;
    });
  };
  route("/old", test::HttpReply{301, "", {{"Location", "/new"}}});
  route("/new", test::HttpReply{200, kFeed, {}});
  route("/away", test::HttpReply{302, "", {{"Location", "/elsewhere"}}});
  route("/elsewhere", test::HttpReply{200, kFeed, {}});
  config::Config config;
  config.feeds = {feed("moved", server.url("/old"), 100ms), feed("visiting", server.url("/away"), 100ms)};
  std::vector<PollState> reported(2);
  {
    Poller poller(config, {}, [](PolledDocument&&) { return true; },
                  [&](std::size_t index, const PollState& state) {
                    const std::lock_guard lock(mutex);
                    reported[index] = state;
                  });
    std::jthread thread([&](std::stop_token stop) { poller.run(stop); });
    ASSERT_TRUE(test::wait_until([&] {
      const std::lock_guard lock(mutex);
      return std::count(paths.begin(), paths.end(), "/away") >= 6;
    }, 10s));
  }
  const std::lock_guard lock(mutex);
  EXPECT_EQ(std::count(paths.begin(), paths.end(), "/old"), kRedirectsToAdopt) << "asked the old URL after adopting";
  EXPECT_GT(std::count(paths.begin(), paths.end(), "/new"), kRedirectsToAdopt) << "polled the new URL directly";
  EXPECT_EQ(reported[0].url, server.url("/new"));
  EXPECT_EQ(reported[1].url, server.url("/away")) << "a 302 does not move a feed";
  EXPECT_EQ(reported[1].redirect_streak, 0);
}

}  // namespace
}  // namespace sluice::feeds
