#include "feeds/dates.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <functional>
#include <random>
#include <string>
#include <vector>

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
                    DateCase{"", "null"},
                    // The obsolete syntax: comments, three-digit years, military zones.
                    DateCase{"Tue, 10 Jun 2003 04:00:00 -0700 (PDT)", "2003-06-10T11:00:00Z"},
                    DateCase{"10 Jun 103 04:00:00 GMT", "2003-06-10T04:00:00Z"},
                    DateCase{"Thu, 01 Jan 04 19:48:21 GMT", "2004-01-01T19:48:21Z"},
                    DateCase{"Thu, 01 Jan 95 19:48:21 GMT", "1995-01-01T19:48:21Z"},
                    DateCase{"Thu, 01 Jan 0100 00:00:01 +0100", "0099-12-31T23:00:01Z"},
                    DateCase{"Mon, 13 Feb, 2012 06:28:00 UTC", "2012-02-13T06:28:00Z"},
                    DateCase{"Thu, 01 Jan 2004", "2004-01-01T00:00:00Z"},
                    DateCase{"Thu Aug 30 2012 17:26:16 +0200", "2012-08-30T15:26:16Z"},
                    DateCase{"Sun, 16 Dec 2012 1:2:3:4 GMT", "null"},
                    DateCase{"Sun, Dec x 2012 11:47:32 GMT", "null"},
                    DateCase{"Sun, 99 Jun 2009 12:00:00 GMT", "null"},
                    DateCase{"Sun, 16 Dec 2012 11:47:32 +00:zz", "null"},
                    DateCase{"Thu, 01 Jan 2004 19:48:21 GMT trailing words", "null"},
                    // HTTP's three forms, asctime with a zone before the year, JavaScript's toString.
                    DateCase{"Sunday, 06-Nov-94 08:49:37 GMT", "1994-11-06T08:49:37Z"},
                    DateCase{"Thu Jul 15 01:16:00 +0000 2004", "2004-07-15T01:16:00Z"},
                    DateCase{"Thu Jul 15 01:16:00 PDT 2004", "2004-07-15T08:16:00Z"},
                    DateCase{"Sun Nov 06 1994 08:49:37 GMT+0100 (Central European Standard Time)", "1994-11-06T07:49:37Z"},
                    DateCase{"June 5, 2004 3:45 PM", "2004-06-05T15:45:00Z"},
                    DateCase{"June 5, 2004 12:10 am EST", "2004-06-05T05:10:00Z"}));

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
                    DateCase{"2025-02-10T14:30:00XYZ", "null"},
                    DateCase{"2013-01-27-01", "null"},
                    DateCase{"2013-01-28T09:00:00-01:xx", "null"},
                    DateCase{"2003-12-31T10:14:55 EST", "2003-12-31T15:14:55Z"},
                    DateCase{"2003-12-31T24:00:00Z", "2004-01-01T00:00:00Z"},
                    DateCase{"2003-12-31T24:00:01Z", "null"}));

INSTANTIATE_TEST_SUITE_P(
    Iso8601, Dates,
    testing::Values(DateCase{"20040105T153000Z", "2004-01-05T15:30:00Z"}, DateCase{"20040105", "2004-01-05T00:00:00Z"},
                    DateCase{"2004-035", "2004-02-04T00:00:00Z"}, DateCase{"-03-12", "2003-12-01T00:00:00Z"},
                    DateCase{"2004-400", "null"},
                    // Reduced precision, two-digit years (this century), ordinal and week dates.
                    DateCase{"-0312", "2003-12-01T00:00:00Z"}, DateCase{"031231", "2003-12-31T00:00:00Z"},
                    DateCase{"03-12-31", "2003-12-31T00:00:00Z"}, DateCase{"03335", "2003-12-01T00:00:00Z"},
                    DateCase{"2003335", "2003-12-01T00:00:00Z"}, DateCase{"2003-012-31T10:14:55+00:00", "2003-12-31T10:14:55Z"},
                    DateCase{"2009-W01-1", "2008-12-29T00:00:00Z"}, DateCase{"2009W011", "2008-12-29T00:00:00Z"},
                    DateCase{"2009-W53-7", "2010-01-03T00:00:00Z"}, DateCase{"2009-W53", "2009-12-28T00:00:00Z"},
                    DateCase{"2010-W53-1", "null"}, DateCase{"2004-366", "2004-12-31T00:00:00Z"},
                    DateCase{"2003-366", "null"},
                    // Times: basic, reduced, fractions of the last part, one-digit hours.
                    DateCase{"20040105T1530+0100", "2004-01-05T14:30:00Z"},
                    DateCase{"2004-01-05T15:30.5Z", "2004-01-05T15:30:30Z"},
                    DateCase{"2004-01-05T15,25Z", "2004-01-05T15:15:00Z"},
                    DateCase{"2004-01-05T15:30:00,999-05", "2004-01-05T20:30:00Z"},
                    DateCase{"2004-01-05T9:15-5:00", "2004-01-05T14:15:00Z"},
                    DateCase{"2004-01-05T15:30:00.", "null"}, DateCase{"22013x", "null"}, DateCase{"013", "null"}));

