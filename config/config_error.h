// The one exception type of configuration loading: it carries the position in the file, so every
// message reads "FILE:LINE:COLUMN: KEY: what is wrong".
#pragma once

#include <span>
#include <stdexcept>
#include <string_view>
#include <string>

namespace sluice::config {

struct Position {
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based; 0 when unknown
};

class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string file, Position position, std::string key, std::string reason);

  const std::string& file() const noexcept { return file_; }
  Position position() const noexcept { return position_; }
  const std::string& key() const noexcept { return key_; }
  const std::string& reason() const noexcept { return reason_; }

 private:
  std::string file_;
  Position position_;
  std::string key_;
  std::string reason_;
};

// "Did you mean" help: the candidate closest to word by edit distance, or "" when none is close.
std::string closest_match(std::string_view word, std::span<const std::string_view> candidates);

}  // namespace sluice::config
