// Temporary directories and small file helpers for tests.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>

namespace sluice::test {

// A fresh directory under $TMPDIR, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
};

std::string read_file(const std::filesystem::path& file);  // "" when it cannot be read
std::string read_gzip_file(const std::filesystem::path& file);  // "" when it cannot be read
void write_file(const std::filesystem::path& file, const std::string& text);

// Polls condition every 10 ms until it holds (true) or timeout passes (false).
bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

}  // namespace sluice::test
