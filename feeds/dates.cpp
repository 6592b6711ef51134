#include "feeds/dates.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

#include "feeds/text.h"

namespace sluice::feeds {
namespace {

using namespace std::chrono;

// ---------------------------------------------------------------------------------------------
// What both grammars share: the calendar, zones, names.

struct CivilDate {
  int year = 0, month = 1, day = 1;
};

struct TimeOfDay {
  int hour = 0, minute = 0, second = 0;
  int extra_seconds = 0;  // a fraction of an hour or a minute, in seconds
};

std::optional<Timestamp> make_time(CivilDate date, TimeOfDay clock, int offset_minutes) {
  const year_month_day ymd{std::chrono::year(date.year), std::chrono::month(static_cast<unsigned>(date.month)),
                           std::chrono::day(static_cast<unsigned>(date.day))};
  if (date.year < 1 || date.year > 9999 || date.month < 1 || date.month > 12 || date.day < 1 || !ymd.ok())
    return std::nullopt;
  if (clock.hour < 0 || clock.hour > 24 || clock.minute < 0 || clock.minute > 59 || clock.second < 0 ||
      clock.second > 60)
    return std::nullopt;
  if (clock.hour == 24 && (clock.minute != 0 || clock.second != 0 || clock.extra_seconds != 0)) return std::nullopt;
  // A leap second is read as the last second of its minute.
  return sys_days(ymd) + hours(clock.hour) + minutes(clock.minute) + seconds(std::min(clock.second, 59)) +
         seconds(clock.extra_seconds) - minutes(offset_minutes);
}

CivilDate today() {
  const year_month_day now(floor<days>(system_clock::now()));
  return {static_cast<int>(now.year()), static_cast<int>(static_cast<unsigned>(now.month())),
          static_cast<int>(static_cast<unsigned>(now.day()))};
}

bool leap(int year) { return std::chrono::year(year).is_leap(); }

std::optional<CivilDate> from_ordinal(int year, int day_of_year) {
  if (year < 1 || day_of_year < 1 || day_of_year > (leap(year) ? 366 : 365)) return std::nullopt;
  const year_month_day ymd(sys_days(std::chrono::year(year) / 1 / 1) + days(day_of_year - 1));
  return CivilDate{year, static_cast<int>(static_cast<unsigned>(ymd.month())), static_cast<int>(static_cast<unsigned>(ymd.day()))};
}

// ISO 8601 week dates: week 1 holds the year's first Thursday; weeks start on Monday (day 1).
std::optional<CivilDate> from_week(int year, int week, int weekday) {
  if (year < 1 || week < 1 || week > 53 || weekday < 1 || weekday > 7) return std::nullopt;
  const auto week1 = [](int of_year) {
    const sys_days january4 = sys_days(std::chrono::year(of_year) / 1 / 4);
    return january4 - (std::chrono::weekday(january4) - Monday);
  };
  const sys_days date = week1(year) + days((week - 1) * 7 + weekday - 1);
  if (week == 53 && date >= week1(year + 1)) return std::nullopt;  // a year of 52 weeks
  const year_month_day ymd(date);
  return CivilDate{static_cast<int>(ymd.year()), static_cast<int>(static_cast<unsigned>(ymd.month())),
               static_cast<int>(static_cast<unsigned>(ymd.day()))};
}

struct Zone {
  std::string_view name;
  int minutes;
};

// Zone names as feeds write them: RFC 822's (UT, GMT, the North American ones, the military
// letters with RFC 822's signs, which feed parsers keep), the generic US ones (ET, PT, ...), and
// the European and a few Asian and Pacific ones in common use.
constexpr std::array<Zone, 61> kZones{{
    {"gmt", 0},        {"ut", 0},         {"utc", 0},        {"z", 0},          {"wet", 0},
    {"bst", 60},       {"cet", 60},       {"met", 60},       {"west", 60},      {"cest", 120},
    {"mest", 120},     {"eet", 120},      {"eest", 180},     {"msk", 180},      {"est", -300},
    {"edt", -240},     {"et", -300},      {"cst", -360},     {"cdt", -300},     {"ct", -360},
    {"mst", -420},     {"mdt", -360},     {"mt", -420},      {"pst", -480},     {"pdt", -420},
    {"pt", -480},      {"ast", -240},     {"adt", -180},     {"at", -240},      {"akst", -540},
    {"akdt", -480},    {"hst", -600},     {"jst", 540},      {"kst", 540},      {"nzst", 720},
    {"nzdt", 780},     {"a", -60},        {"b", -120},       {"c", -180},       {"d", -240},
    {"e", -300},       {"f", -360},       {"g", -420},       {"h", -480},       {"i", -540},
    {"k", -600},       {"l", -660},       {"m", -720},       {"n", 60},         {"o", 120},
    {"p", 180},        {"q", 240},        {"r", 300},        {"s", 360},        {"t", 420},
    {"u", 480},        {"v", 540},        {"w", 600},        {"x", 660},        {"y", 720},
    {"aest", 600},
}};

std::optional<int> named_zone(std::string_view lower) {
  for (const Zone& zone : kZones)
    if (zone.name == lower) return zone.minutes;
  return std::nullopt;
}

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); });
}

