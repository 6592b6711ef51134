// Child processes for end-to-end tests: the real `sluice` binary, its output sent to files.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace sluice::test {

class Process {
 public:
  // Starts args[0] with args; stdout and stderr go to the given files (created or truncated).
  Process(const std::vector<std::string>& args, const std::filesystem::path& stdout_file,
          const std::filesystem::path& stderr_file);
  ~Process();  // kills the process if it still runs
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  void send_signal(int signal) const;
  pid_t pid() const noexcept { return pid_; }

  // The exit code (or 128 + signal) once it ends within timeout; nullopt if still running.
  std::optional<int> wait_for(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
};

struct RunResult {
  int status = -1;
  std::string out;
  std::string err;
};

// Runs a command to completion (killed after timeout), capturing its output.
RunResult run_command(const std::vector<std::string>& args,
                      std::chrono::milliseconds timeout = std::chrono::seconds(20));

}  // namespace sluice::test
