#include "feeds/text.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace sluice::feeds {
namespace {

constexpr char lower_char(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c; }

// Windows-1252's printable characters in 0x80..0x9F (0 where it has none).
constexpr std::array<char16_t, 32> kCp1252{
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

}  // namespace

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = lower_char(c);
  return out;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower_char(a[i]) != lower_char(b[i])) return false;
  return true;
}

std::string_view trim_view(std::string_view text) noexcept {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return text.substr(text.size());  // empty, but still inside text
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

std::string trim(std::string_view text) { return std::string(trim_view(text)); }

std::string normalize_language(std::string_view tag) {
  std::string out(trim_view(tag));
  std::replace(out.begin(), out.end(), '_', '-');
  return out;
}

void trim_in_place(std::string& text) {
  const std::string_view trimmed = trim_view(text);
  if (trimmed.size() == text.size()) return;
  const auto start = static_cast<std::size_t>(trimmed.data() - text.data());
  text.erase(start + trimmed.size());
  text.erase(0, start);
}

char32_t cp1252_character(char32_t code) noexcept {
  return code >= 0x80 && code <= 0x9F ? kCp1252[code - 0x80] : 0;
}

void append_utf8(std::string& out, char32_t code) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

std::size_t numeric_reference_length(std::string_view text, std::size_t at) noexcept {
  std::size_t i = at + 1;
  if (i >= text.size() || text[i] != '#') return 0;
  ++i;
  const bool hex = i < text.size() && (text[i] == 'x' || text[i] == 'X');
  if (hex) ++i;
  const std::size_t digits = i;
  while (i < text.size() && (hex ? std::isxdigit(static_cast<unsigned char>(text[i]))
                                 : std::isdigit(static_cast<unsigned char>(text[i]))))
    ++i;
  if (i == digits || i >= text.size() || text[i] != ';') return 0;
  return i + 1 - at;
}

int code_point_count(std::string_view text) noexcept {
  int count = 0;
  for (char c : text) count += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return count;
}

}  // namespace sluice::feeds