// "+01", "+1", "+0100", "+100", "+01:00", "+1:00": the offset in minutes; nullopt when malformed.
std::optional<int> numeric_offset(std::string_view text) {
  if (text.size() < 2 || (text[0] != '+' && text[0] != '-')) return std::nullopt;
  const int sign = text[0] == '-' ? -1 : 1;
  std::string_view rest = text.substr(1);
  std::string_view hh = rest, mm;
  if (const std::size_t colon = rest.find(':'); colon != std::string_view::npos) {
    hh = rest.substr(0, colon);
    mm = rest.substr(colon + 1);
    if (mm.size() != 2) return std::nullopt;
  } else if (rest.size() == 4 || rest.size() == 3) {
    hh = rest.substr(0, rest.size() - 2);
    mm = rest.substr(rest.size() - 2);
  }
  if (hh.empty() || hh.size() > 2 || !all_digits(hh) || (!mm.empty() && !all_digits(mm))) return std::nullopt;
  const int hours_part = *parse_integer<int>(hh);
  const int minutes_part = mm.empty() ? 0 : *parse_integer<int>(mm);
  if (hours_part > 23 || minutes_part > 59) return std::nullopt;
  return sign * (hours_part * 60 + minutes_part);
}

// A zone word or offset in any form: "Z", "+0100", "GMT", "GMT-01:01", "UTC+5", "Etc/GMT".
// Unknown words are nullopt here; the textual grammar decides what to make of them.
std::optional<int> zone_offset(std::string_view token) {
  std::string lower = ascii_lower(token);
  if (lower.starts_with("etc/")) lower.erase(0, 4);
  for (std::string_view prefix : {"gmt", "utc", "ut"})
    if (lower.size() > prefix.size() && lower.starts_with(prefix) &&
        (lower[prefix.size()] == '+' || lower[prefix.size()] == '-')) {
      lower.erase(0, prefix.size());
      break;
    }
  if (!lower.empty() && (lower[0] == '+' || lower[0] == '-')) return numeric_offset(lower);
  return named_zone(lower);
}

constexpr std::array<std::string_view, 12> kMonthNames{"january", "february", "march",     "april",
                                                       "may",     "june",     "july",      "august",
                                                       "september", "october", "november", "december"};
constexpr std::array<std::string_view, 7> kDayNames{"monday", "tuesday", "wednesday", "thursday",
                                                   "friday", "saturday", "sunday"};

struct Word {
  std::string_view word;
  int value;  // month 1-12, or 0 for a day name
};

// Greek (with and without accents) and Hungarian month names, and Greek day names, as feeds in
// those languages write them.
constexpr std::array<Word, 43> kLocalizedWords{{
    {"Ιαν", 1},       {"Φεβ", 2},        {"Μάρ", 3},         {"Μαρ", 3},      {"Μάώ", 3},        {"Μαώ", 3},
    {"Απρ", 4},       {"Μάι", 5},        {"Μαϊ", 5},         {"Μαι", 5},      {"Ιούν", 6},       {"Ιον", 6},
    {"Ιουν", 6},      {"Ιούλ", 7},       {"Ιολ", 7},         {"Ιουλ", 7},     {"Αύγ", 8},        {"Αυγ", 8},
    {"Σεπ", 9},       {"Οκτ", 10},       {"Νοέ", 11},        {"Νοε", 11},     {"Δεκ", 12},       {"Κυρ", 0},
    {"Δευ", 0},       {"Τρι", 0},        {"Τετ", 0},         {"Πεμ", 0},      {"Πέμ", 0},        {"Παρ", 0},
    {"Σαβ", 0},
    {"január", 1},    {"február", 2},    {"március", 3},     {"április", 4},  {"május", 5},      {"június", 6},
    {"július", 7},    {"augusztus", 8},  {"szeptember", 9},  {"október", 10}, {"november", 11},  {"december", 12},
}};

