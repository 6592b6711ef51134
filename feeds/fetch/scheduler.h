// A timer heap over all feeds: which feed is due next, and when. Time is passed in, never read
// from a clock, so the schedule is testable with any time source.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <queue>
#include <utility>
#include <vector>

namespace sluice::feeds {

class Scheduler {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  // Adds a feed's next poll. A feed should be scheduled once at a time.
  void schedule(std::size_t feed, TimePoint due) { heap_.emplace(due, feed); }

  struct Due {
    std::size_t feed;
    TimePoint at;  // when it was due
  };

  // Removes and returns one feed whose time has come, or nullopt.
  std::optional<Due> pop_due(TimePoint now);

  // When the earliest feed is due, or nullopt when nothing is scheduled.
  std::optional<TimePoint> next_due() const;

  std::size_t size() const noexcept { return heap_.size(); }

 private:
  using Item = std::pair<TimePoint, std::size_t>;
  std::priority_queue<Item, std::vector<Item>, std::greater<>> heap_;
};

}  // namespace sluice::feeds
