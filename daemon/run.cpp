// The daemon as a process: signals taken synchronously, SIGHUP reloads, the service manager told
// how things stand (READY, STATUS, WATCHDOG while every thread makes progress), SIGTERM stops.
#include <signal.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <optional>
#include <string>

#include "config/config.h"
#include "daemon/daemon.h"
#include "daemon/metrics.h"
#include "daemon/preflight.h"
#include "daemon/run_record.h"
#include "daemon/service_manager.h"
#include "feeds/logging.h"
#include "pipeline/deliver/publisher.h"

namespace sluice::daemon {

namespace {

// The daemon running now, shared with the metrics thread, which may look at it during a reload.
using Running = std::atomic<std::shared_ptr<Daemon>>;

// Starts a daemon on config and records where it publishes in state_dir/sluice.run.
std::shared_ptr<Daemon> start_daemon(const config::Config& config, Metrics& metrics, RunRecord& record) {
  auto daemon = std::make_shared<Daemon>(config, metrics);
  daemon->start();
  record.endpoints(daemon->endpoint(), daemon->replay_endpoint());
  return daemon;
}

// SIGHUP: the configuration file is read again. When it is valid the daemon is stopped (the
// fetch thread first; workers let go of their documents, which were not committed and so are
// fetched again, and the publisher publishes what reached it) and started on the new configuration: new feeds start, removed ones stop, changed ones
// follow their new settings, endpoints bind anew; feed state, seen entries and the journal carry
// over from state_dir (a new state_dir is taken before the old daemon stops, and refused when
// another sluice holds it). When it is not valid, or the new configuration cannot start, the old
// one keeps running (restarted if it had been stopped).
void reload(Running& running, config::Config& current, Metrics& metrics, std::unique_ptr<RunRecord>& record,
            const ServiceManager& manager) {
  static const auto log = logger("daemon");
  manager.reloading("reloading " + current.source);
  std::optional<config::Config> next;
  try {
    next = config::load_config(current.source);
  } catch (const config::ConfigError& e) {
    log->error("reload refused: {}; the running configuration stays", e.what());
  }
  // What `run` checks of the machine before it starts, checked again before the running
  // configuration is let go of.
  if (next) {
    const std::vector<std::string> problems = preflight(*next);
    if (!problems.empty()) {
      log->error("reload refused: {}: {}; the running configuration stays", next->source, problems.front());
      next.reset();
    }
  }
  std::unique_ptr<RunRecord> moved;
  if (next && next->state_dir != current.state_dir) {
    try {
      moved = std::make_unique<RunRecord>(next->state_dir);
    } catch (const std::exception& e) {
      log->error("reload refused: {}; the running configuration stays", e.what());
      next.reset();
    }
  }
  if (next) {
    if (current.metrics.has_value() != next->metrics.has_value() ||
        (current.metrics && current.metrics->listen != next->metrics->listen))
      log->warn("metrics.listen changes apply on restart");
    // Out of the metrics thread's sight first (it reports "not ready" meanwhile), then stopped.
    running.exchange(nullptr)->stop();
    try {
      running.store(start_daemon(*next, metrics, moved ? *moved : *record));
      if (moved) record = std::move(moved);
      current = std::move(*next);
      log->info("configuration reloaded config={} feeds={}", current.source, current.feeds.size());
    } catch (const std::exception& e) {
      log->error("reloaded configuration cannot start: {}; the previous one runs again", e.what());
      // It ran a moment ago; if it cannot now, run_daemon reports it and exits.
      running.store(start_daemon(current, metrics, *record));
    }
  }
  manager.ready(running.load()->health().status);
}

}  // namespace

int run_daemon(const config::Config& initial) {
  static const auto log = logger("daemon");
  // Signals are taken synchronously on this thread; every thread started below inherits the mask.
  const sigset_t signals = block_service_signals();
  signal(SIGPIPE, SIG_IGN);
  pipeline::keep_freed_memory();

  const ServiceManager manager;
  config::Config config = initial;
  Metrics metrics;
  Running running;
  std::unique_ptr<RunRecord> record;
  std::unique_ptr<MetricsServer> metrics_server;
  try {
    record = std::make_unique<RunRecord>(config.state_dir);
    if (config.metrics) {
      metrics_server = std::make_unique<MetricsServer>(config.metrics->listen, metrics, [&running] {
        const std::shared_ptr<Daemon> daemon = running.load();
        return daemon ? daemon->gauges() : Metrics::Gauges{};
      });
      log->info("metrics served listen={} port={}", config.metrics->listen, metrics_server->port());
    }
    running.store(start_daemon(config, metrics, *record));
  } catch (const std::exception& e) {
    log->error("sluice cannot start: {}", e.what());
    return 1;
  }
  manager.ready(running.load()->health().status);
  bool reported_stuck = false;
  for (;;) {
    const auto tick = manager.tick();
    const timespec timeout{static_cast<time_t>(tick.count() / 1000), static_cast<long>(tick.count() % 1000) * 1'000'000};
    const int received = sigtimedwait(&signals, nullptr, &timeout);
    if (received < 0) {
      // The tick: tell systemd how things stand, and that all is well only while it is.
      running.load()->housekeeping();
      const Daemon::Health health = running.load()->health();
      manager.status(health.status);
      if (health.alive) {
        manager.watchdog();
        reported_stuck = false;
      } else if (!reported_stuck) {
        log->error("the {} thread makes no progress; the watchdog is no longer fed, so systemd restarts sluice",
                   health.stuck);
        reported_stuck = true;
      }
      continue;
    }
    if (received == SIGHUP) {
      log->info("reload requested config={}", config.source);
      try {
        reload(running, config, metrics, record, manager);
      } catch (const std::exception& e) {
        log->error("sluice cannot run after the reload: {}", e.what());
        manager.stopping();
        return 1;
      }
      continue;
    }
    log->info("stopping signal={}", strsignal(received));
    break;
  }
  manager.stopping();
  const auto started = std::chrono::steady_clock::now();
  running.load()->stop();
  log->info("sluice stopped ms={}",
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count());
  return 0;
}


}  // namespace sluice::daemon
