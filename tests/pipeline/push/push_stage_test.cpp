// The WebSub stage on its own, against a real hub on loopback and raw TCP clients: what reaches
// the sink, what is cut off (a chunked body growing past max_body), and what is refused when the
// bodies under way fill the budget while the sink holds them.
#include "pipeline/push/push_stage.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "pipeline/push/signature.h"
#include "tests/support/temp_dir.h"
#include "tests/support/websub_hub.h"

namespace sluice::pipeline {
namespace {

using namespace std::chrono_literals;

class PushStageTest : public testing::Test {
 protected:
  void SetUp() override {
    config.websub = config::WebSubConfig{"127.0.0.1:0", "http://127.0.0.1/websub", std::chrono::hours(240), false, {}};
    for (const std::string name : {"blog", "slow"}) {
      config::FeedConfig feed;
      feed.name = name;
      feed.url = "http://127.0.0.1/" + name + ".xml";
      feed.allow_private = true;
      feed.poll.max_body = 20 << 20;
      config.feeds.push_back(feed);
    }
  }

  void start() {
    stage.emplace(
        config, store, counters,
        [this](std::size_t, feeds::FetchResponse&& document, PushStage::Clock::time_point) {
          std::unique_lock lock(mutex);
          held.wait(lock, [this] { return !holding; });
          taken.push_back(std::move(document.body));
          return true;
        },
        [this](std::size_t feed) { return feed == 1 && slow_busy; });
    stage->listen();
    stage->start();
  }

  // Has the stage subscribe a feed at the test hub, and verifies: the subscription request.
  test::WebSubHub::Request subscribe(std::size_t feed = 0) {
    if (!stage) start();
    const std::string& url = config.feeds[feed].url;
    const std::size_t asked = hub.requests().size();
    stage->advertised(feed, {{hub.url()}, url}, url);
    const auto request = hub.wait_for([](const test::WebSubHub::Request&) { return true; }, asked);
    EXPECT_TRUE(request);
    if (!request) return {};
    test::WebSubHub::Request here = *request;
    here.callback = "http://127.0.0.1:" + std::to_string(stage->port()) + "/websub/" +
                    here.callback.substr(here.callback.rfind('/') + 1);
    EXPECT_TRUE(test::WebSubHub::verify(here, "c"));
    return here;
  }

  std::size_t taken_count() {
    const std::lock_guard lock(mutex);
    return taken.size();
  }
  std::string taken_at(std::size_t i) {
    const std::lock_guard lock(mutex);
    return i < taken.size() ? taken[i] : "";
  }