// A month name: English (three letters or more of the name, an optional final '.'), or a
// localized one. nullopt for anything else.
std::optional<int> month_of(std::string_view word) {
  if (word.ends_with('.')) word.remove_suffix(1);
  for (const Word& localized : kLocalizedWords)
    if (localized.value > 0 && localized.word == word) return localized.value;
  if (word.size() < 3) return std::nullopt;
  const std::string lower = ascii_lower(word);
  if (lower == "sept") return 9;
  for (std::size_t i = 0; i < kMonthNames.size(); ++i)
    if (kMonthNames[i].starts_with(lower)) return static_cast<int>(i) + 1;
  return std::nullopt;
}

bool is_day_name(std::string_view word) {
  if (word.ends_with('.')) word.remove_suffix(1);
  for (const Word& localized : kLocalizedWords)
    if (localized.value == 0 && localized.word == word) return true;
  if (word.size() < 3) return false;
  // "mon", "monday", "tues", "thurs": three letters or more of a day's name.
  const std::string lower = ascii_lower(word);
  return std::any_of(kDayNames.begin(), kDayNames.end(), [&](std::string_view day) { return day.starts_with(lower); });
}

// ---------------------------------------------------------------------------------------------
// ISO 8601.

class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}

  bool done() const { return at_ == text_.size(); }
  char peek(std::size_t ahead = 0) const { return at_ + ahead < text_.size() ? text_[at_ + ahead] : '\0'; }
  std::size_t digits_ahead() const {
    std::size_t n = 0;
    while (at_ + n < text_.size() && std::isdigit(static_cast<unsigned char>(text_[at_ + n]))) ++n;
    return n;
  }
  bool take(char c) {
    if (peek() != c) return false;
    ++at_;
    return true;
  }
  int number(std::size_t count) {  // call only after digits_ahead() >= count
    const int value = *parse_integer<int>(text_.substr(at_, count));
    at_ += count;
    return value;
  }
  std::string_view letters() {
    const std::size_t start = at_;
    while (at_ < text_.size() && (std::isalpha(static_cast<unsigned char>(text_[at_])) ||
                                  static_cast<unsigned char>(text_[at_]) >= 0x80))
      ++at_;
    return text_.substr(start, at_ - start);
  }
  std::string_view rest() const { return text_.substr(at_); }
  void skip_spaces() {
    while (peek() == ' ') ++at_;
  }

 private:
  std::string_view text_;
  std::size_t at_ = 0;
};

int current_century_year(int two_digits) { return today().year / 100 * 100 + two_digits; }

// The truncated forms (ISO 8601:2000), after their first '-': the parts left out are today's.
std::optional<CivilDate> truncated_date(Cursor& in) {
  const CivilDate now = today();
  if (in.take('-')) {
    if (in.take('-')) {  // ---DD
      if (in.digits_ahead() != 2) return std::nullopt;
      return CivilDate{now.year, now.month, in.number(2)};
    }
    if (in.digits_ahead() == 4) {  // --MMDD
      const int month = in.number(2);
      return CivilDate{now.year, month, in.number(2)};
    }
    if (in.digits_ahead() != 2) return std::nullopt;  // --MM, --MM-DD
    const int month = in.number(2);
    if (!in.take('-')) return CivilDate{now.year, month, 1};
    if (in.digits_ahead() != 2) return std::nullopt;
    return CivilDate{now.year, month, in.number(2)};
  }
  switch (in.digits_ahead()) {
    case 3:  // -DDD
      return from_ordinal(now.year, in.number(3));
    case 4: {  // -YYMM
      const int year = current_century_year(in.number(2));
      return CivilDate{year, in.number(2), 1};
    }
    case 2: {  // -YY, -YY-MM
      const int year = current_century_year(in.number(2));
      if (!in.take('-')) return CivilDate{year, 1, 1};
      if (in.digits_ahead() != 2) return std::nullopt;
      return CivilDate{year, in.number(2), 1};
    }
    default:
      return std::nullopt;
  }
}

