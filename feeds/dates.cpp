#include "feeds/dates.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <vector>

namespace sluice::feeds {
namespace {

using namespace std::chrono;

struct Zone {
  std::string_view name;
  int minutes;
};

// Named zones seen in feeds; US and European names, as RFC 822 and common practice use them.
constexpr std::array<Zone, 21> kZones{{
    {"gmt", 0},        {"ut", 0},         {"utc", 0},        {"z", 0},          {"wet", 0},
    {"bst", 60},       {"cet", 60},       {"met", 60},       {"cest", 120},     {"mest", 120},
    {"eet", 120},      {"eest", 180},     {"est", -5 * 60},  {"edt", -4 * 60},  {"cst", -6 * 60},
    {"cdt", -5 * 60},  {"mst", -7 * 60},  {"mdt", -6 * 60},  {"pst", -8 * 60},  {"pdt", -7 * 60},
    {"akst", -9 * 60},
}};

constexpr std::array<std::string_view, 12> kMonths{"jan", "feb", "mar", "apr", "may", "jun",
                                                   "jul", "aug", "sep", "oct", "nov", "dec"};

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::optional<int> to_int(std::string_view text) {
  int value = 0;
  if (text.empty()) return std::nullopt;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

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

// "+0100", "-05:00", "+01", or a named zone; nullopt when unknown.
std::optional<int> zone_offset(std::string_view token) {
  if (token.empty()) return 0;
  if (token[0] == '+' || token[0] == '-') {
    std::string digits;
    for (char c : token.substr(1))
      if (c != ':') digits += c;
    if (digits.size() == 2) digits += "00";
    if (digits.size() != 4) return std::nullopt;
    const auto hours = to_int(std::string_view(digits).substr(0, 2));
    const auto mins = to_int(std::string_view(digits).substr(2, 2));
    if (!hours || !mins || *hours > 23 || *mins > 59) return std::nullopt;
    const int total = *hours * 60 + *mins;
    return token[0] == '-' ? -total : total;
  }
  const std::string name = lower(token);
  for (const Zone& zone : kZones)
    if (zone.name == name) return zone.minutes;
  return std::nullopt;
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
  const std::string name = lower(token.substr(0, 3));
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
  // "10 Feb 2025" and the occasional "Feb 10 2025".
  std::optional<int> day = to_int(tokens[0]);
  std::optional<int> month = month_of(tokens[1]);
  if (!day || !month) {
    month = month_of(tokens[0]);
    day = to_int(tokens[1]);
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
  const auto offset = zone_offset(tokens.size() > next ? tokens[next] : std::string_view());
  // An unknown zone name is read as UTC rather than losing the date.
  return make_time(*year, *month, *day, hour, minute, second, offset.value_or(0));
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
  const std::string_view zone = text.substr(pos);
  const auto offset = zone.empty() ? std::optional<int>(0) : zone_offset(zone);
  if (!offset) return std::nullopt;
  return make_time(*year, month, day, hour, minute, second, *offset);
}

std::optional<Timestamp> parse_date(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return std::nullopt;
  const std::string_view trimmed = text.substr(first);
  if (trimmed.size() >= 4 && std::all_of(trimmed.begin(), trimmed.begin() + 4,
                                         [](unsigned char c) { return std::isdigit(c); })) {
    if (auto time = parse_rfc3339(trimmed)) return time;
  }
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
