#include "feeds/fetch/scheduler.h"

namespace sluice::feeds {

std::optional<Scheduler::Due> Scheduler::pop_due(TimePoint now) {
  if (heap_.empty() || heap_.top().first > now) return std::nullopt;
  const Due due{heap_.top().second, heap_.top().first};
  heap_.pop();
  return due;
}

std::optional<Scheduler::TimePoint> Scheduler::next_due() const {
  if (heap_.empty()) return std::nullopt;
  return heap_.top().first;
}

}  // namespace sluice::feeds
