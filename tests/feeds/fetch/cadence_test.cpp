#include "feeds/fetch/cadence.h"

#include <gtest/gtest.h>

#include "tests/feeds/parse/parse_helpers.h"

namespace sluice::feeds {
namespace {

using namespace std::chrono_literals;
using namespace testing_helpers;

FeedDocument posted_at(std::initializer_list<int> hours_ago) {
  FeedDocument document;
  const Timestamp now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  for (const int hours : hours_ago) {
    Entry entry;
    entry.published = now - std::chrono::hours(hours);
    document.entries.push_back(entry);
  }
  return document;
}

config::PollSettings poll() {
  config::PollSettings settings;
  settings.interval = 30min;
  settings.min_interval = 5min;
  settings.max_interval = 24h;
  return settings;
}

TEST(Cadence, PostingIntervalIsTheMedianGap) {
  EXPECT_EQ(posting_interval(posted_at({0, 2, 4, 6, 30})), 2h) << "one long pause does not skew it";
  EXPECT_EQ(posting_interval(posted_at({0, 1, 5000})), 1h) << "posting again after a long silence sets the pace";
  EXPECT_EQ(posting_interval(posted_at({0, 1})), std::nullopt) << "two dates are not a rate";
  EXPECT_EQ(posting_interval(FeedDocument{}), std::nullopt);
}

TEST(Cadence, UndatedAndDuplicateDatesDoNotCount) {
  FeedDocument document = posted_at({0, 0, 0, 4});
  document.entries.push_back(Entry{});
  EXPECT_EQ(posting_interval(document), std::nullopt);
}

TEST(Cadence, AdaptsWithinTheLimits) {
  EXPECT_EQ(next_interval(poll(), {}), 30min) << "the configured interval while the rate is unknown";
  EXPECT_EQ(next_interval(poll(), {adapted_interval(4h), 0s, 0s}), 1h);
  EXPECT_EQ(next_interval(poll(), {adapted_interval(4min), 0s, 0s}), 5min) << "never below min_interval";
  EXPECT_EQ(next_interval(poll(), {adapted_interval(1000h), 0s, 0s}), 24h) << "never above max_interval";
}

TEST(Cadence, TtlAndFreshnessAreRespectedWhenLonger) {
  EXPECT_EQ(next_interval(poll(), {std::nullopt, 2h, 0s}), 2h);
  EXPECT_EQ(next_interval(poll(), {std::nullopt, 0s, 45min}), 45min);
  EXPECT_EQ(next_interval(poll(), {std::nullopt, 10min, 1min}), 30min) << "shorter ones change nothing";
  EXPECT_EQ(next_interval(poll(), {std::nullopt, 48h, 0s}), 24h);
}

TEST(Cadence, ReadsRssTtl) {
  const FeedDocument document = parse_ok("<rss version=\"2.0\"><channel><ttl>90</ttl></channel></rss>");
  EXPECT_EQ(document.feed.ttl, std::chrono::minutes(90));
}

}  // namespace
}  // namespace sluice::feeds
