// How often to poll a feed: its configured interval, or one adapted to how often it actually
// posts, never shorter than the server or the feed itself asks (Cache-Control, Expires, RSS <ttl>),
// always within min_interval..max_interval.
#pragma once

#include <chrono>
#include <optional>

#include "config/config.h"
#include "feeds/model.h"

namespace sluice::feeds {

// A feed's typical time between posts: the (lower) median gap between its newest entries (up to 20, by
// published or else updated date). nullopt with fewer than three dated entries.
std::optional<std::chrono::seconds> posting_interval(const FeedDocument& document);

// The poll interval that follows from the posting interval: a quarter of it, so a new post waits
// on average an eighth of the gap.
std::chrono::milliseconds adapted_interval(std::chrono::seconds posting);

struct Cadence {
  std::optional<std::chrono::milliseconds> adapted;  // from posting_interval(), when known
  std::chrono::seconds ttl{0};                       // RSS <ttl>
  std::chrono::seconds fresh_for{0};                 // Cache-Control max-age / Expires of the last answer
};

// The interval until the next poll of a healthy feed.
std::chrono::milliseconds next_interval(const config::PollSettings& poll, const Cadence& cadence);

}  // namespace sluice::feeds
