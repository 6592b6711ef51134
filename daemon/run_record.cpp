#include "daemon/run_record.h"

#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <system_error>
#include <thread>

namespace sluice::daemon {
namespace {

// A POSIX record lock over the whole file: the kernel drops it when the process ends, and
// F_GETLK lets a reader ask who holds it without taking it (so a reader never keeps a daemon
// from starting).
struct flock whole_file(short type) {
  struct flock lock{};
  lock.l_type = type;
  lock.l_whence = SEEK_SET;
  lock.l_start = 0;
  lock.l_len = 0;
  return lock;
}

std::string read_all(int fd) {
  std::string text;
  char buffer[4096];
  off_t offset = 0;
  for (;;) {
    const ssize_t got = pread(fd, buffer, sizeof buffer, offset);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    text.append(buffer, static_cast<std::size_t>(got));
    offset += got;
    if (text.size() > 65536) break;  // the record is a few hundred bytes; anything else is not ours
  }
  return text;
}

std::optional<RunningInstance> parse(const std::string& text) {
  const nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
  if (!json.is_object()) return std::nullopt;
  RunningInstance instance;
  instance.pid = json.value("pid", 0);
  instance.version = json.value("version", "");
  instance.started = json.value("started", std::int64_t{0});
  instance.endpoint = json.value("endpoint", "");
  instance.replay_endpoint = json.value("replay_endpoint", "");
  return instance;
}

std::runtime_error failure(const std::filesystem::path& file, const char* doing) {
  return std::runtime_error(std::string("cannot ") + doing + " " + file.string() + ": " + std::strerror(errno));
}

}  // namespace

RunRecord::RunRecord(const std::filesystem::path& state_dir) : state_dir_(state_dir) {
  std::error_code ignored;
  std::filesystem::create_directories(state_dir, ignored);  // the open below says what is wrong
  const std::filesystem::path file = state_dir / kFileName;
  fd_ = open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw failure(file, "open");
  struct flock lock = whole_file(F_WRLCK);
  if (fcntl(fd_, F_SETLK, &lock) == 0) {
    // Who runs, before the endpoints are bound.
    instance_.pid = getpid();
    instance_.version = SLUICE_VERSION;
    instance_.started = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch()).count();
    try {
      write();
    } catch (...) {
      close(fd_);
      throw;
    }
    return;
  }
  const int error = errno;
  std::optional<RunningInstance> holder = parse(read_all(fd_));
  struct flock probe = whole_file(F_WRLCK);
  const pid_t pid = fcntl(fd_, F_GETLK, &probe) == 0 && probe.l_type != F_UNLCK ? probe.l_pid
                    : holder                                                  ? holder->pid
                                                                              : 0;
  close(fd_);
  fd_ = -1;
  if (error != EAGAIN && error != EACCES) {
    errno = error;
    throw failure(file, "lock");
  }
  throw std::runtime_error("state_dir " + state_dir.string() + " is in use by sluice pid " + std::to_string(pid) +
                           " (" + file.string() + "); one daemon per state directory: stop it or give this one another state_dir");
}

RunRecord::~RunRecord() {
  if (fd_ < 0) return;
  // A stopped daemon leaves no endpoints behind for tail to connect to.
  if (ftruncate(fd_, 0) != 0) {
    // Nothing to do: the lock goes with the descriptor, and readers check the lock first.
  }
  close(fd_);
}

void RunRecord::endpoints(std::string endpoint, std::string replay_endpoint) {
  instance_.endpoint = std::move(endpoint);
  instance_.replay_endpoint = std::move(replay_endpoint);
  write();
}

void RunRecord::write() {
  const std::string text = nlohmann::json{{"pid", instance_.pid},
                                          {"version", instance_.version},
                                          {"started", instance_.started},
                                          {"endpoint", instance_.endpoint},
                                          {"replay_endpoint", instance_.replay_endpoint}}
                               .dump() +
                           "\n";
  const std::filesystem::path file = state_dir_ / kFileName;
  if (ftruncate(fd_, 0) != 0) throw failure(file, "truncate");
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t put = pwrite(fd_, text.data() + written, text.size() - written, static_cast<off_t>(written));
    if (put < 0 && errno == EINTR) continue;
    if (put <= 0) throw failure(file, "write");
    written += static_cast<std::size_t>(put);
  }
}

std::optional<RunningInstance> RunRecord::find(const std::filesystem::path& state_dir) {
  const std::filesystem::path file = state_dir / kFileName;
  const int fd = open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::nullopt;
    throw failure(file, "open");
  }
  struct flock probe = whole_file(F_WRLCK);
  if (fcntl(fd, F_GETLK, &probe) != 0) {
    const std::runtime_error error = failure(file, "test the lock of");
    close(fd);
    throw error;
  }
  if (probe.l_type == F_UNLCK) {
    close(fd);
    return std::nullopt;
  }
  // Held: the record is rewritten once the daemon has bound its endpoints and on each reload; a
  // reader that comes in between finds it empty for a moment.
  std::optional<RunningInstance> instance;
  for (int attempt = 0; attempt < 10 && !instance; ++attempt) {
    instance = parse(read_all(fd));
    if (!instance) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  close(fd);
  if (!instance) instance.emplace();
  if (instance->pid == 0) instance->pid = probe.l_pid;
  return instance;
}

}  // namespace sluice::daemon
