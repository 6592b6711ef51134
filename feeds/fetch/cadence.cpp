#include "feeds/fetch/cadence.h"

#include <algorithm>
#include <vector>

namespace sluice::feeds {

using std::chrono::milliseconds;
using std::chrono::seconds;

std::optional<seconds> posting_interval(const FeedDocument& document) {
  std::vector<Timestamp> dates;
  for (const Entry& entry : document.entries) {
    if (entry.published) dates.push_back(*entry.published);
    else if (entry.updated) dates.push_back(*entry.updated);
  }
  std::sort(dates.begin(), dates.end(), std::greater<>());
  dates.erase(std::unique(dates.begin(), dates.end()), dates.end());
  if (dates.size() > 20) dates.resize(20);
  if (dates.size() < 3) return std::nullopt;
  std::vector<seconds> gaps;
  for (std::size_t i = 1; i < dates.size(); ++i) gaps.push_back(dates[i - 1] - dates[i]);
  // The lower median: with an even count, the shorter of the middle two. A feed that posts again
  // after a long silence is polled at its new pace, not left for max_interval on the old one.
  const std::size_t middle = (gaps.size() - 1) / 2;
  std::nth_element(gaps.begin(), gaps.begin() + static_cast<std::ptrdiff_t>(middle), gaps.end());
  return gaps[middle];
}

milliseconds adapted_interval(seconds posting) { return std::chrono::duration_cast<milliseconds>(posting) / 4; }

milliseconds next_interval(const config::PollSettings& poll, const Cadence& cadence) {
  milliseconds interval = cadence.adapted.value_or(poll.interval);
  interval = std::max<milliseconds>({interval, cadence.ttl, cadence.fresh_for});
  return std::clamp(interval, poll.min_interval, poll.max_interval);
}

}  // namespace sluice::feeds
