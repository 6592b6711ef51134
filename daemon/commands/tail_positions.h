// Where `sluice tail --position FILE` keeps the epoch and seq of the last article printed, per
// origin ("" for a single instance; through a proxy, one per instance): "EPOCH SEQ" for a single
// instance, "ORIGIN EPOCH SEQ" per line for a cluster's origins. `--from last` resumes after it.
//
// Each print rewrites the file in place with fixed-width numbers; origins are only ever added, so
// each write covers the whole of the one before and a crash mid-write leaves a readable file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::daemon {

class TailPositions {
 public:
  struct Position {
    std::uint64_t epoch;
    std::uint64_t seq;
  };

  // Opens file (creating it and its directory, mode 0600). Throws std::runtime_error naming the
  // file when it cannot.
  explicit TailPositions(std::filesystem::path file);
  ~TailPositions();
  TailPositions(const TailPositions&) = delete;
  TailPositions& operator=(const TailPositions&) = delete;

  // Reads what the file holds; says on stderr when it holds nothing yet.
  void read();
  std::optional<Position> of(std::string_view origin) const;
  // Records origin's position and writes the file; a failed write is said on stderr.
  void save(const std::string& origin, Position position);

  // Where `--from last` keeps the position for a topic when no --position is given:
  // $XDG_STATE_HOME/sluice (or ~/.local/state/sluice)/tail-<topic>position.
  static std::filesystem::path default_file(const std::string& topic);

 private:
  std::filesystem::path file_;
  int fd_ = -1;
  std::map<std::string, Position, std::less<>> positions_;
};

}  // namespace sluice::daemon
