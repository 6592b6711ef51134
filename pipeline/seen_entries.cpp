#include "pipeline/seen_entries.h"

namespace sluice::pipeline {

bool SeenEntries::insert(const std::string& feed, const std::string& key) {
  const std::lock_guard lock(mutex_);
  Feed& seen = feeds_[feed];
  if (!seen.keys.insert(key).second) return false;
  seen.order.push_back(key);
  if (seen.order.size() > per_feed_) {
    seen.keys.erase(seen.order.front());
    seen.order.pop_front();
  }
  return true;
}

bool SeenEntries::contains(const std::string& feed, const std::string& key) {
  const std::lock_guard lock(mutex_);
  const auto found = feeds_.find(feed);
  return found != feeds_.end() && found->second.keys.contains(key);
}

void SeenEntries::restore(const std::string& feed, const std::vector<std::string>& keys) {
  for (const std::string& key : keys) insert(feed, key);
}

}  // namespace sluice::pipeline
