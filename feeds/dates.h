// Feed dates → UTC, read by two grammars:
//
// - ISO 8601 (RFC 3339, W3C-DTF, Atom, Dublin Core), in full: calendar dates in the extended and
//   basic forms and at reduced precision (YYYY-MM, YYYY), two-digit years (in the current century),
//   ordinal dates (YYYY-DDD, YYYYDDD), week dates (YYYY-Www-D, YYYYWwwD), the truncated forms
//   (-YY-MM, --MM-DD, ---DD, -DDD: the missing parts are today's), times in both forms with a
//   fraction on their last part, 24:00, and zones as Z, ±hh, ±hhmm, ±hh:mm or a zone name; a
//   space may stand for the T. A month may be written as a name ("2004-július-13").
// - The textual dates of RFC 822 / RFC 2822 (RSS, HTTP) with the obsolete syntax (two- and
//   three-digit years, comments, military and North American zone names, no seconds, no time) and
//   their relatives read by the same rules: RFC 850 ("06-Nov-94"), asctime with or without a zone
//   before the year, JavaScript's Date.toString, day and month swapped, full month names,
//   "YYYY/MM/DD" dates, 12-hour clocks (AM/PM, 오전/오후), Greek and Hungarian month and day
//   names, and Korean dates written with 년/월/일 (Korean forms without a zone are in KST).
//
// A string is read whole or not at all: trailing garbage makes it null, never half-read. An
// unknown zone name (a word after the time) is taken as UTC: the date is worth more than a zone
// nobody knows.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "feeds/model.h"

namespace sluice::feeds {

// Parses any supported form; nullopt when the text is not a date sluice can read.
std::optional<Timestamp> parse_date(std::string_view text);

// One grammar each (parse_date tries ISO 8601 first, then the textual one).
std::optional<Timestamp> parse_iso8601(std::string_view text);
std::optional<Timestamp> parse_textual_date(std::string_view text);

// "2025-02-10T14:30:00Z".
std::string format_rfc3339(Timestamp time);

}  // namespace sluice::feeds