INSTANTIATE_TEST_SUITE_P(
    Localized, Dates,
    testing::Values(DateCase{"Κυρ, 11 Ιούλ 2004 12:00:00 EST", "2004-07-11T17:00:00Z"},
                    DateCase{"2004년 05월 28일  01:31:15", "2004-05-27T16:31:15Z"},
                    DateCase{"2004-05-25 오후 11:23:17", "2004-05-25T14:23:17Z"},
                    DateCase{"2004-július-13T9:15-05:00", "2004-07-13T14:15:00Z"},
                    DateCase{"Fri, 2006/09/15 08:19:53 EDT", "2006-09-15T12:19:53Z"}));

// Instants formatted in every supported form, read back: the same instant, to the second.
struct Written {
  std::string text;
  Timestamp instant;
};

std::string two(int value) {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "%02d", value);
  return buffer;
}

std::string offset_text(int minutes, bool colon) {
  const int magnitude = minutes < 0 ? -minutes : minutes;
  return std::string(minutes < 0 ? "-" : "+") + two(magnitude / 60) + (colon ? ":" : "") + two(magnitude % 60);
}

TEST(Dates, EveryFormReadsBackTheInstantItWasWrittenFrom) {
  using namespace std::chrono;
  static constexpr const char* kMonthAbbr[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  static constexpr const char* kMonthFull[] = {"January", "February", "March",     "April",   "May",      "June",
                                               "July",    "August",   "September", "October", "November", "December"};
  static constexpr const char* kDayAbbr[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kDayFull[] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
  std::mt19937_64 random(20261203);
  // 1990-01-01 .. 2089-12-31: two-digit years mean the same century in every form.
  const auto first = sys_days(year(1990) / 1 / 1), last = sys_days(year(2089) / 12 / 31);
  std::uniform_int_distribution<std::int64_t> when(first.time_since_epoch().count() * 86400,
                                                   last.time_since_epoch().count() * 86400 + 86399);
  std::uniform_int_distribution<int> zone(-14 * 4, 14 * 4);  // quarter hours
  int checked = 0;
  for (int round = 0; round < 500; ++round) {
    const Timestamp instant{seconds(when(random))};
    const int offset = zone(random) * 15;
    const auto local = instant + minutes(offset);
    const sys_days day = floor<days>(local);
    const year_month_day ymd(day);
    const hh_mm_ss clock(local - day);
    const int y = static_cast<int>(ymd.year()), mo = static_cast<int>(static_cast<unsigned>(ymd.month())),
              d = static_cast<int>(static_cast<unsigned>(ymd.day()));
    const int h = static_cast<int>(clock.hours().count()), mi = static_cast<int>(clock.minutes().count()),
              s = static_cast<int>(clock.seconds().count());
    const int week_day = static_cast<int>(std::chrono::weekday(day).c_encoding());  // 0 Sunday
    const int ordinal = static_cast<int>((day - sys_days(ymd.year() / 1 / 1)).count()) + 1;
    // The ISO week: the Thursday of the date's week decides its year.
    const sys_days thursday = day + days(3 - (week_day + 6) % 7);
    const int week_year = static_cast<int>(year_month_day(thursday).year());
    const int week = static_cast<int>((thursday - sys_days(year(week_year) / 1 / 1)).count()) / 7 + 1;
    const int iso_weekday = (week_day + 6) % 7 + 1;
    const std::string Y = std::to_string(y), M = two(mo), D = two(d), H = two(h), MI = two(mi), S = two(s);
    const std::string yy = two(y % 100);
    char ordinal_text[16], padded_day[16], week_text[16];
    std::snprintf(ordinal_text, sizeof ordinal_text, "%03d", ordinal);
    std::snprintf(padded_day, sizeof padded_day, "%2d", d);
    std::snprintf(week_text, sizeof week_text, "W%02d", week);
    const std::string mon = kMonthAbbr[mo - 1];
    const int hour12 = h % 12 == 0 ? 12 : h % 12;
    const std::vector<std::string> forms{
        Y + "-" + M + "-" + D + "T" + H + ":" + MI + ":" + S + offset_text(offset, true),
        Y + "-" + M + "-" + D + "t" + H + ":" + MI + ":" + S + ".250" + offset_text(offset, false),
        Y + M + D + "T" + H + MI + S + offset_text(offset, false),
        Y + "-" + ordinal_text + "T" + H + ":" + MI + ":" + S + offset_text(offset, true),
        Y + ordinal_text + "T" + H + MI + S + offset_text(offset, false),
        std::to_string(week_year) + "-" + week_text + "-" + std::to_string(iso_weekday) + "T" + H + ":" + MI + ":" + S +
            offset_text(offset, true),
        std::to_string(week_year) + week_text + std::to_string(iso_weekday) + "T" + H + MI + S + offset_text(offset, false),
        Y + "-" + M + "-" + D + " " + H + ":" + MI + ":" + S + " " + offset_text(offset, true),
        std::string(kDayAbbr[week_day]) + ", " + D + " " + mon + " " + Y + " " + H + ":" + MI + ":" + S + " " +
            offset_text(offset, false),
        D + " " + mon + " " + yy + " " + H + ":" + MI + ":" + S + " " + offset_text(offset, false) + " (comment)",
        std::string(kDayFull[week_day]) + ", " + D + "-" + mon + "-" + yy + " " + H + ":" + MI + ":" + S + " GMT" +
            offset_text(offset, true),
        std::string(kDayAbbr[week_day]) + " " + mon + " " + padded_day + " " + H + ":" + MI + ":" + S + " " +
            offset_text(offset, false) + " " + Y,
        std::string(kDayAbbr[week_day]) + " " + mon + " " + D + " " + Y + " " + H + ":" + MI + ":" + S + " GMT" +
            offset_text(offset, false) + " (Local Time)",
        std::string(kMonthFull[mo - 1]) + " " + std::to_string(d) + ", " + Y + " " + std::to_string(hour12) + ":" + MI +
            ":" + S + (h < 12 ? " AM " : " PM ") + offset_text(offset, false),
        Y + "/" + M + "/" + D + " " + H + ":" + MI + ":" + S + " " + offset_text(offset, true),
    };
    for (const std::string& text : forms) {
      const auto read = parse_date(text);
      ASSERT_TRUE(read) << text;
      EXPECT_EQ(format_rfc3339(*read), format_rfc3339(instant)) << text;
      ++checked;
    }
    // Without a time, the day itself.
    for (const std::string& text : {Y + "-" + M + "-" + D, Y + M + D, D + " " + mon + " " + Y}) {
      const auto read = parse_date(text);
      ASSERT_TRUE(read) << text;
      EXPECT_EQ(*read, Timestamp(day)) << text;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 500 * 18);
}

TEST(Dates, FormatsBeforeTheEpochAndFarAhead) {
  using namespace std::chrono;
  EXPECT_EQ(format_rfc3339(sys_days(year(1969) / 7 / 20) + hours(20) + minutes(17)), "1969-07-20T20:17:00Z");
  EXPECT_EQ(format_rfc3339(sys_days(year(2100) / 1 / 1)), "2100-01-01T00:00:00Z");
}

}  // namespace
}  // namespace sluice::feeds
