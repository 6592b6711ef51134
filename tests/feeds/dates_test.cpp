#include "feeds/dates.h"

#include <gtest/gtest.h>

namespace sluice::feeds {
namespace {

struct DateCase {
  const char* input;
  const char* expected;  // RFC 3339 UTC, or "null"
};

void PrintTo(const DateCase& date, std::ostream* out) { *out << '"' << date.input << '"'; }

class Dates : public testing::TestWithParam<DateCase> {};

TEST_P(Dates, ParseToUtc) {
  const auto time = parse_date(GetParam().input);
  EXPECT_EQ(time ? format_rfc3339(*time) : "null", GetParam().expected) << GetParam().input;
}

INSTANTIATE_TEST_SUITE_P(
    Rfc822, Dates,
    testing::Values(DateCase{"Mon, 10 Feb 2025 14:30:00 GMT", "2025-02-10T14:30:00Z"},
                    DateCase{"Mon, 10 Feb 2025 14:30:00 +0100", "2025-02-10T13:30:00Z"},
                    DateCase{"Mon, 10 Feb 2025 14:30:00 -05:30", "2025-02-10T20:00:00Z"},
                    DateCase{"Mon, 10 Feb 2025 14:30 EST", "2025-02-10T19:30:00Z"},
                    DateCase{"10 Feb 2025 14:30:00 PDT", "2025-02-10T21:30:00Z"},
                    DateCase{"Sun, 10 Feb 2025 14:30:00 CEST", "2025-02-10T12:30:00Z"},
                    DateCase{"Mon,10 Feb 25 14:30:00 UT", "2025-02-10T14:30:00Z"},
                    DateCase{"Thu, 01 Jan 98 00:00:00 Z", "1998-01-01T00:00:00Z"},
                    DateCase{"Monday, 10 February 2025  14:30:00 GMT", "2025-02-10T14:30:00Z"},
                    DateCase{"Feb 10 2025 14:30:00 GMT", "2025-02-10T14:30:00Z"},
                    DateCase{"10 Feb 2025", "2025-02-10T00:00:00Z"},
                    DateCase{"Mon, 10 Feb 2025 14:30:00 XYZ", "2025-02-10T14:30:00Z"},
                    DateCase{"Mon, 31 Feb 2025 14:30:00 GMT", "null"},
                    DateCase{"Mon, 10 Foo 2025 14:30:00 GMT", "null"},
                    DateCase{"yesterday", "null"},
                    DateCase{"", "null"}));

INSTANTIATE_TEST_SUITE_P(
    Rfc3339, Dates,
    testing::Values(DateCase{"2025-02-10T14:30:00Z", "2025-02-10T14:30:00Z"},
                    DateCase{"2025-02-10T14:30:00.123456Z", "2025-02-10T14:30:00Z"},
                    DateCase{"2025-02-10T14:30:00+02:00", "2025-02-10T12:30:00Z"},
                    DateCase{"2025-02-10t14:30:00-0100", "2025-02-10T15:30:00Z"},
                    DateCase{"2025-02-10 14:30:00", "2025-02-10T14:30:00Z"},
                    DateCase{"2025-02-10T14:30Z", "2025-02-10T14:30:00Z"},
                    DateCase{"2025-02-10", "2025-02-10T00:00:00Z"},
                    DateCase{"2025-02", "2025-02-01T00:00:00Z"},
                    DateCase{"  2025-02-10T00:00:00Z \n", "2025-02-10T00:00:00Z"},
                    DateCase{"2024-12-31T23:59:60Z", "2024-12-31T23:59:59Z"},
                    DateCase{"2025-13-01T00:00:00Z", "null"},
                    DateCase{"2025-02-10T25:00:00Z", "null"},
                    DateCase{"2025-02-10T14:30:00+99:00", "null"}));

TEST(Dates, FormatsBeforeTheEpochAndFarAhead) {
  using namespace std::chrono;
  EXPECT_EQ(format_rfc3339(sys_days(year(1969) / 7 / 20) + hours(20) + minutes(17)), "1969-07-20T20:17:00Z");
  EXPECT_EQ(format_rfc3339(sys_days(year(2100) / 1 / 1)), "2100-01-01T00:00:00Z");
}

}  // namespace
}  // namespace sluice::feeds
