// The replay server on a real journal, asked by a real DEALER socket.
#include "pipeline/deliver/replay_server.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <thread>
#include <zmq_addon.hpp>

#include "pipeline/deliver/publisher.h"
#include "tests/support/frames.h"
#include "tests/support/journals.h"
#include "tests/support/replay_clients.h"
#include "tests/support/temp_dir.h"

namespace sluice::pipeline {
namespace {

using namespace std::chrono_literals;

class ReplayTest : public testing::Test {
 protected:
  void SetUp() override {
    // 30 articles, alternating between two feeds; bodies are their seq.
    for (int i = 1; i <= 30; ++i) journal.append(i % 2 ? "article.odd." : "article.even.", std::to_string(i), i);
    journal.sync();
    head = journal.head();
    server.emplace(context, "tcp://127.0.0.1:*", dir.path(), journal.epoch(), head);
    thread = std::jthread([this](std::stop_token stop) { server->run(stop); });
    client.connect(server->endpoint());
  }

  void TearDown() override {
    thread.request_stop();
    thread.join();
  }

  void ask(const nlohmann::json& request) { client.send(zmq::buffer(request.dump()), zmq::send_flags::none); }

  // The next message: topic, seq, body; an empty topic when none came in time.
  struct Message {
    std::string topic;
    std::uint64_t epoch = 0;
    std::uint64_t seq = 0;
    std::string body;
  };
  Message next(std::chrono::milliseconds timeout = 5s) {
    zmq::pollitem_t item{client.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, timeout) <= 0) return {};
    std::vector<zmq::message_t> frames;
    static_cast<void>(zmq::recv_multipart(client, std::back_inserter(frames)));
    EXPECT_EQ(frames.size(), 3U);
    if (frames.size() != 3 || frames[1].size() != 16) return {};
    return {frames[0].to_string(), test::header_of(frames[1]).epoch, test::header_of(frames[1]).seq, frames[2].to_string()};
  }

  // Every article up to the end frame; the end frame's seq goes to `last`.
  std::vector<std::uint64_t> until_end(std::uint64_t& last) {
    std::vector<std::uint64_t> seqs;
    for (Message message = next(); !message.topic.empty(); message = next()) {
      if (message.topic == "end.") {
        last = message.seq;
        return seqs;
      }
      EXPECT_TRUE(message.topic.starts_with("article.")) << message.topic << " " << message.body;
      EXPECT_EQ(message.body, std::to_string(message.seq));
      seqs.push_back(message.seq);
    }
    ADD_FAILURE() << "no end frame";
    return seqs;
  }

