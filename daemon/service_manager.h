// Talking to systemd (sd_notify): READY=1 once the daemon serves, WATCHDOG=1 while every thread
// makes progress, STATUS= with the daemon's figures, RELOADING=1 / READY=1 around a reload,
// STOPPING=1 on the way out. Without NOTIFY_SOCKET (not under systemd) every call does nothing.
#pragma once

#include <signal.h>

#include <chrono>
#include <string>

namespace sluice::daemon {

class ServiceManager {
 public:
  ServiceManager();

  void ready(const std::string& status) const;
  void reloading(const std::string& status) const;
  void stopping() const;
  void status(const std::string& status) const;
  void watchdog() const;

  // How often the main thread should come round to ping the watchdog and refresh STATUS=: half
  // the watchdog interval systemd asked for, and at most every 5 s.
  std::chrono::milliseconds tick() const noexcept { return tick_; }
  bool watchdog_enabled() const noexcept { return watchdog_; }

 private:
  void notify(const std::string& message) const;

  bool watchdog_ = false;
  std::chrono::milliseconds tick_{5000};
};

// Blocks SIGTERM, SIGINT and SIGHUP on the calling thread, and so on every thread it starts after,
// and returns them as a set for sigwait/sigtimedwait: a long-running command takes its signals
// synchronously on one thread.
sigset_t block_service_signals();

}  // namespace sluice::daemon
