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

TEST(SeenEntries, AnEditedTextIsTheNextRevision) {
  SeenEntries seen;
  using Change = SeenEntries::Change;
  ASSERT_EQ(seen.observe("f", "a", 100), Change::fresh);
  auto first = seen.settle("f", "a", Change::fresh, 1000);
  EXPECT_TRUE(first.publish);
  EXPECT_EQ(first.entry, (SeenEntry{"a", 100, 1000, 1}));
  EXPECT_EQ(seen.observe("f", "a", 100), Change::same) << "unchanged content is not cleaned again";

  ASSERT_EQ(seen.observe("f", "a", 200), Change::edited);
  auto markup_only = seen.settle("f", "a", Change::edited, 1000);
  EXPECT_FALSE(markup_only.publish) << "changed markup with the same text is no revision";
  EXPECT_EQ(markup_only.entry, (SeenEntry{"a", 200, 1000, 1})) << "but the new content is remembered";

  ASSERT_EQ(seen.observe("f", "a", 300), Change::edited);
  auto second = seen.settle("f", "a", Change::edited, 2000);
  EXPECT_TRUE(second.publish);
  EXPECT_EQ(second.entry, (SeenEntry{"a", 300, 2000, 2}));
  ASSERT_EQ(seen.observe("f", "a", 400), Change::edited);
  EXPECT_EQ(seen.settle("f", "a", Change::edited, 3000).entry.revision, 3U);
}

TEST(SeenEntries, UnknownFingerprintsAreLearnedNotReported) {
  SeenEntries seen;
  seen.restore("f", {{"old"}, {"kept", 7, 70, 4}});
  EXPECT_EQ(seen.observe("f", "old", 100), SeenEntries::Change::same) << "state from before fingerprints";
  EXPECT_EQ(seen.observe("f", "old", 100), SeenEntries::Change::same);
  EXPECT_EQ(seen.observe("f", "kept", 8), SeenEntries::Change::edited);
  auto next = seen.settle("f", "kept", SeenEntries::Change::edited, 80);
  EXPECT_TRUE(next.publish);
  EXPECT_EQ(next.entry.revision, 5U) << "the revision continues from the restored one";
}

TEST(SeenEntries, ConcurrentEditsMakeOneRevision) {
  SeenEntries seen;
  seen.restore("f", {{"a", 1, 10, 1}});
  std::atomic<int> published{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      const auto change = seen.observe("f", "a", 2);
      if (change != SeenEntries::Change::same && seen.settle("f", "a", change, 20).publish) ++published;
    });
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(published, 1);
}

}  // namespace
}  // namespace sluice::pipeline
