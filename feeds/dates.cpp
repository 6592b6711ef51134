#include "feeds/dates.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <regex>
#include <vector>

#include "feeds/text.h"

namespace sluice::feeds {
namespace {

using namespace std::chrono;

struct Zone {
  std::string_view name;
  int minutes;
};

// Named zones seen in feeds; US and European names, as RFC 822 and common practice use them.
constexpr std::array<Zone, 38> kZones{{
    {"gmt", 0},         {"ut", 0},          {"utc", 0},         {"z", 0},           {"wet", 0},
    {"bst", 60},        {"cet", 60},        {"met", 60},        {"cest", 120},      {"mest", 120},
    {"eet", 120},       {"eest", 180},      {"est", -5 * 60},   {"edt", -4 * 60},   {"et", -5 * 60},
    {"cst", -6 * 60},   {"cdt", -5 * 60},   {"ct", -6 * 60},    {"mst", -7 * 60},   {"mdt", -6 * 60},
    {"mt", -7 * 60},    {"pst", -8 * 60},   {"pdt", -7 * 60},   {"pt", -8 * 60},    {"ast", -4 * 60},
    {"adt", -3 * 60},   {"at", -4 * 60},    {"akst", -9 * 60},  {"akdt", -8 * 60},  {"hst", -10 * 60},
    {"jst", 9 * 60},    {"kst", 9 * 60},    {"msk", 3 * 60},    {"nzst", 12 * 60},  {"nzdt", 13 * 60},
    {"a", -60},         {"n", 60},          {"y", 12 * 60},
}};

constexpr std::array<std::string_view, 12> kMonths{"jan", "feb", "mar", "apr", "may", "jun",
                                                   "jul", "aug", "sep", "oct", "nov", "dec"};

std::optional<int> to_int(std::string_view text) { return parse_integer<int>(text); }

std::optional<Timestamp> make_time(int year, int month, int day, int hour, int minute, int second,
                                   int offset_minutes) {
  const year_month_day date{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                            std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok() || hour < 0 || hour > 24 || minute < 0 || minute > 59 || second < 0 || second > 60)
    return std::nullopt;
  if (hour == 24 && (minute != 0 || second != 0)) return std::nullopt;
  // A leap second is read as the last second of its minute.
  return sys_days(date) + hours(hour) + minutes(minute) + seconds(std::min(second, 59)) -
         minutes(offset_minutes);
}

// "+0100", "-05:00", "+01", "GMT-01:01", "Etc/GMT" or a named zone. A malformed numeric offset
// is nullopt; an unknown name is UTC (the date is worth more than a zone nobody knows).
std::optional<int> zone_offset(std::string_view token) {
  std::string name = ascii_lower(token);
  if (name.starts_with("etc/")) name.erase(0, 4);
  for (std::string_view prefix : {"gmt", "utc", "ut"})
    if (name.size() > prefix.size() && name.starts_with(prefix) && (name[prefix.size()] == '+' || name[prefix.size()] == '-')) {
      name.erase(0, prefix.size());
      break;
    }
  if (name.empty()) return 0;
  if (name[0] == '+' || name[0] == '-') {
    std::string digits;
    for (char c : std::string_view(name).substr(1))
      if (c != ':') digits += c;
    if (digits.size() <= 2) digits = std::string(2 - digits.size(), '0') + digits + "00";  // "+1", "+01"
    if (digits.size() == 3) digits = "0" + digits;                                          // "+100"
    if (digits.size() != 4) return std::nullopt;
    const auto hours = to_int(std::string_view(digits).substr(0, 2));
    const auto mins = to_int(std::string_view(digits).substr(2, 2));
    if (!hours || !mins || *hours > 23 || *mins > 59) return std::nullopt;
    const int total = *hours * 60 + *mins;
    return name[0] == '-' ? -total : total;
  }
  for (const Zone& zone : kZones)
    if (zone.name == name) return zone.minutes;
  return 0;
}

std::vector<std::string_view> split_tokens(std::string_view text) {
  std::vector<std::string_view> tokens;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (std::isspace(static_cast<unsigned char>(text[i])) || text[i] == ','))
      ++i;
    const std::size_t start = i;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i])) && text[i] != ',')
      ++i;
    if (i > start) tokens.push_back(text.substr(start, i - start));
  }
  return tokens;
}

