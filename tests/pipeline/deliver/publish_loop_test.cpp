#include "pipeline/deliver/publish_loop.h"

#include <sys/mount.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <zmq_addon.hpp>

#include <mutex>
#include <optional>
#include <thread>

#include "pipeline/clean/simhash.h"
#include "tests/support/frames.h"
#include "tests/support/temp_dir.h"

namespace sluice::pipeline {
namespace {

using namespace std::chrono_literals;

PreparedArticle story(const std::string& feed, const std::string& id, const std::string& text) {
  feeds::Article out;
  out.id = id;
  out.feed_name = feed;
  out.feed_url = "https://example.org/" + feed + ".xml";
  out.url = "https://example.org/" + feed + "/" + id;
  out.title = "Story " + id;
  out.paragraphs = {text};
  out.simhash = simhash(out.paragraphs);
  return prepare_article(out);
}

DocumentCommit commit_of(const std::string& feed, const std::string& etag, const std::vector<std::string>& ids) {
  DocumentCommit commit{feed, etag, "", {}};
  for (const std::string& id : ids) commit.entries.push_back({id, 1, 2, 1});
  return commit;
}

struct Received {
  std::string topic;
  std::uint64_t seq;
  nlohmann::json body;
};

// The publish loop on a thread of its own, as the daemon runs it, with a real subscriber.
class PublishLoopTest : public testing::Test {
 protected:
  PublishLoopTest() { std::filesystem::create_directories(journal_dir); }

  ~PublishLoopTest() override {
    queue.close();
    if (running.joinable()) running.join();
  }

  void start() {
    loop.emplace(context, PublishLoop::Settings{journal_dir, {}, "tcp://127.0.0.1:*", 100'000, nullptr, ""}, queue,
                 store, counters, [this](const DocumentCommit& commit) {
                   const std::lock_guard lock(mutex);
                   // What was published when the commit came: its articles must be out by then.
                   committed.emplace_back(commit.feed, counters.published.load());
                 });
    running = std::thread([this] { loop->run(); });
    subscriber.set(zmq::sockopt::subscribe, "");
    subscriber.set(zmq::sockopt::rcvhwm, 0);
    subscriber.connect(loop->endpoint());
    // The first heartbeat shows the subscription is in place.
    for (std::vector<zmq::message_t> frames; frames.empty() || frames[0].to_string() != "heartbeat.";) {
      frames = next_frames(5s);
      ASSERT_FALSE(frames.empty()) << "no heartbeat";
    }
  }

  std::vector<zmq::message_t> next_frames(std::chrono::milliseconds timeout) {
    std::vector<zmq::message_t> frames;
    zmq::pollitem_t item{subscriber.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, timeout) > 0) static_cast<void>(zmq::recv_multipart(subscriber, std::back_inserter(frames)));
    return frames;
  }

  // The articles that arrive, at most `most`, until none has come for `wait` (heartbeats aside).
  std::vector<Received> articles(std::size_t most, std::chrono::milliseconds wait = 5s) {
    std::vector<Received> out;
    for (auto until = std::chrono::steady_clock::now() + wait; out.size() < most;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
      if (left <= 0ms) break;
      const auto frames = next_frames(left);
      if (frames.size() != 3 || !frames[0].to_string().starts_with("article.")) continue;
      out.push_back({frames[0].to_string(), test::header_of(frames[1]).seq, nlohmann::json::parse(frames[2].to_string())});
      until = std::chrono::steady_clock::now() + wait;
    }
    return out;
  }

  std::vector<std::pair<std::string, std::uint64_t>> commits() {
    const std::lock_guard lock(mutex);
    return committed;
  }

