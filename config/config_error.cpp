#include "config/config_error.h"

#include <algorithm>
#include <numeric>
#include <vector>

namespace sluice::config {
namespace {

std::string format_message(const std::string& file, Position position, const std::string& key,
                           const std::string& reason) {
  std::string out = file;
  if (position.line > 0) {
    out += ':' + std::to_string(position.line);
    if (position.column > 0) out += ':' + std::to_string(position.column);
  }
  out += ": ";
  if (!key.empty()) out += key + ": ";
  out += reason;
  return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

ConfigError::ConfigError(std::string file, Position position, std::string key, std::string reason)
    : std::runtime_error(format_message(file, position, key, reason)),
      file_(std::move(file)),
      position_(position),
      key_(std::move(key)),
      reason_(std::move(reason)) {}

std::string closest_match(std::string_view word, std::span<const std::string_view> candidates) {
  std::string_view best;
  std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (std::string_view candidate : candidates) {
    const std::size_t distance = edit_distance(word, candidate);
    if (distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return std::string(best);
}

}  // namespace sluice::config
