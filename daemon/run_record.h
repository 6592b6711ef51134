// state_dir/sluice.run: which sluice runs on a state directory, and where it can be reached.
//
// The running daemon holds the file locked (flock, released by the kernel however the process
// ends) and keeps in it its pid, version, start time and the endpoints it bound, so that
// `sluice tail -c` finds a publisher configured on port * and `sluice status` can say whether a
// daemon runs at all. One daemon per state directory: a second one is refused, naming the first.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace sluice::daemon {

struct RunningInstance {
  pid_t pid = 0;
  std::string version;
  std::int64_t started = 0;  // unix seconds
  std::string endpoint;         // the live stream as bound, e.g. tcp://127.0.0.1:41234
  std::string replay_endpoint;  // the replay server as bound
};

class RunRecord {
 public:
  static constexpr const char* kFileName = "sluice.run";

  // Takes state_dir for this process. Throws std::runtime_error naming the running daemon's pid
  // when another process holds it, or when the file cannot be opened.
  explicit RunRecord(const std::filesystem::path& state_dir);
  ~RunRecord();
  RunRecord(const RunRecord&) = delete;
  RunRecord& operator=(const RunRecord&) = delete;

  // Records the endpoints as bound (after start and after each reload, as they may change).
  void endpoints(std::string endpoint, std::string replay_endpoint);

  const std::filesystem::path& state_dir() const noexcept { return state_dir_; }

  // The daemon that holds state_dir now; nullopt when none does. Throws std::runtime_error when
  // the state directory cannot be read (permissions), as then nothing can be said either way.
  static std::optional<RunningInstance> find(const std::filesystem::path& state_dir);

 private:
  void write();

  std::filesystem::path state_dir_;
  int fd_ = -1;
  RunningInstance instance_;
};

}  // namespace sluice::daemon
