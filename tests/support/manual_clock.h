// A clock the test moves by hand, for the fetch stage's schedules: both its monotonic and its
// calendar time start at the real ones and move only through advance(). Thread-safe.
#pragma once

#include <atomic>
#include <chrono>

#include "feeds/fetch/clock.h"

namespace sluice::test {

class ManualClock final : public feeds::Clock {
 public:
  std::chrono::steady_clock::time_point now() const noexcept override {
    return std::chrono::steady_clock::time_point(std::chrono::steady_clock::duration(steady_.load()));
  }
  std::chrono::system_clock::time_point wall() const noexcept override {
    return std::chrono::system_clock::time_point(std::chrono::system_clock::duration(wall_.load()));
  }

  void advance(std::chrono::milliseconds by) noexcept {
    steady_ += std::chrono::duration_cast<std::chrono::steady_clock::duration>(by).count();
    wall_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(by).count();
  }

 private:
  std::atomic<std::chrono::steady_clock::rep> steady_{std::chrono::steady_clock::now().time_since_epoch().count()};
  std::atomic<std::chrono::system_clock::rep> wall_{std::chrono::system_clock::now().time_since_epoch().count()};
};

}  // namespace sluice::test
