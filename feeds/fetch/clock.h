// The time the fetch stage schedules by. The daemon uses the real clocks; tests hand the Poller a
// clock they move by hand, so that schedules, back-offs and Retry-After are checked without
// waiting for them.
#pragma once

#include <chrono>

namespace sluice::feeds {

class Clock {
 public:
  virtual ~Clock() = default;
  // Monotonic time, for schedules and waits.
  virtual std::chrono::steady_clock::time_point now() const noexcept = 0;
  // Calendar time, for what is stored across restarts (next due) and for reports.
  virtual std::chrono::system_clock::time_point wall() const noexcept = 0;

  // std::chrono::steady_clock and std::chrono::system_clock.
  static const Clock& real() noexcept;
};

}  // namespace sluice::feeds
