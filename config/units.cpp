#include "config/units.h"

#include <array>
#include <cctype>
#include <limits>
#include <utility>

namespace sluice::config {
namespace {

struct Unit {
  std::string_view name;
  std::uint64_t factor;
};

constexpr std::array<Unit, 5> kDurationUnits{{
    {"d", 86'400'000}, {"h", 3'600'000}, {"m", 60'000}, {"s", 1'000}, {"ms", 1}}};

constexpr std::array<Unit, 7> kSizeUnits{{{"B", 1},
                                          {"KB", 1000},
                                          {"MB", 1000 * 1000},
                                          {"GB", 1000 * 1000 * 1000},
                                          {"KiB", 1ULL << 10},
                                          {"MiB", 1ULL << 20},
                                          {"GiB", 1ULL << 30}}};

// Reads the leading decimal digits of text; nullopt when there are none or they overflow.
std::optional<std::uint64_t> take_number(std::string_view& text) {
  std::size_t i = 0;
  std::uint64_t value = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    const std::uint64_t digit = static_cast<std::uint64_t>(text[i] - '0');
    if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
    ++i;
  }
  if (i == 0) return std::nullopt;
  text.remove_prefix(i);
  return value;
}

std::string_view take_letters(std::string_view& text) {
  std::size_t i = 0;
  while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
  const std::string_view letters = text.substr(0, i);
  text.remove_prefix(i);
  return letters;
}

template <std::size_t N>
std::optional<std::uint64_t> factor_of(const std::array<Unit, N>& units, std::string_view name) {
  for (const Unit& unit : units)
    if (unit.name == name) return unit.factor;
  return std::nullopt;
}

std::optional<std::uint64_t> checked_mul_add(std::uint64_t total, std::uint64_t a, std::uint64_t b) {
  if (b != 0 && a > std::numeric_limits<std::uint64_t>::max() / b) return std::nullopt;
  const std::uint64_t product = a * b;
  if (total > std::numeric_limits<std::uint64_t>::max() - product) return std::nullopt;
  return total + product;
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::uint64_t total = 0;
  while (!text.empty()) {
    const auto number = take_number(text);
    if (!number) return std::nullopt;
    const auto factor = factor_of(kDurationUnits, take_letters(text));
    if (!factor) return std::nullopt;
    const auto sum = checked_mul_add(total, *number, *factor);
    if (!sum) return std::nullopt;
    total = *sum;
  }
  if (total > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
    return std::nullopt;
  return std::chrono::milliseconds(static_cast<std::int64_t>(total));
}

std::optional<std::uint64_t> parse_size(std::string_view text) {
  const auto number = take_number(text);
  if (!number) return std::nullopt;
  const std::string_view unit = take_letters(text);
  if (!text.empty()) return std::nullopt;
  const auto factor = unit.empty() ? std::optional<std::uint64_t>(1) : factor_of(kSizeUnits, unit);
  if (!factor) return std::nullopt;
  return checked_mul_add(0, *number, *factor);
}

std::string format_duration(std::chrono::milliseconds value) {
  auto rest = static_cast<std::uint64_t>(value.count());
  if (rest == 0) return "0s";
  std::string out;
  for (const Unit& unit : kDurationUnits) {
    if (rest >= unit.factor) {
      out += std::to_string(rest / unit.factor);
      out += unit.name;
      rest %= unit.factor;
    }
  }
  return out;
}

std::string format_size(std::uint64_t bytes) {
  for (const auto& [name, factor] : {std::pair{"GiB", 1ULL << 30}, std::pair{"MiB", 1ULL << 20},
                                     std::pair{"KiB", 1ULL << 10}}) {
    if (bytes != 0 && bytes % factor == 0) return std::to_string(bytes / factor) + name;
  }
  return std::to_string(bytes) + "B";
}

}  // namespace sluice::config