// After a four-digit year: -MM-DD, -MM, -DDD, -0MM-DD, -Www-D, -Www, Www(D), a month name, or
// nothing. full is cleared for the forms that do not name a day.
std::optional<CivilDate> after_year(Cursor& in, int year, bool& full) {
  const auto week = [&](bool extended) -> std::optional<CivilDate> {
    if (in.digits_ahead() < 2) return std::nullopt;
    const int number = in.number(2);
    if (extended ? in.take('-') : in.digits_ahead() == 1) {
      if (in.digits_ahead() != 1) return std::nullopt;
      return from_week(year, number, in.number(1));
    }
    full = false;
    return from_week(year, number, 1);
  };
  if (in.take('W')) return week(false);  // YYYYWww, YYYYWwwD
  if (!in.take('-')) {  // YYYY
    full = false;
    return CivilDate{year, 1, 1};
  }
  if (in.take('W')) return week(true);  // YYYY-Www, YYYY-Www-D
  int month = 0;
  if (in.digits_ahead() == 3 && in.peek() == '0' && in.peek(3) == '-') {
    in.number(1);  // YYYY-0MM-DD: a month written with three digits
    month = in.number(2);
  } else if (in.digits_ahead() == 3) {  // YYYY-DDD
    return from_ordinal(year, in.number(3));
  } else if (in.digits_ahead() == 2) {
    month = in.number(2);
  } else if (const std::string_view name = in.letters(); !name.empty()) {  // YYYY-<month name>-DD
    const auto named = month_of(name);
    if (!named || !in.take('-') || in.digits_ahead() < 1 || in.digits_ahead() > 2) return std::nullopt;
    return CivilDate{year, *named, in.number(in.digits_ahead())};
  } else {
    return std::nullopt;
  }
  if (!in.take('-')) {  // YYYY-MM
    full = false;
    return CivilDate{year, month, 1};
  }
  if (in.digits_ahead() != 2) return std::nullopt;
  return CivilDate{year, month, in.number(2)};
}

// The date part. full is set when the date names a day (a time may follow).
std::optional<CivilDate> iso_date(Cursor& in, bool& full) {
  full = false;
  if (in.take('-')) return truncated_date(in);
  full = true;
  switch (in.digits_ahead()) {
    case 8: {  // YYYYMMDD
      const int year = in.number(4), month = in.number(2);
      return CivilDate{year, month, in.number(2)};
    }
    case 7: {  // YYYYDDD
      const int year = in.number(4);
      return from_ordinal(year, in.number(3));
    }
    case 6: {  // YYMMDD
      const int year = current_century_year(in.number(2)), month = in.number(2);
      return CivilDate{year, month, in.number(2)};
    }
    case 5: {  // YYDDD
      const int year = current_century_year(in.number(2));
      return from_ordinal(year, in.number(3));
    }
    case 4:
      return after_year(in, in.number(4), full);
    case 2: {  // YY-MM-DD, YY-DDD, or CC (a century: its first year, as feed parsers read it)
      const int two = in.number(2);
      if (in.done()) {
        full = false;
        return CivilDate{(two - 1) * 100 + 1, 1, 1};
      }
      if (!in.take('-')) return std::nullopt;
      const int year = current_century_year(two);
      if (in.digits_ahead() == 3) return from_ordinal(year, in.number(3));
      if (in.digits_ahead() != 2) return std::nullopt;
      const int month = in.number(2);
      if (!in.take('-') || in.digits_ahead() != 2) return std::nullopt;
      return CivilDate{year, month, in.number(2)};
    }
    default:
      return std::nullopt;
  }
}

// A fraction (after '.' or ','): its value times unit_seconds, truncated to whole seconds.
int fraction_seconds(Cursor& in, int unit_seconds) {
  if (!(in.take('.') || in.take(','))) return 0;
  const std::size_t count = in.digits_ahead();
  if (count == 0) return -1;
  double value = 0, scale = 0.1;
  for (std::size_t i = 0; i < count; ++i, scale /= 10) value += (in.number(1)) * scale;
  return static_cast<int>(value * unit_seconds);
}