  test::TempDir dir;
  Journal journal{dir.path()};
  std::atomic<std::uint64_t> head{0};
  zmq::context_t context;
  std::optional<ReplayServer> server;
  std::jthread thread;
  zmq::socket_t client{context, zmq::socket_type::dealer};
};

TEST_F(ReplayTest, ServesTheRangeInOrderThenAnEndFrame) {
  ask({{"from", 5}, {"to", 9}});
  std::uint64_t last = 0;
  EXPECT_EQ(until_end(last), (std::vector<std::uint64_t>{5, 6, 7, 8, 9}));
  EXPECT_EQ(last, 9U);
}

TEST_F(ReplayTest, FiltersByTopicAndStopsAtTheDurableHead) {
  // Records past the durable head exist on disk but are not served.
  journal.append("article.odd.", "31", 31);
  journal.sync();
  ask({{"from", 20}, {"to", nullptr}, {"topic", "article.odd."}});
  std::uint64_t last = 0;
  EXPECT_EQ(until_end(last), (std::vector<std::uint64_t>{21, 23, 25, 27, 29}));
  EXPECT_EQ(last, 30U) << "the end frame says how far the replay looked";
}

TEST_F(ReplayTest, CreditPacesTheReplay) {
  ask({{"from", 1}, {"credit", 4}});
  std::vector<std::uint64_t> seqs;
  for (int i = 0; i < 4; ++i) seqs.push_back(next().seq);
  EXPECT_EQ(seqs, (std::vector<std::uint64_t>{1, 2, 3, 4}));
  EXPECT_TRUE(next(300ms).topic.empty()) << "nothing more without credit";
  ask({{"credit", 100}});
  std::uint64_t last = 0;
  const auto rest = until_end(last);
  ASSERT_EQ(rest.size(), 26U);
  EXPECT_EQ(rest.front(), 5U);
  EXPECT_EQ(last, 30U);
}

TEST_F(ReplayTest, RefusesAWrongEpochAndABadRequest) {
  ask({{"from", 1}, {"epoch", journal.epoch() + 1}});
  Message answer = next();
  EXPECT_EQ(answer.topic, "error.");
  EXPECT_EQ(nlohmann::json::parse(answer.body), (nlohmann::json{{"error", "epoch"}, {"epoch", journal.epoch()}}));
  ask({{"from", "yesterday"}});
  answer = next();
  EXPECT_EQ(answer.topic, "error.");
  EXPECT_EQ(nlohmann::json::parse(answer.body)["error"], "bad-request");
  client.send(zmq::str_buffer("not json"), zmq::send_flags::none);
  EXPECT_EQ(next().topic, "error.");
  ask({{"from", 30}, {"to", 30}});
  std::uint64_t last = 0;
  EXPECT_EQ(until_end(last), (std::vector<std::uint64_t>{30})) << "the server still serves";
}

TEST_F(ReplayTest, ClientsThatAskAndLeaveAtOnceNeverStopTheServer) {
  // Each one connects, sends (not JSON, or a replay it will not wait for) and is gone before the
  // answer: the answer goes to a departed peer, which is normal, never fatal.
  test::hit_and_run(server->endpoint(), 1000, "not json", R"({"from": 1})");
  ask({{"from", 28}});
  std::uint64_t last = 0;
  EXPECT_EQ(until_end(last), (std::vector<std::uint64_t>{28, 29, 30})) << "the server still serves";
}

TEST(Replay, ClientsThatDoNotReadCannotGrowTheQueuesAndExtraReplaysAreBusy) {
  const test::TempDir dir;
  Journal journal(dir.path());
  const std::string body(32 * 1024, 'x');
  for (int i = 1; i <= 400; ++i) journal.append("article.a.", body + std::to_string(i), i);
  journal.sync();
  std::atomic<std::uint64_t> head{journal.head()};
  zmq::context_t context;
  ReplayLimits limits;
  limits.replays = 3;
  limits.queued_bytes = 2 << 20;
  limits.client_bytes = 1 << 20;
  ReplayServer server(context, "tcp://127.0.0.1:*", dir.path(), journal.epoch(), head, nullptr, limits);
  std::jthread thread([&](std::stop_token stop) { server.run(stop); });
  const auto over_limit = [&] { return server.queued_bytes() > limits.queued_bytes + body.size() + 1024; };

  // Five clients ask for everything with all the credit they may have, again and again, and read
  // nothing (a small receive buffer each, so the kernel holds little for them).
  std::vector<zmq::socket_t> clients;
  for (int i = 0; i < 5; ++i) {
    clients.emplace_back(context, zmq::socket_type::dealer);
    clients.back().set(zmq::sockopt::rcvbuf, 4096);
    clients.back().set(zmq::sockopt::rcvhwm, 1);
    clients.back().connect(server.endpoint());
  }
  bool exceeded = false;
  for (int round = 0; round < 50; ++round) {
    for (auto& client : clients) client.send(zmq::str_buffer(R"({"from": 1, "credit": 50000})"), zmq::send_flags::none);
    std::this_thread::sleep_for(10ms);
    exceeded = exceeded || over_limit();
  }
  std::this_thread::sleep_for(300ms);
  EXPECT_FALSE(exceeded || over_limit()) << server.queued_bytes();
  EXPECT_GT(server.queued_bytes(), 0U) << "the replays under way did queue what fits";
  EXPECT_GT(server.refused_busy(), 0U) << "more than three replays at once were refused";

  // A client that reads gets its whole replay, in order, paced by the limits.
  for (auto& client : clients) client.close();
  zmq::socket_t reader(context, zmq::socket_type::dealer);
  reader.connect(server.endpoint());
  std::uint64_t expected = 1;
  bool ended = false;
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (!ended && std::chrono::steady_clock::now() < deadline) {
    if (expected == 1) reader.send(zmq::str_buffer(R"({"from": 1, "credit": 50000})"), zmq::send_flags::none);
    zmq::pollitem_t item{reader.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, 500ms) <= 0) continue;
    std::vector<zmq::message_t> frames;
    static_cast<void>(zmq::recv_multipart(reader, std::back_inserter(frames)));
    ASSERT_EQ(frames.size(), 3U);
    const std::string topic = frames[0].to_string();
    if (topic == "error.") continue;  // busy while the closed clients' replays wind down
    if (topic == "end.") {
      ended = true;
      break;
    }
    ASSERT_EQ(test::header_of(frames[1]).seq, expected);
    ++expected;
  }
  EXPECT_TRUE(ended);
  EXPECT_EQ(expected, 401U);
}

TEST(Replay, ARangeBeforeRetentionIsGone) {
  const test::TempDir dir;
  const auto kept_journal = test::journal_past_retention(dir.path());
  const Journal& journal = *kept_journal;
  std::atomic<std::uint64_t> head{journal.head()};
  zmq::context_t context;
  ReplayServer server(context, "tcp://127.0.0.1:*", dir.path(), journal.epoch(), head);
  std::jthread thread([&](std::stop_token stop) { server.run(stop); });
  zmq::socket_t client(context, zmq::socket_type::dealer);
  client.connect(server.endpoint());
  client.send(zmq::str_buffer(R"({"from": 1})"), zmq::send_flags::none);
  std::vector<zmq::message_t> frames;
  zmq::pollitem_t item{client.handle(), 0, ZMQ_POLLIN, 0};
  ASSERT_GT(zmq::poll(&item, 1, 5s), 0);
  static_cast<void>(zmq::recv_multipart(client, std::back_inserter(frames)));
  ASSERT_EQ(frames.size(), 3U);
  EXPECT_EQ(frames[0].to_string(), "error.");
  EXPECT_EQ(nlohmann::json::parse(frames[2].to_string()),
            (nlohmann::json{{"error", "gone"}, {"first", journal.first()}}));
}

}  // namespace
}  // namespace sluice::pipeline