std::optional<int> month_of(std::string_view token) {
  const std::string name = ascii_lower(token.substr(0, 3));
  for (std::size_t i = 0; i < kMonths.size(); ++i)
    if (kMonths[i] == name) return static_cast<int>(i) + 1;
  return std::nullopt;
}

}  // namespace

std::optional<Timestamp> parse_rfc822(std::string_view text) {
  auto tokens = split_tokens(text);
  // The day name is optional and often wrong; it carries no information, so it is skipped. No day
  // name shares its first three letters with a month name.
  if (!tokens.empty() && std::isalpha(static_cast<unsigned char>(tokens[0][0])) && !month_of(tokens[0]))
    tokens.erase(tokens.begin());
  if (tokens.size() < 3) return std::nullopt;
  // "10 Feb 2025", the occasional "Feb 10 2025", and asctime's "Feb 10 14:30:00 2025".
  std::optional<int> day = to_int(tokens[0]);
  std::optional<int> month = month_of(tokens[1]);
  if (!day || !month) {
    month = month_of(tokens[0]);
    day = to_int(tokens[1]);
    if (tokens.size() >= 4 && tokens[2].find(':') != std::string_view::npos) std::swap(tokens[2], tokens[3]);
  }
  auto year = to_int(tokens[2]);
  if (!day || !month || !year) return std::nullopt;
  if (tokens[2].size() <= 2) *year += *year < 50 ? 2000 : 1900;
  int hour = 0, minute = 0, second = 0;
  std::size_t next = 3;
  if (tokens.size() > 3 && tokens[3].find(':') != std::string_view::npos) {
    const std::string_view clock = tokens[3];
    const auto first = clock.find(':');
    const auto last = clock.rfind(':');
    const auto h = to_int(clock.substr(0, first));
    const auto m = to_int(clock.substr(first + 1, last == first ? std::string_view::npos : last - first - 1));
    const auto s = last == first ? std::optional<int>(0) : to_int(clock.substr(last + 1));
    if (!h || !m || !s) return std::nullopt;
    hour = *h;
    minute = *m;
    second = *s;
    next = 4;
  }
  std::string zone;
  for (std::size_t i = next; i < tokens.size(); ++i) zone += tokens[i];  // "GMT -01:01", "+01 00"
  const auto offset = zone_offset(zone);
  if (!offset) return std::nullopt;
  return make_time(*year, *month, *day, hour, minute, second, *offset);
}

std::optional<Timestamp> parse_rfc3339(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  auto field = [&](std::size_t pos, std::size_t len) -> std::optional<int> {
    if (text.size() < pos + len) return std::nullopt;
    return to_int(text.substr(pos, len));
  };
  const auto year = field(0, 4);
  if (!year) return std::nullopt;
  int month = 1, day = 1, hour = 0, minute = 0, second = 0;
  std::size_t pos = 4;
  if (text.size() > pos && text[pos] == '-') {
    const auto m = field(pos + 1, 2);
    if (!m) return std::nullopt;
    month = *m;
    pos += 3;
    if (text.size() > pos && text[pos] == '-') {
      const auto d = field(pos + 1, 2);
      if (!d) return std::nullopt;
      day = *d;
      pos += 3;
    }
  }
  if (text.size() > pos && (text[pos] == 'T' || text[pos] == 't' || text[pos] == ' ')) {
    const auto h = field(pos + 1, 2);
    if (!h || text.size() < pos + 6 || text[pos + 3] != ':') return std::nullopt;
    const auto mi = field(pos + 4, 2);
    if (!mi) return std::nullopt;
    hour = *h;
    minute = *mi;
    pos += 6;
    if (text.size() > pos && text[pos] == ':') {
      const auto s = field(pos + 1, 2);
      if (!s) return std::nullopt;
      second = *s;
      pos += 3;
      if (text.size() > pos && (text[pos] == '.' || text[pos] == ',')) {
        ++pos;
        while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) ++pos;
      }
    }
  }
  std::string_view zone = text.substr(pos);
  while (!zone.empty() && zone.front() == ' ') zone.remove_prefix(1);
  std::optional<int> offset = 0;
  if (zone == "Z" || zone == "z") offset = 0;
  else if (!zone.empty() && (zone[0] == '+' || zone[0] == '-')) offset = zone_offset(zone);
  else if (!zone.empty()) offset = std::nullopt;
  if (!offset) return std::nullopt;
  return make_time(*year, month, day, hour, minute, second, *offset);
}

