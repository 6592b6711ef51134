// The JetStream article stream against a real nats-server.
#include <gtest/gtest.h>

#include "pipeline/cluster/article_stream.h"
#include "tests/pipeline/cluster/cluster_fixture.h"

namespace sluice::pipeline {
namespace {

using namespace std::chrono_literals;
using test_cluster::Cluster;

TEST_F(Cluster, TheStreamStoresEveryArticleOnceHoweverOftenItIsSent) {
  config::StreamConfig settings;
  ArticleStream stream(client, "streamtest", settings, "instance-a");
  const std::vector<ArticleStream::Message> batch{{"world", "id1", 1, 1, R"({"id":"id1"})"},
                                                  {"world", "id2", 1, 2, R"({"id":"id2"})"},
                                                  {"tech", "id3", 1, 3, R"({"id":"id3"})"}};
  stream.publish(batch);
  // The same batch again (acks lost, a takeover), with one revision more.
  auto again = batch;
  again.push_back({"world", "id1", 2, 4, R"({"id":"id1","revision":2})"});
  stream.publish(again);
  const auto messages = test::stream_messages(server.url(), "streamtest-articles");
  ASSERT_EQ(messages.size(), 4U);
  EXPECT_EQ(messages[0].subject, "sluice.article.world");
  EXPECT_EQ(messages[0].msg_id, "id1#1");
  EXPECT_EQ(messages[0].origin, "instance-a");
  EXPECT_EQ(messages[2].subject, "sluice.article.tech");
  EXPECT_EQ(messages[3].msg_id, "id1#2");
  EXPECT_EQ(messages[3].body, R"({"id":"id1","revision":2})");
  // A second instance binds the existing stream.
  ArticleStream other(client, "streamtest", settings, "instance-b");
  other.publish(batch);
  EXPECT_EQ(test::stream_messages(server.url(), "streamtest-articles").size(), 4U);
}

}  // namespace
}  // namespace sluice::pipeline