  test::TempDir dir;
  std::filesystem::path journal_dir = dir.path() / "journal";
  zmq::context_t context;
  BoundedQueue<WorkItem> queue{64};
  StateStore store{dir.path() / "state"};
  DeliveryCounters counters;
  std::optional<PublishLoop> loop;
  std::thread running;
  zmq::socket_t subscriber{context, zmq::socket_type::sub};
  std::mutex mutex;
  std::vector<std::pair<std::string, std::uint64_t>> committed;
};

TEST_F(PublishLoopTest, PublishesEachArticleOnceInOrderAndOnlyThenStoresItsFeedsState) {
  start();
  ASSERT_TRUE(queue.push(story("city", "a1", "The bridge closes on Monday for repairs.")));
  ASSERT_TRUE(queue.push(story("city", "a2", "The library opens a new reading room.")));
  ASSERT_TRUE(queue.push(commit_of("city", "etag-1", {"a1", "a2"})));
  // The same document fetched again before its state was stored: a1 is already in the journal.
  ASSERT_TRUE(queue.push(story("city", "a1", "The bridge closes on Monday for repairs.")));
  ASSERT_TRUE(queue.push(story("city", "a3", "The market moves to the square.")));
  ASSERT_TRUE(queue.push(commit_of("city", "etag-2", {"a3"})));

  const auto got = articles(3);
  ASSERT_EQ(got.size(), 3U);
  EXPECT_TRUE(articles(1, 500ms).empty()) << "the repeat went out";
  const std::vector<std::string> titles = {"Story a1", "Story a2", "Story a3"};
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].topic, "article.city.");
    EXPECT_EQ(got[i].seq, i + 1);
    EXPECT_EQ(got[i].body["seq"], i + 1);
    EXPECT_EQ(got[i].body["title"], titles[i]);
  }
  ASSERT_TRUE(test::wait_until([&] { return commits().size() == 2; }, 5s));
  EXPECT_EQ(commits()[0].first, "city");
  EXPECT_GE(commits()[0].second, 2U) << "a commit before its articles were out";
  EXPECT_EQ(commits()[1].second, 3U);
  EXPECT_EQ(store.load_feeds().at("city").etag, "etag-2");
  EXPECT_EQ(store.load_seen("city").size(), 3U);
  EXPECT_EQ(counters.published, 3U);
  EXPECT_EQ(counters.repeats_dropped, 1U);
  EXPECT_EQ(loop->durable_head(), 3U);

  // Closed and drained, the loop ends; the journal holds the three.
  queue.close();
  running.join();
  Journal reopened(journal_dir);
  EXPECT_EQ(reopened.head(), 3U);
}

// The disk under the journal fills up: nothing is published and no state stored meanwhile; once
// there is room, everything goes out once, in order, and then the state.
class PublishLoopFullDisk : public PublishLoopTest {
 protected:
  void SetUp() override {
    if (mount("tmpfs", journal_dir.c_str(), "tmpfs", 0, "size=1m") != 0)
      GTEST_SKIP() << "cannot mount a small tmpfs here (needs root): the full-disk case is not run";
    mounted = true;
  }
  void TearDown() override {
    queue.close();
    if (producer.joinable()) producer.join();
    if (running.joinable()) running.join();
    loop.reset();
    if (mounted) umount2(journal_dir.c_str(), MNT_DETACH);
  }

  // Some 2 MB of articles for a 1 MB disk, then their commit.
  void flood(std::size_t count) {
    const std::string paragraph(5000, 'w');
    for (std::size_t i = 1; i <= count; ++i)
      ASSERT_TRUE(queue.push(story("big", "b" + std::to_string(i), std::to_string(i) + " " + paragraph)));
    ASSERT_TRUE(queue.push(commit_of("big", "etag-big", {"b1"})));
  }

  bool mounted = false;
  std::thread producer;
};

TEST_F(PublishLoopFullDisk, HoldsEverythingBackAndLosesNothing) {
  start();
  producer = std::thread([this] { flood(400); });
  ASSERT_TRUE(test::wait_until([&] { return loop->journal_failing(); }, 10s));
  // What went out before the disk filled up was durable first; then nothing more goes out.
  auto got = articles(400, 2s);
  for (const Received& article : got) EXPECT_LE(article.seq, loop->durable_head());
  EXPECT_LT(got.size(), 400U);
  EXPECT_TRUE(commits().empty());

  ASSERT_EQ(mount("tmpfs", journal_dir.c_str(), "tmpfs", MS_REMOUNT, "size=64m"), 0);
  for (Received& article : articles(400 - got.size())) got.push_back(std::move(article));
  EXPECT_TRUE(articles(1, 500ms).empty()) << "published twice";
  EXPECT_FALSE(loop->journal_failing());
  ASSERT_EQ(got.size(), 400U) << "each once";
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].seq, i + 1);
    EXPECT_EQ(got[i].body["title"], "Story b" + std::to_string(i + 1));
  }
  ASSERT_TRUE(test::wait_until([&] { return commits().size() == 1; }, 5s));
  EXPECT_EQ(commits()[0].second, 400U) << "the state was stored before its articles were out";
  EXPECT_EQ(store.load_feeds().at("big").etag, "etag-big");
}

TEST_F(PublishLoopFullDisk, StoppingWhileTheDiskIsFullStoresNoStateSoTheFeedIsFetchedAgain) {
  start();
  producer = std::thread([this] { flood(400); });
  ASSERT_TRUE(test::wait_until([&] { return loop->journal_failing(); }, 10s));
  producer.join();
  queue.close();
  running.join();  // the loop ends though its batch is still held
  EXPECT_TRUE(loop->journal_failing());
  EXPECT_LT(articles(400, 1s).size(), 400U);
  EXPECT_LT(counters.published, 400U);
  EXPECT_TRUE(commits().empty());
  EXPECT_FALSE(store.load_feeds().contains("big"));
}

}  // namespace
}  // namespace sluice::pipeline
