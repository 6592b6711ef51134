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
                    DateCase{"Wed, 19 Feb 2012 22:40:00 GMT-01:01", "2012-02-19T23:41:00Z"},
                    DateCase{"Wed, 19 Aug 2009 18:28:00 Etc/GMT", "2009-08-19T18:28:00Z"},
                    DateCase{"Mon, 26 January 2004 16:31:00 PT", "2004-01-27T00:31:00Z"},
                    DateCase{"Sun, 16 Dec 2012 11:47:32 +zz:00", "null"},
                    DateCase{"Sun Jan  4 16:29:06 2004", "2004-01-04T16:29:06Z"},
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
                    DateCase{"2025-02-10T14:30:00+99:00", "null"},
                    DateCase{"2004-07-08 23:56:58 -00:20", "2004-07-09T00:16:58Z"},
                    DateCase{"2013-01-28T11:30:00-06:00Textra", "null"},
                    DateCase{"2025-02-10T14:30:00XYZ", "null"}));

INSTANTIATE_TEST_SUITE_P(
    Iso8601, Dates,
    testing::Values(DateCase{"20040105T153000Z", "2004-01-05T15:30:00Z"}, DateCase{"20040105", "2004-01-05T00:00:00Z"},
                    DateCase{"2004-035", "2004-02-04T00:00:00Z"}, DateCase{"-03-12", "2003-12-01T00:00:00Z"},
                    DateCase{"2004-400", "null"}));

INSTANTIATE_TEST_SUITE_P(
    Localized, Dates,
    testing::Values(DateCase{"Κυρ, 11 Ιούλ 2004 12:00:00 EST", "2004-07-11T17:00:00Z"},
                    DateCase{"2004년 05월 28일  01:31:15", "2004-05-27T16:31:15Z"},
                    DateCase{"2004-05-25 오후 11:23:17", "2004-05-25T14:23:17Z"},
                    DateCase{"2004-július-13T9:15-05:00", "2004-07-13T14:15:00Z"},
                    DateCase{"Fri, 2006/09/15 08:19:53 EDT", "2006-09-15T12:19:53Z"}));

TEST(Dates, FormatsBeforeTheEpochAndFarAhead) {
  using namespace std::chrono;
  EXPECT_EQ(format_rfc3339(sys_days(year(1969) / 7 / 20) + hours(20) + minutes(17)), "1969-07-20T20:17:00Z");
  EXPECT_EQ(format_rfc3339(sys_days(year(2100) / 1 / 1)), "2100-01-01T00:00:00Z");
}

}  // namespace
}  // namespace sluice::feeds