// hh:mm[:ss][.f], hhmm[ss][.f], hh[.f]; the hour may have one digit in the extended form.
std::optional<TimeOfDay> iso_time(Cursor& in) {
  TimeOfDay clock;
  const std::size_t run = in.digits_ahead();
  if (run == 4 || run == 6) {  // basic
    clock.hour = in.number(2);
    clock.minute = in.number(2);
    if (run == 4) {
      clock.extra_seconds = fraction_seconds(in, 60);
      return clock.extra_seconds < 0 ? std::nullopt : std::optional(clock);
    }
    clock.second = in.number(2);
  } else if (run == 1 || run == 2) {
    clock.hour = in.number(run);
    if (in.take(':')) {
      if (in.digits_ahead() != 2) return std::nullopt;
      clock.minute = in.number(2);
      if (in.take(':')) {
        if (in.digits_ahead() != 2) return std::nullopt;
        clock.second = in.number(2);
      } else {
        clock.extra_seconds = fraction_seconds(in, 60);
        return clock.extra_seconds < 0 ? std::nullopt : std::optional(clock);
      }
    } else {
      if (run == 1) return std::nullopt;
      clock.extra_seconds = fraction_seconds(in, 3600);
      return clock.extra_seconds < 0 ? std::nullopt : std::optional(clock);
    }
  } else {
    return std::nullopt;
  }
  if (fraction_seconds(in, 0) < 0) return std::nullopt;  // fractions of a second are dropped
  return clock;
}

// Z, ±hh, ±hhmm, ±hh:mm (one-digit hours too), or a zone name, to the end of the text.
std::optional<int> iso_zone(Cursor& in) {
  in.skip_spaces();
  if (in.done()) return 0;
  const std::string_view rest = in.rest();
  if (rest == "Z" || rest == "z") return 0;
  if (rest[0] == '+' || rest[0] == '-') return numeric_offset(rest);
  return named_zone(ascii_lower(rest));
}

// ---------------------------------------------------------------------------------------------
// The textual grammar: words classified by their shape, then put together.

struct Textual {
  std::optional<CivilDate> date;    // from a numeric date word: 2006/09/15, 2004-05-25, 06-Nov-94
  std::optional<int> month;     // from a month name
  std::size_t month_position = 0;
  std::vector<std::pair<std::string_view, std::size_t>> numbers;  // plain numbers and their positions
  std::optional<int> korean_year, korean_month, korean_day;
  std::optional<TimeOfDay> clock;
  int meridiem = 0;  // +1 PM, -1 AM, 0 none
  std::optional<int> zone;
  bool zone_unknown = false;  // the zone is a word sluice does not know (read as UTC)
  bool korean = false;
};

int full_year(std::string_view digits) {
  const int value = *parse_integer<int>(digits);
  if (digits.size() == 2) return value + (value < 90 ? 2000 : 1900);  // as feed parsers resolve them
  if (digits.size() == 3) return value + 1900;                        // RFC 2822's obs-year
  return value;
}

// h:m[:s][.f], components of one or two digits, an optional am/pm glued on.
std::optional<TimeOfDay> textual_time(std::string_view word, int& meridiem) {
  std::string lower = ascii_lower(word);
  for (std::string_view suffix : {"am", "pm", "a.m.", "p.m."})
    if (lower.size() > suffix.size() && lower.ends_with(suffix)) {
      meridiem = suffix[0] == 'p' ? 1 : -1;
      lower.resize(lower.size() - suffix.size());
      break;
    }
  std::vector<std::string_view> parts;
  std::string_view rest = lower;
  std::string_view fraction;
  if (const std::size_t dot = rest.find('.'); dot != std::string_view::npos) {
    fraction = rest.substr(dot + 1);
    rest = rest.substr(0, dot);
    if (!all_digits(fraction)) return std::nullopt;
  }
  for (std::size_t at = 0;;) {
    const std::size_t colon = rest.find(':', at);
    parts.push_back(rest.substr(at, colon == std::string_view::npos ? std::string_view::npos : colon - at));
    if (colon == std::string_view::npos) break;
    at = colon + 1;
  }
  if (parts.size() < 2 || parts.size() > 3) return std::nullopt;
  for (std::string_view part : parts)
    if (part.empty() || part.size() > 2 || !all_digits(part)) return std::nullopt;
  TimeOfDay clock;
  clock.hour = *parse_integer<int>(parts[0]);
  clock.minute = *parse_integer<int>(parts[1]);
  if (parts.size() == 3) clock.second = *parse_integer<int>(parts[2]);
  return clock;
}

