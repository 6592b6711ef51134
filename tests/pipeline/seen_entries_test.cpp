#include "pipeline/seen_entries.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace sluice::pipeline {
namespace {

TEST(SeenEntries, EachKeyIsNewOncePerFeed) {
  SeenEntries seen;
  EXPECT_TRUE(seen.insert("world", "a"));
  EXPECT_FALSE(seen.insert("world", "a"));
  EXPECT_TRUE(seen.insert("science", "a")) << "feeds are independent";
}

TEST(SeenEntries, ForgetsTheOldestPastItsLimit) {
  SeenEntries seen(2);
  EXPECT_TRUE(seen.insert("f", "1"));
  EXPECT_TRUE(seen.insert("f", "2"));
  EXPECT_TRUE(seen.insert("f", "3"));
  EXPECT_FALSE(seen.insert("f", "3"));
  EXPECT_FALSE(seen.insert("f", "2"));
  EXPECT_TRUE(seen.insert("f", "1"));
}

TEST(SeenEntries, ConcurrentInsertsAdmitEachKeyOnce) {
  SeenEntries seen;
  std::atomic<int> admitted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i)
        if (seen.insert("f", std::to_string(i))) ++admitted;
    });
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(admitted, 1000);
}

}  // namespace
}  // namespace sluice::pipeline
