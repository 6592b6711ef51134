#include "feeds/scheduler.h"

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
  EXPECT_EQ(scheduler.pop_due(start + 25s), 0U);
  EXPECT_EQ(scheduler.pop_due(start + 25s), 1U);
  EXPECT_EQ(scheduler.pop_due(start + 25s), std::nullopt);
  EXPECT_EQ(scheduler.size(), 1U);
  scheduler.schedule(0, start + 26s);
  EXPECT_EQ(scheduler.pop_due(start + 1h), 0U);
  EXPECT_EQ(scheduler.pop_due(start + 1h), 2U);
  EXPECT_EQ(scheduler.size(), 0U);
}

}  // namespace
}  // namespace sluice::feeds
