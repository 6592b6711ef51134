#include "pipeline/deliver/publisher.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <zmq_addon.hpp>

#include <memory>

#include "tests/support/frames.h"
#include "tests/support/temp_dir.h"

namespace sluice::pipeline {
namespace {

using namespace std::chrono_literals;

feeds::Article article(const std::string& feed, const std::string& title) {
  feeds::Article out;
  out.id = "0123456789abcdef0123456789abcdef";
  out.feed_name = feed;
  out.feed_url = "https://example.org/" + feed;
  out.title = title;
  out.paragraphs = {title};
  return out;
}

std::vector<zmq::message_t> receive(zmq::socket_t& socket) {
  std::vector<zmq::message_t> frames;
  zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
  if (zmq::poll(&item, 1, 5s) > 0) static_cast<void>(zmq::recv_multipart(socket, std::back_inserter(frames)));
  return frames;
}

class PublisherTest : public testing::Test {
 protected:
  zmq::context_t context;
  Publisher publisher{context, "tcp://127.0.0.1:*", 0x0102030405060708ULL};
  zmq::socket_t subscriber{context, zmq::socket_type::sub};

  // Connects the subscriber and waits until the publisher has seen its subscription.
  void subscribe(const std::string& prefix) {
    subscriber.set(zmq::sockopt::subscribe, prefix);
    subscriber.connect(publisher.endpoint());
    ASSERT_TRUE(test::wait_until([&] {
      publisher.read_subscriptions();
      return publisher.subscriptions() > 0;
    }, 5s));
  }
};

TEST_F(PublisherTest, SendsTopicHeaderAndBody) {
  subscribe("article.");
  EXPECT_EQ(publisher.publish(article("world", "First")), 1U);
  EXPECT_EQ(publisher.publish(article("world-extra", "Second")), 2U);
  EXPECT_EQ(publisher.head(), 2U);
  for (std::uint64_t seq : {1U, 2U}) {
    const auto frames = receive(subscriber);
    ASSERT_EQ(frames.size(), 3U);
    EXPECT_EQ(frames[0].to_string(), seq == 1 ? "article.world." : "article.world-extra.");
    ASSERT_EQ(frames[1].size(), 16U);
    EXPECT_EQ(test::header_of(frames[1]).epoch, 0x0102030405060708ULL);
    EXPECT_EQ(test::header_of(frames[1]).seq, seq);
    const auto body = nlohmann::json::parse(frames[2].to_string());
    EXPECT_EQ(body["seq"], seq);
    EXPECT_EQ(body["title"], seq == 1 ? "First" : "Second");
  }
}

TEST_F(PublisherTest, SendsABodyFromItsHoldersBufferAndKeepsTheBufferUntilSent) {
  subscribe("article.");
  std::weak_ptr<const std::string> watched;
  {
    auto batch = std::make_shared<const std::string>("...{\"seq\":7}...{\"seq\":8}...");
    watched = batch;
    const std::string_view text = *batch;
    publisher.publish_record("article.world.", 7, batch, text.substr(text.find("{\"seq\":7}"), 9));
    publisher.publish_record("article.world.", 8, batch, text.substr(text.find("{\"seq\":8}"), 9));
  }  // the caller lets go at once; ZeroMQ still holds the buffer for the messages not yet sent
  for (const std::string expected : {R"({"seq":7})", R"({"seq":8})"}) {
    const auto frames = receive(subscriber);
    ASSERT_EQ(frames.size(), 3U);
    EXPECT_EQ(frames[2].to_string(), expected);
  }
  EXPECT_EQ(publisher.head(), 8U);
  EXPECT_TRUE(test::wait_until([&] { return watched.expired(); }, 5s)) << "released once every message is sent";
}

TEST_F(PublisherTest, TopicPrefixDoesNotMatchLongerFeedNames) {
  subscribe("article.world.");
  publisher.publish(article("world-extra", "Not for this subscriber"));
  publisher.publish(article("world", "For this subscriber"));
  const auto frames = receive(subscriber);
  ASSERT_EQ(frames.size(), 3U);
  EXPECT_EQ(frames[0].to_string(), "article.world.");
  EXPECT_EQ(test::header_of(frames[1]).seq, 2U);
}

TEST_F(PublisherTest, HeartbeatCarriesHeadSeq) {
  subscribe("heartbeat.");
  // The welcome: one frame, the topic and the header of the head as of the last heartbeat.
  const auto welcome = receive(subscriber);
  ASSERT_EQ(welcome.size(), 1U);
  ASSERT_EQ(welcome[0].size(), 26U);
  EXPECT_EQ(welcome[0].to_string().substr(0, 10), "heartbeat.");
  EXPECT_EQ(welcome[0].to_string().substr(10), frame_header(0x0102030405060708ULL, 0));
  publisher.publish(article("world", "One"));
  publisher.heartbeat();
  const auto frames = receive(subscriber);
  ASSERT_EQ(frames.size(), 3U);
  EXPECT_EQ(frames[0].to_string(), "heartbeat.");
  EXPECT_EQ(test::header_of(frames[1]).seq, 1U);
  const auto body = nlohmann::json::parse(frames[2].to_string());
  EXPECT_EQ(body["seq"], 1);
  EXPECT_EQ(body["epoch"], 0x0102030405060708ULL);
}

TEST(Publisher, NamesAnEndpointItCannotBind) {
  zmq::context_t context;
  try {
    Publisher publisher(context, "tcp://192.0.2.1:5556", 1);
    FAIL() << "bound a foreign address";
  } catch (const std::runtime_error& e) {
    EXPECT_TRUE(std::string(e.what()).starts_with("cannot bind publisher at tcp://192.0.2.1:5556: ")) << e.what();
  }
}

TEST(Publisher, FrameHeaderIsBigEndian) {
  EXPECT_EQ(frame_header(1, 258), std::string("\0\0\0\0\0\0\0\1\0\0\0\0\0\0\1\2", 16));
  EXPECT_EQ(article_topic("meridian-world"), "article.meridian-world.");
}

}  // namespace
}  // namespace sluice::pipeline