namespace {

// ISO 8601 forms that RFC 3339 leaves out: basic format (20040105T1530Z), ordinal dates
// (2004-005), and the truncated year-month "-04-12".
std::optional<Timestamp> parse_iso8601(std::string_view text) {
  static const std::regex basic(R"(^(\d{4})(\d{2})(\d{2})(?:T(\d{2}):?(\d{2})(?::?(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?)?$)");
  static const std::regex ordinal(R"(^(\d{4})-?(\d{3})$)");
  static const std::regex truncated(R"(^-(\d{2})-?(\d{2})$)");
  const std::string value(text);
  std::smatch m;
  if (std::regex_match(value, m, basic)) {
    const auto offset = m[7].matched ? zone_offset(m[7].str()) : std::optional<int>(0);
    if (!offset) return std::nullopt;
    return make_time(std::stoi(m[1]), std::stoi(m[2]), std::stoi(m[3]), m[4].matched ? std::stoi(m[4]) : 0,
                     m[5].matched ? std::stoi(m[5]) : 0, m[6].matched ? std::stoi(m[6]) : 0, *offset);
  }
  if (std::regex_match(value, m, ordinal)) {
    const int year = std::stoi(m[1]);
    const int day_of_year = std::stoi(m[2]);
    if (day_of_year < 1 || day_of_year > 366) return std::nullopt;
    return sys_days(std::chrono::year(year) / 1 / 1) + days(day_of_year - 1);
  }
  if (std::regex_match(value, m, truncated)) return make_time(2000 + std::stoi(m[1]), std::stoi(m[2]), 1, 0, 0, 0, 0);
  return std::nullopt;
}

struct Word {
  std::string_view localized;
  std::string_view english;
};

// Greek and Hungarian month and day names, as Greek and Hungarian feeds write them.
constexpr std::array<Word, 30> kLocalizedWords{{
    {"Ιαν", "Jan"},  {"Φεβ", "Feb"},  {"Μάρ", "Mar"},  {"Μαρ", "Mar"},  {"Μάώ", "Mar"},  {"Μαώ", "Mar"},
    {"Απρ", "Apr"},  {"Μάι", "May"},  {"Μαϊ", "May"},  {"Μαι", "May"},  {"Ιούν", "Jun"}, {"Ιον", "Jun"},
    {"Ιούλ", "Jul"}, {"Ιολ", "Jul"},  {"Αύγ", "Aug"},  {"Αυγ", "Aug"},  {"Σεπ", "Sep"},  {"Οκτ", "Oct"},
    {"Νοέ", "Nov"},  {"Νοε", "Nov"},  {"Δεκ", "Dec"},  {"Κυρ", "Sun"},  {"Δευ", "Mon"},  {"Τρι", "Tue"},
    {"Τετ", "Wed"},  {"Πεμ", "Thu"},  {"Παρ", "Fri"},  {"Σαβ", "Sat"},  {"Ιουν", "Jun"}, {"Ιουλ", "Jul"},
}};

constexpr std::array<std::string_view, 12> kHungarianMonths{"január",   "február",    "március", "április",
                                                            "május",    "június",     "július",  "augusztus",
                                                            "szeptember", "október", "november", "december"};

// Rewrites localized dates into a form the parsers above read; "" when text is none of them.
std::string delocalize(std::string_view text) {
  static const std::regex korean_onblog(R"(^(\d{4})\s*년\s*(\d{1,2})\s*월\s*(\d{1,2})\s*일\s+(\d{1,2}):(\d{2}):(\d{2})$)");
  static const std::regex korean_nate(R"(^(\d{4})-(\d{2})-(\d{2})\s+(오전|오후)\s+(\d{1,2}):(\d{2}):(\d{2})$)");
  static const std::regex hungarian(R"(^(\d{4})-([^-\d]+)-(\d{1,2})T(\d{1,2}):(\d{2})((?:[+-]\d{1,2}:\d{2})|Z)?$)");
  static const std::regex perforce(R"(^\w{3},\s+(\d{4})/(\d{2})/(\d{2})\s+(\d{1,2}:\d{2}:\d{2})\s+(\w+)$)");
  const std::string value(text);
  std::smatch m;
  char buffer[64];
  if (std::regex_match(value, m, korean_onblog)) {
    std::snprintf(buffer, sizeof buffer, "%s-%02d-%02dT%02d:%s:%s+09:00", m[1].str().c_str(), std::stoi(m[2]),
                  std::stoi(m[3]), std::stoi(m[4]), m[5].str().c_str(), m[6].str().c_str());
    return buffer;
  }
  if (std::regex_match(value, m, korean_nate)) {
    int hour = std::stoi(m[5]) % 12;
    if (m[4] == "오후") hour += 12;
    std::snprintf(buffer, sizeof buffer, "%s-%s-%sT%02d:%s:%s+09:00", m[1].str().c_str(), m[2].str().c_str(),
                  m[3].str().c_str(), hour, m[6].str().c_str(), m[7].str().c_str());
    return buffer;
  }
  if (std::regex_match(value, m, hungarian)) {
    const auto month = std::find(kHungarianMonths.begin(), kHungarianMonths.end(), m[2].str());
    if (month == kHungarianMonths.end()) return "";
    std::string zone = m[6].matched ? m[6].str() : "Z";
    if (zone.size() == 5) zone.insert(1, "0");  // "+1:00"
    std::snprintf(buffer, sizeof buffer, "%s-%02d-%02dT%02d:%s%s", m[1].str().c_str(),
                  static_cast<int>(month - kHungarianMonths.begin()) + 1, std::stoi(m[3]), std::stoi(m[4]),
                  m[5].str().c_str(), zone.c_str());
    return buffer;
  }
  if (std::regex_match(value, m, perforce)) {
    return m[3].str() + " " + std::string(kMonths[static_cast<std::size_t>(std::stoi(m[2]) - 1)]) + " " + m[1].str() +
           " " + m[4].str() + " " + m[5].str();
  }
  std::string out = value;
  bool changed = false;
  for (const Word& word : kLocalizedWords)
    for (std::size_t at; (at = out.find(word.localized)) != std::string::npos; changed = true)
      out.replace(at, word.localized.size(), word.english);
  return changed ? out : "";
}

}  // namespace

std::optional<Timestamp> parse_date(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return std::nullopt;
  std::string_view trimmed = text.substr(first);
  while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.back()))) trimmed.remove_suffix(1);
  // Localized forms hold non-ASCII names, a '/' (Perforce) or a month word after the year.
  const bool maybe_localized =
      std::any_of(trimmed.begin(), trimmed.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; }) ||
      trimmed.find('/') != std::string_view::npos ||
      (trimmed.size() > 5 && trimmed[4] == '-' && std::isalpha(static_cast<unsigned char>(trimmed[5])));
  if (maybe_localized)
    if (const std::string plain = delocalize(trimmed); !plain.empty()) return parse_date(plain);
  if (trimmed.size() >= 4 && std::all_of(trimmed.begin(), trimmed.begin() + 4,
                                         [](unsigned char c) { return std::isdigit(c); })) {
    if (auto time = parse_rfc3339(trimmed)) return time;
    if (auto time = parse_iso8601(trimmed)) return time;
    return std::nullopt;
  }
  if (trimmed.starts_with('-')) return parse_iso8601(trimmed);
  return parse_rfc822(trimmed);
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
