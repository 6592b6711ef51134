#include "feeds/fetch/scheduler.h"

#include <gtest/gtest.h>

namespace sluice::feeds {
namespace {

using namespace std::chrono_literals;

TEST(Scheduler, HandsOutFeedsInDueOrderOnlyWhenDue) {
  Scheduler scheduler;
  const Scheduler::TimePoint start{};
  EXPECT_EQ(scheduler.next_due(), std::nullopt);
  scheduler.schedule(2, start + 30s);
  scheduler.schedule(0, start + 10s);
  scheduler.schedule(1, start + 20s);
  EXPECT_EQ(scheduler.next_due(), start + 10s);
  EXPECT_EQ(scheduler.pop_due(start + 9s), std::nullopt);
  const auto first = scheduler.pop_due(start + 25s);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->feed, 0U);
  EXPECT_EQ(first->at, start + 10s) << "tells when the feed was due, for lateness";
  EXPECT_EQ(scheduler.pop_due(start + 25s)->feed, 1U);
  EXPECT_EQ(scheduler.pop_due(start + 25s), std::nullopt);
  EXPECT_EQ(scheduler.size(), 1U);
  scheduler.schedule(0, start + 26s);
  EXPECT_EQ(scheduler.pop_due(start + 1h)->feed, 0U);
  EXPECT_EQ(scheduler.pop_due(start + 1h)->feed, 2U);
  EXPECT_EQ(scheduler.size(), 0U);
}

}  // namespace
}  // namespace sluice::feeds
