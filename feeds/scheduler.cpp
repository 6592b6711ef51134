#include "feeds/scheduler.h"

namespace sluice::feeds {

std::optional<std::size_t> Scheduler::pop_due(TimePoint now) {
  if (heap_.empty() || heap_.top().first > now) return std::nullopt;
  const std::size_t feed = heap_.top().second;
  heap_.pop();
  return feed;
}

std::optional<Scheduler::TimePoint> Scheduler::next_due() const {
  if (heap_.empty()) return std::nullopt;
  return heap_.top().first;
}

}  // namespace sluice::feeds
