#include "daemon/service_manager.h"

#include <systemd/sd-daemon.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "feeds/logging.h"

namespace sluice::daemon {

ServiceManager::ServiceManager() {
  std::uint64_t usec = 0;
  // 0 for the unset_environment argument: the variables stay for a reload's new threads to see.
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
    watchdog_ = true;
    tick_ = std::min(tick_, std::chrono::milliseconds(std::max<std::uint64_t>(1, usec / 2000)));
  }
}

void ServiceManager::notify(const std::string& message) const {
  static const auto log = logger("daemon");
  if (const int sent = sd_notify(0, message.c_str()); sent < 0)
    log->warn("service manager not told error=\"{}\" message=\"{}\"", std::strerror(-sent), message);
}

void ServiceManager::ready(const std::string& status) const { notify("READY=1\nSTATUS=" + status); }
void ServiceManager::reloading(const std::string& status) const { notify("RELOADING=1\nSTATUS=" + status); }
void ServiceManager::stopping() const { notify("STOPPING=1\nSTATUS=stopping"); }
void ServiceManager::status(const std::string& status) const { notify("STATUS=" + status); }
void ServiceManager::watchdog() const {
  if (watchdog_) notify("WATCHDOG=1");
}

sigset_t block_service_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

}  // namespace sluice::daemon
