// Runs a few blocking jobs side by side: round trips to a server that need not wait for one
// another (ClusterStories' key-value reads and writes) then cost about one round trip, not one
// each. The calling thread runs jobs too; a fixed set of helper threads, asleep between runs,
// takes the others.
//
// Thread-safety: run() from one thread at a time.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <span>
#include <stop_token>
#include <thread>
#include <vector>

namespace sluice::pipeline {

class Fanout {
 public:
  explicit Fanout(std::size_t helpers);
  Fanout(const Fanout&) = delete;
  Fanout& operator=(const Fanout&) = delete;
  ~Fanout();

  // Runs every job and returns once all have finished; then rethrows the first exception a job
  // threw, if any (the other jobs still ran).
  void run(std::span<const std::function<void()>> jobs);

 private:
  // Takes and runs jobs until none is left to take; with mutex_ held, as on return.
  void work(std::unique_lock<std::mutex>& lock);
  void help(std::stop_token stop);

  std::mutex mutex_;
  std::condition_variable_any more_;  // a run has jobs left to take
  std::condition_variable done_;      // the run's last job finished
  std::span<const std::function<void()>> jobs_;
  std::size_t next_ = 0;     // the next job to take
  std::size_t running_ = 0;  // taken and not yet finished
  std::exception_ptr failure_;
  std::vector<std::jthread> helpers_;  // last: they stop and are joined before the rest goes
};

}  // namespace sluice::pipeline
