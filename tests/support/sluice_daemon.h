// The real `sluice run` for end-to-end tests: a configuration written into a temporary
// directory, the binary started on it (again after a kill), its log and bound endpoints at hand.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include "tests/support/process.h"

namespace sluice::test {

class SluiceDaemon {
 public:
  // Writes dir/sluice.yaml: state_dir under dir, both publish endpoints on free loopback ports,
  // then `rest` (YAML: more top-level keys and the feeds list). Nothing starts yet.
  SluiceDaemon(std::filesystem::path dir, const std::string& rest, const std::string& publish_extra = "");

  // Starts the binary and waits for "sluice started"; false (with log() telling why) otherwise.
  bool start();
  // Sends signal and waits for the process to end; its exit status.
  std::optional<int> stop(int signal);
  // Sends signal and returns.
  void signal(int signal) const;

  // The running process's id; -1 when none was started.
  pid_t pid() const noexcept { return process_ ? process_->pid() : -1; }

  // This run's log (stderr).
  std::string log() const;
  bool wait_for_log(const std::string& text, std::size_t times = 1,
                    std::chrono::milliseconds timeout = std::chrono::seconds(15)) const;

  const std::filesystem::path& config() const noexcept { return config_; }
  const std::string& endpoint() const noexcept { return endpoint_; }
  const std::string& replay_endpoint() const noexcept { return replay_endpoint_; }

 private:
  std::filesystem::path dir_;
  std::filesystem::path config_;
  std::optional<Process> process_;
  int runs_ = 0;
  std::string endpoint_;
  std::string replay_endpoint_;
};

// Occurrences of needle in text.
std::size_t count_of(const std::string& text, const std::string& needle);

}  // namespace sluice::test