  test::TempDir dir;
  StateStore store{dir.path()};
  config::Config config;
  PushCounters counters;
  test::WebSubHub hub;
  std::mutex mutex;
  std::condition_variable held;
  bool holding = false;
  std::vector<std::string> taken;
  std::atomic<bool> slow_busy{false};
  std::optional<PushStage> stage;
};

// A chunked POST (no Content-Length) of `body` in 64 KiB chunks; the bytes the server took.
std::size_t post_chunked(int port, const std::string& path, const std::string& signature, const std::string& body) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  const std::string head = "POST " + path + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nX-Hub-Signature: " +
                           signature + "\r\n\r\n";
  ::send(fd, head.data(), head.size(), MSG_NOSIGNAL);
  std::size_t sent = 0;
  for (std::size_t at = 0; at < body.size(); at += 0x10000) {
    const std::string part = body.substr(at, 0x10000);
    char size[16];
    std::snprintf(size, sizeof size, "%zx\r\n", part.size());
    const std::string chunk = size + part + "\r\n";
    if (::send(fd, chunk.data(), chunk.size(), MSG_NOSIGNAL) <= 0) break;
    sent += part.size();
  }
  ::send(fd, "0\r\n\r\n", 5, MSG_NOSIGNAL);
  char answer[256];
  static_cast<void>(::recv(fd, answer, sizeof answer, 0));
  ::close(fd);
  return sent;
}

TEST_F(PushStageTest, SignedDeliveriesReachTheSinkAndAChunkedBodyPastMaxBodyIsCutOff) {
  config.feeds[0].poll.max_body = 256 << 10;
  const auto request = subscribe();
  const std::string body = test::websub_atom(hub.url(), request.topic, {"1"});
  ASSERT_TRUE(test::WebSubHub::deliver(request.callback, body, sign("sha256", body, request.secret)));
  ASSERT_TRUE(test::wait_until([&] { return taken_count() == 1; }, 5s));
  EXPECT_EQ(taken_at(0), body);

  // Signed, but 8 MiB sent in chunks: cut off at 256 KiB, the connection closed.
  const std::string big(8 << 20, 'x');
  const std::size_t sent = post_chunked(stage->port(), "/websub/" + request.callback.substr(request.callback.rfind('/') + 1),
                                        sign("sha256", big, request.secret), big);
  EXPECT_LT(sent, big.size()) << "the server read the whole body";
  EXPECT_EQ(counters.too_large, 1U);
  // A small chunked one still goes through.
  ASSERT_EQ(post_chunked(stage->port(), "/websub/" + request.callback.substr(request.callback.rfind('/') + 1),
                         sign("sha256", body, request.secret), body),
            body.size());
  ASSERT_TRUE(test::wait_until([&] { return taken_count() == 2; }, 5s));
  EXPECT_EQ(counters.delivered, 2U);
  stage->stop();
}

TEST_F(PushStageTest, BodiesUnderWayPastTheBudgetAreRefusedNotQueued) {
  const auto request = subscribe();
  // The sink holds every document: their bytes stay counted.
  {
    const std::lock_guard lock(mutex);
    holding = true;
  }
  const std::string body = test::websub_atom(hub.url(), request.topic, {std::string(3 << 20, 'x')});
  const std::string signature = sign("sha256", body, request.secret);
  int refused = 0;
  ASSERT_GT(body.size(), 12U << 20);  // the id is in it four times
  for (int i = 0; i < 7; ++i) refused += !test::WebSubHub::deliver(request.callback, body, signature).has_value();
  // 64 MiB hold five of them: the others are refused (the connection closed).
  EXPECT_EQ(counters.delivered, 5U);
  EXPECT_EQ(counters.overloaded, 2U);
  EXPECT_EQ(refused, 2);
  {
    const std::lock_guard lock(mutex);
    holding = false;
  }
  held.notify_all();
  ASSERT_TRUE(test::wait_until([&] { return taken_count() == 5; }, 10s));
  // Room again once the sink took them.
  ASSERT_TRUE(test::WebSubHub::deliver(request.callback, body, signature));
  ASSERT_TRUE(test::wait_until([&] { return taken_count() == 6; }, 10s));
  stage->stop();
}

// A delivery for a feed with a document under way waits; the other feeds' go ahead of it.
TEST_F(PushStageTest, AFeedBusyWithAPollHoldsBackItsOwnDeliveriesOnly) {
  const auto blog = subscribe(0);
  const auto slow = subscribe(1);
  slow_busy = true;
  const std::string slow_body = test::websub_atom(hub.url(), slow.topic, {"slow-1"});
  ASSERT_TRUE(test::WebSubHub::deliver(slow.callback, slow_body, sign("sha256", slow_body, slow.secret)));
  const std::string blog_body = test::websub_atom(hub.url(), blog.topic, {"blog-1"});
  ASSERT_TRUE(test::WebSubHub::deliver(blog.callback, blog_body, sign("sha256", blog_body, blog.secret)));
  ASSERT_TRUE(test::wait_until([&] { return taken_count() == 1; }, 5s));
  EXPECT_EQ(taken_at(0), blog_body);
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(taken_count(), 1U) << "the busy feed's delivery waited";
  slow_busy = false;
  ASSERT_TRUE(test::wait_until([&] { return taken_count() == 2; }, 5s));
  EXPECT_EQ(taken_at(1), slow_body);
  stage->stop();
}

}  // namespace
}  // namespace sluice::pipeline
