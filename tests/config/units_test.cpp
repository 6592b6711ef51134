#include "config/units.h"

#include <gtest/gtest.h>

namespace sluice::config {
namespace {

using namespace std::chrono_literals;

TEST(Units, ParsesDurations) {
  EXPECT_EQ(parse_duration("90s"), 90s);
  EXPECT_EQ(parse_duration("5m"), 5min);
  EXPECT_EQ(parse_duration("2h"), 2h);
  EXPECT_EQ(parse_duration("7d"), 7 * 24h);
  EXPECT_EQ(parse_duration("1h30m"), 90min);
  EXPECT_EQ(parse_duration("250ms"), 250ms);
  EXPECT_EQ(parse_duration("0s"), 0s);
}

TEST(Units, RejectsMalformedDurations) {
  for (const char* bad : {"", "5", "m", "5 m", "5min", "-5s", "1.5h", "5s ", "99999999999999999999s", "1y"})
    EXPECT_FALSE(parse_duration(bad)) << bad;
}

TEST(Units, ParsesSizes) {
  EXPECT_EQ(parse_size("512"), 512U);
  EXPECT_EQ(parse_size("512B"), 512U);
  EXPECT_EQ(parse_size("512KiB"), 512U * 1024U);
  EXPECT_EQ(parse_size("15MiB"), 15U * 1024U * 1024U);
  EXPECT_EQ(parse_size("2GiB"), 2ULL << 30);
  EXPECT_EQ(parse_size("2MB"), 2'000'000U);
  EXPECT_EQ(parse_size("1KB"), 1000U);
}

TEST(Units, RejectsMalformedSizes) {
  for (const char* bad : {"", "MiB", "15 MiB", "15mib", "1.5MiB", "-1", "99999999999999999999", "20000000000GiB"})
    EXPECT_FALSE(parse_size(bad)) << bad;
}

TEST(Units, FormatsExactly) {
  EXPECT_EQ(format_duration(90s), "1m30s");
  EXPECT_EQ(format_duration(24h), "1d");
  EXPECT_EQ(format_duration(1500ms), "1s500ms");
  EXPECT_EQ(format_duration(0ms), "0s");
  EXPECT_EQ(format_size(15ULL << 20), "15MiB");
  EXPECT_EQ(format_size(1000), "1000B");
  for (const std::chrono::milliseconds value : {1ms, 59000ms, 3660000ms, 176400000ms}) EXPECT_EQ(parse_duration(format_duration(value)), value);
}

}  // namespace
}  // namespace sluice::config