// "2006/09/15", "2004-05-25", "15/09/2006" is not read (day-first or month-first is a guess);
// "06-Nov-94", "6-November-1994" (RFC 850).
std::optional<CivilDate> numeric_date(std::string_view word) {
  for (const char separator : {'/', '-'}) {
    const std::size_t first = word.find(separator);
    if (first == std::string_view::npos) continue;
    const std::size_t second = word.find(separator, first + 1);
    if (second == std::string_view::npos || word.find(separator, second + 1) != std::string_view::npos) continue;
    const std::string_view a = word.substr(0, first), b = word.substr(first + 1, second - first - 1),
                           c = word.substr(second + 1);
    if (a.size() == 4 && all_digits(a) && b.size() <= 2 && all_digits(b) && c.size() <= 2 && all_digits(c))
      return CivilDate{*parse_integer<int>(a), *parse_integer<int>(b), *parse_integer<int>(c)};
    if (a.size() <= 2 && all_digits(a) && (c.size() == 2 || c.size() == 4) && all_digits(c))
      if (const auto month = month_of(b)) return CivilDate{full_year(c), *month, *parse_integer<int>(a)};
  }
  return std::nullopt;
}

// The words of a textual date, with comments "(...)" and the commas between words dropped.
std::vector<std::string_view> words_of(std::string_view text, bool& unbalanced) {
  std::vector<std::string_view> words;
  int depth = 0;
  std::size_t start = std::string_view::npos;
  unbalanced = false;
  const auto end_word = [&](std::size_t at) {
    if (start != std::string_view::npos) words.push_back(text.substr(start, at - start));
    start = std::string_view::npos;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '(') {
      end_word(i);
      ++depth;
    } else if (c == ')') {
      end_word(i);
      if (--depth < 0) unbalanced = true;
    } else if (depth > 0) {
      continue;
    } else if (std::isspace(static_cast<unsigned char>(c)) || c == ',') {
      end_word(i);
    } else if (start == std::string_view::npos) {
      start = i;
    }
  }
  end_word(text.size());
  if (depth != 0) unbalanced = true;
  return words;
}

// Korean: "2004년", "05월", "28일"; 오전 (AM) and 오후 (PM).
bool korean_word(std::string_view word, Textual& found) {
  static constexpr std::string_view kYear = "년", kMonth = "월", kDay = "일", kAm = "오전", kPm = "오후";
  if (word == kAm || word == kPm) {
    found.meridiem = word == kPm ? 1 : -1;
    found.korean = true;
    return true;
  }
  for (const auto& [suffix, slot] : {std::pair{kYear, &found.korean_year}, std::pair{kMonth, &found.korean_month},
                                     std::pair{kDay, &found.korean_day}}) {
    if (!word.ends_with(suffix)) continue;
    const std::string_view digits = word.substr(0, word.size() - suffix.size());
    if (!all_digits(digits) || digits.size() > 4 || slot->has_value()) return false;
    *slot = *parse_integer<int>(digits);
    found.korean = true;
    return true;
  }
  return false;
}

}  // namespace

std::optional<Timestamp> parse_iso8601(std::string_view text) {
  text = trim_view(text);
  if (text.empty()) return std::nullopt;
  Cursor in(text);
  bool full = false;
  const std::optional<CivilDate> date = iso_date(in, full);
  if (!date) return std::nullopt;
  if (in.done()) return make_time(*date, {}, 0);
  if (!full) return std::nullopt;
  // The time, after a T or a space (W3C-DTF and SQL write either).
  if (!in.take('T') && !in.take('t')) {
    if (in.peek() != ' ') return std::nullopt;
    in.skip_spaces();
  }
  const std::optional<TimeOfDay> clock = iso_time(in);
  if (!clock) return std::nullopt;
  const std::optional<int> zone = iso_zone(in);
  if (!zone) return std::nullopt;
  return make_time(*date, *clock, *zone);
}

