// NatsClient and its key-value buckets against a real nats-server with JetStream on loopback.
#include <gtest/gtest.h>

#include <thread>

#include "pipeline/cluster/nats_client.h"
#include "tests/pipeline/cluster/cluster_fixture.h"

namespace sluice::pipeline {
namespace {

using namespace std::chrono_literals;
using test_cluster::Cluster;

TEST_F(Cluster, ACreateIsExclusiveAndAnUpdateNeedsTheLastRevision) {
  KeyValueBucket bucket(client, {"kv-test", 0ms, 1});
  const auto first = bucket.create("shard-1", "a");
  ASSERT_TRUE(first);
  EXPECT_FALSE(bucket.create("shard-1", "b"));
  EXPECT_EQ(bucket.get("shard-1")->value, "a");
  EXPECT_FALSE(bucket.update("shard-1", "b", *first + 7));
  const auto second = bucket.update("shard-1", "b", *first);
  ASSERT_TRUE(second);
  EXPECT_GT(*second, *first);
  EXPECT_EQ(bucket.get("shard-1")->value, "b");
  bucket.erase("shard-1");
  EXPECT_FALSE(bucket.get("shard-1"));
  EXPECT_TRUE(bucket.create("shard-1", "c")) << "a deleted key is free again";
  EXPECT_EQ(bucket.keys(), std::vector<std::string>{"shard-1"});
}

TEST_F(Cluster, AnEntryNotWrittenAgainRunsOutAfterTheTtl) {
  KeyValueBucket bucket(client, {"kv-ttl", 1s, 1});
  ASSERT_TRUE(bucket.create("lease", "a"));
  std::this_thread::sleep_for(500ms);
  EXPECT_TRUE(bucket.get("lease"));
  EXPECT_TRUE(test::wait_until([&] { return !bucket.get("lease"); }, 3s));
  EXPECT_TRUE(bucket.create("lease", "b")) << "a run-out lease can be taken";
  // Bound again with another TTL (a changed lease_ttl): the bucket takes it.
  KeyValueBucket longer(client, {"kv-ttl", 4s, 1});
  ASSERT_TRUE(longer.create("other", "c"));
  std::this_thread::sleep_for(2500ms);
  EXPECT_TRUE(longer.get("other")) << "still there past the old TTL";
}

TEST(NatsClientStart, NoServerIsAClearError) {
  try {
    NatsClient client("nats://127.0.0.1:1", "nobody", 500ms);
    FAIL() << "connected to nothing";
  } catch (const NatsError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot connect to NATS at nats://127.0.0.1:1"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace sluice::pipeline
