#include "daemon/commands/tail_positions.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "feeds/text.h"

namespace sluice::daemon {

TailPositions::TailPositions(std::filesystem::path file) : file_(std::move(file)) {
  std::error_code error;
  std::filesystem::create_directories(file_.parent_path(), error);
  fd_ = ::open(file_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) throw std::runtime_error("cannot write the position file " + file_.string() + ": " + std::strerror(errno));
}

TailPositions::~TailPositions() { ::close(fd_); }

void TailPositions::read() {
  std::ifstream in(file_);
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::vector<std::string> words;
    for (std::string word; fields >> word;) words.push_back(word);
    if (words.empty()) continue;
    const bool named = words.size() == 3;
    const std::size_t at = named ? 1 : 0;  // where the numbers start
    const bool fits = named || words.size() == 2;
    const auto epoch = fits ? feeds::parse_integer<std::uint64_t>(words[at]) : std::nullopt;
    const auto seq = epoch ? feeds::parse_integer<std::uint64_t>(words[at + 1]) : std::nullopt;
    if (seq)
      positions_[named ? words[0] : ""] = {*epoch, *seq};
    else
      std::fprintf(stderr, "sluice tail: line \"%s\" of %s is not a position; skipped\n", line.c_str(), file_.c_str());
  }
  if (positions_.empty())
    std::fprintf(stderr, "sluice tail: no position in %s yet; starting from the oldest article kept\n", file_.c_str());
}

std::optional<TailPositions::Position> TailPositions::of(std::string_view origin) const {
  if (const auto found = positions_.find(origin); found != positions_.end()) return found->second;
  return std::nullopt;
}

void TailPositions::save(const std::string& origin, Position position) {
  positions_[origin] = position;
  std::string text;
  char numbers[64];
  for (const auto& [name, saved] : positions_) {
    std::snprintf(numbers, sizeof numbers, "%020llu %020llu\n", static_cast<unsigned long long>(saved.epoch),
                  static_cast<unsigned long long>(saved.seq));
    text += name.empty() ? std::string() : name + " ";
    text += numbers;
  }
  if (::pwrite(fd_, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size()))
    std::fprintf(stderr, "sluice tail: cannot write the position file %s: %s\n", file_.c_str(), std::strerror(errno));
}

std::filesystem::path TailPositions::default_file(const std::string& topic) {
  std::filesystem::path dir;
  if (const char* state = std::getenv("XDG_STATE_HOME"); state && *state) dir = state;
  else if (const char* home = std::getenv("HOME"); home && *home) dir = std::filesystem::path(home) / ".local/state";
  else dir = ".";
  std::string name = "tail-";
  for (const char c : topic) name += std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ? c : '_';
  return dir / "sluice" / (name + "position");
}

}  // namespace sluice::daemon
