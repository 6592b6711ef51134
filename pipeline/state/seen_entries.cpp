#include "pipeline/state/seen_entries.h"

namespace sluice::pipeline {

SeenEntries::Known& SeenEntries::find_or_add(const std::string& feed, const std::string& key, bool& added) {
  Feed& seen = feeds_[feed];
  auto [at, inserted] = seen.entries.try_emplace(key);
  added = inserted;
  if (inserted) {
    seen.order.push_back(key);
    if (seen.order.size() > per_feed_) {
      seen.entries.erase(seen.order.front());
      seen.order.pop_front();  // never key itself: per_feed_ is at least 1
    }
  }
  return at->second;
}

SeenEntries::Change SeenEntries::observe(const std::string& feed, const std::string& key, std::uint64_t content) {
  const std::lock_guard lock(mutex_);
  bool added = false;
  Known& known = find_or_add(feed, key, added);
  if (added) {
    known.content = content;
    return Change::fresh;
  }
  if (known.content == content) return Change::same;
  // An entry kept without a fingerprint is learned as it is now, not taken for an edit.
  if (known.content == 0) {
    known.content = content;
    return Change::same;
  }
  return Change::edited;
}

SeenEntries::Settled SeenEntries::settle(const std::string& feed, const std::string& key, Change change,
                                         std::uint64_t content, std::uint64_t text, std::int64_t now,
                                         std::chrono::seconds min_gap) {
  const std::lock_guard lock(mutex_);
  bool added = false;
  Known& known = find_or_add(feed, key, added);
  bool publish = false;
  if (change == Change::fresh || added) {
    known.text = text;
    publish = true;
  } else if (known.text != 0 && known.text != text) {
    if (known.published_at != 0 && now - known.published_at < min_gap.count())
      return {SeenEntry{key, known.content, known.text, known.revision}, false, true};
    ++known.revision;
    publish = true;
  }
  known.content = content;
  known.text = text;
  if (publish) known.published_at = now;
  return {SeenEntry{key, known.content, known.text, known.revision}, publish};
}

bool SeenEntries::insert(const std::string& feed, const std::string& key) {
  const std::lock_guard lock(mutex_);
  bool added = false;
  find_or_add(feed, key, added);
  return added;
}

bool SeenEntries::knows(const std::string& feed) {
  const std::lock_guard lock(mutex_);
  const auto found = feeds_.find(feed);
  return found != feeds_.end() && !found->second.entries.empty();
}

bool SeenEntries::contains(const std::string& feed, const std::string& key) {
  const std::lock_guard lock(mutex_);
  const auto found = feeds_.find(feed);
  return found != feeds_.end() && found->second.entries.contains(key);
}

void SeenEntries::restore(const std::string& feed, const std::vector<SeenEntry>& entries) {
  const std::lock_guard lock(mutex_);
  for (const SeenEntry& entry : entries) {
    bool added = false;
    Known& known = find_or_add(feed, entry.key, added);
    known = {entry.content, entry.text, entry.revision};
  }
}

}  // namespace sluice::pipeline