namespace {

// One word of a textual date, classified by its shape into found; false when it is no part of a
// date (the whole string is then not one). position: its index; last: whether it ends the text.
bool read_word(std::string_view word, std::size_t position, bool last, Textual& found) {
  const std::string lower = ascii_lower(word);
  if (korean_word(word, found)) return true;
  if (all_digits(word)) {
    if (word.size() > 4) return false;
    found.numbers.emplace_back(word, position);
    return true;
  }
  if (word.find(':') != std::string_view::npos && std::isdigit(static_cast<unsigned char>(word[0]))) {
    if (found.clock) return false;
    found.clock = textual_time(word, found.meridiem);
    return found.clock.has_value();
  }
  if (lower == "am" || lower == "pm" || lower == "a.m." || lower == "p.m.") {
    if (!found.clock || found.meridiem != 0) return false;
    found.meridiem = lower[0] == 'p' ? 1 : -1;
    return true;
  }
  if (const auto date = numeric_date(word)) {
    if (found.date) return false;
    found.date = date;
    return true;
  }
  if (!found.month && !found.clock && !found.zone) {
    if (const auto month = month_of(word)) {
      found.month = month;
      found.month_position = position;
      return true;
    }
  }
  // A zone: an offset or a zone name; "GMT -01:01" is one zone in two words. A zone comes after
  // the time, or ends a date without one.
  const bool zone_place = found.clock.has_value() || last;
  if (const auto offset = zone_offset(word); offset && zone_place) {
    if (found.zone && !(found.zone_unknown || *found.zone == 0)) return false;
    found.zone = found.zone ? *found.zone + *offset : *offset;
    found.zone_unknown = false;
    return true;
  }
  // An unknown zone name: letters only, after the time.
  const bool letters =
      std::all_of(lower.begin(), lower.end(), [](unsigned char c) { return std::isalpha(c) || c == '/' || c == '_'; });
  if (letters && zone_place && found.clock && !found.zone && lower.size() <= 32) {
    found.zone = 0;
    found.zone_unknown = true;
    return true;
  }
  return false;
}

// The day the words name: Korean year/month/day, a numeric date, or a month name with a day and
// a year ("10 Feb 2025", "Feb 10 2025", "Feb 10 14:30:00 2025").
std::optional<CivilDate> day_of(const Textual& found) {
  if (found.korean_year || found.korean_month || found.korean_day) {
    if (!found.korean_year || !found.korean_month || !found.korean_day || found.date || found.month ||
        !found.numbers.empty())
      return std::nullopt;
    return CivilDate{*found.korean_year, *found.korean_month, *found.korean_day};
  }
  if (found.date) {
    if (found.month || !found.numbers.empty()) return std::nullopt;
    return found.date;
  }
  if (!found.month || found.numbers.size() != 2) return std::nullopt;
  const auto [day_word, day_at] = found.numbers[0];
  const auto [year_word, year_at] = found.numbers[1];
  if (day_word.size() > 2 || year_at < found.month_position) return std::nullopt;
  return CivilDate{full_year(year_word), *found.month, *parse_integer<int>(day_word)};
}

}  // namespace

std::optional<Timestamp> parse_textual_date(std::string_view text) {
  bool unbalanced = false;
  std::vector<std::string_view> words = words_of(text, unbalanced);
  if (unbalanced || words.empty() || words.size() > 10) return std::nullopt;
  Textual found;
  const std::size_t first = is_day_name(words[0]) && !month_of(words[0]) ? 1 : 0;  // "Sun", "Monday", "Κυρ"
  for (std::size_t i = first; i < words.size(); ++i)
    if (!read_word(words[i], i, i + 1 == words.size(), found)) return std::nullopt;
  const std::optional<CivilDate> date = day_of(found);
  if (!date) return std::nullopt;
  TimeOfDay clock = found.clock.value_or(TimeOfDay{});
  if (found.meridiem != 0) {
    if (!found.clock || clock.hour < 1 || clock.hour > 12) return std::nullopt;
    clock.hour = clock.hour % 12 + (found.meridiem > 0 ? 12 : 0);
  }
  const int zone = found.zone.value_or(found.korean ? 9 * 60 : 0);
  return make_time(*date, clock, zone);
}

std::optional<Timestamp> parse_date(std::string_view text) {
  text = trim_view(text);
  if (text.empty() || text.size() > 200) return std::nullopt;
  if (auto time = parse_iso8601(text)) return time;
  return parse_textual_date(text);
}

std::string format_rfc3339(Timestamp time) {
  const auto day = floor<days>(time);
  const year_month_day date(day);
  const hh_mm_ss clock(time - day);
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
                static_cast<int>(clock.seconds().count()));
  return buffer;
}

}  // namespace sluice::feeds
