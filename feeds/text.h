// Small text helpers shared by the parsers: ASCII case, trimming, Windows-1252, UTF-8 output.
#pragma once

#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace sluice::feeds {

// ASCII classes, for markup and names: unlike <cctype>, no locale and no call.
constexpr bool is_ascii_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr bool is_ascii_alnum(char c) noexcept { return is_ascii_alpha(c) || (c >= '0' && c <= '9'); }
constexpr bool is_ascii_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// Lower-cases ASCII letters only: names, schemes and keywords, never prose.
std::string ascii_lower(std::string_view text);

// text as a decimal integer when all of it is one ("12", not "12px", " 12" or ""); nullopt otherwise.
template <typename Integer>
std::optional<Integer> parse_integer(std::string_view text) noexcept {
  Integer value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// ASCII case-insensitive equality.
bool iequals(std::string_view a, std::string_view b) noexcept;

// Without leading and trailing spaces, tabs and line breaks.
std::string trim(std::string_view text);
std::string_view trim_view(std::string_view text) noexcept;
void trim_in_place(std::string& text);

// A language tag as feeds and servers write it ("en_US", " en-gb "), as BCP 47 writes it: trimmed,
// '_' made '-'. Case is kept, as feed parsers keep it.
std::string normalize_language(std::string_view tag);

// The character Windows-1252 puts at `code` (0x80..0x9F), or 0 when it has none there.
char32_t cp1252_character(char32_t code) noexcept;

void append_utf8(std::string& out, char32_t code);

// Characters (code points) in UTF-8 text: the bytes that do not continue a sequence.
int code_point_count(std::string_view text) noexcept;

// Length of the numeric character reference ("&#38;", "&#x26;") starting at text[at] ('&'), the
// ';' included; 0 when there is none.
std::size_t numeric_reference_length(std::string_view text, std::size_t at) noexcept;

}  // namespace sluice::feeds
