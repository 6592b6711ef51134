#include "pipeline/state/seen_entries.h"

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
  auto first = seen.settle("f", "a", Change::fresh, 100, 1000);
  EXPECT_TRUE(first.publish);
  EXPECT_EQ(first.entry, (SeenEntry{"a", 100, 1000, 1}));
  EXPECT_EQ(seen.observe("f", "a", 100), Change::same) << "unchanged content is not cleaned again";

  ASSERT_EQ(seen.observe("f", "a", 200), Change::edited);
  auto markup_only = seen.settle("f", "a", Change::edited, 200, 1000);
  EXPECT_FALSE(markup_only.publish) << "changed markup with the same text is no revision";
  EXPECT_EQ(markup_only.entry, (SeenEntry{"a", 200, 1000, 1})) << "but the new content is remembered";

  ASSERT_EQ(seen.observe("f", "a", 300), Change::edited);
  auto second = seen.settle("f", "a", Change::edited, 300, 2000);
  EXPECT_TRUE(second.publish);
  EXPECT_EQ(second.entry, (SeenEntry{"a", 300, 2000, 2}));
  ASSERT_EQ(seen.observe("f", "a", 400), Change::edited);
  EXPECT_EQ(seen.settle("f", "a", Change::edited, 400, 3000).entry.revision, 3U);
}

TEST(SeenEntries, AnItemEditedAgainSoonWaitsAndItsLatestTextGoesOutOnceTheGapHasPassed) {
  SeenEntries seen;
  using Change = SeenEntries::Change;
  const std::chrono::seconds gap(300);
  ASSERT_EQ(seen.observe("f", "a", 1), Change::fresh);
  EXPECT_TRUE(seen.settle("f", "a", Change::fresh, 1, 10, 1000, gap).publish);
  // Edited a minute later, and again: held each time, and still an edit on every poll.
  for (const std::uint64_t edit : {2, 3}) {
    ASSERT_EQ(seen.observe("f", "a", edit), Change::edited);
    const auto held = seen.settle("f", "a", Change::edited, edit, edit * 10, 1060, gap);
    EXPECT_FALSE(held.publish);
    EXPECT_TRUE(held.held);
    EXPECT_EQ(held.entry, (SeenEntry{"a", 1, 10, 1})) << "nothing of the held edit is recorded";
  }
  // A markup-only change is no revision and is never held.
  ASSERT_EQ(seen.observe("f", "a", 4), Change::edited);
  const auto markup = seen.settle("f", "a", Change::edited, 4, 10, 1100, gap);
  EXPECT_FALSE(markup.publish || markup.held);
  // Once the gap has passed, the latest text is revision 2; the next edit waits again.
  ASSERT_EQ(seen.observe("f", "a", 3), Change::edited);
  const auto second = seen.settle("f", "a", Change::edited, 3, 30, 1300, gap);
  EXPECT_TRUE(second.publish);
  EXPECT_EQ(second.entry, (SeenEntry{"a", 3, 30, 2}));
  EXPECT_EQ(seen.observe("f", "a", 3), Change::same);
  ASSERT_EQ(seen.observe("f", "a", 5), Change::edited);
  EXPECT_TRUE(seen.settle("f", "a", Change::edited, 5, 50, 1400, gap).held);
}

TEST(SeenEntries, UnknownFingerprintsAreLearnedNotReported) {
  SeenEntries seen;
  seen.restore("f", {{"old"}, {"kept", 7, 70, 4}});
  EXPECT_EQ(seen.observe("f", "old", 100), SeenEntries::Change::same) << "state from before fingerprints";
  EXPECT_EQ(seen.observe("f", "old", 100), SeenEntries::Change::same);
  EXPECT_EQ(seen.observe("f", "kept", 8), SeenEntries::Change::edited);
  auto next = seen.settle("f", "kept", SeenEntries::Change::edited, 8, 80);
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
      if (change != SeenEntries::Change::same && seen.settle("f", "a", change, 2, 20).publish) ++published;
    });
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(published, 1);
}

}  // namespace
}  // namespace sluice::pipeline
