// Which entries each feed has already published, so a re-poll publishes only what is new. The
// working set in memory; StateStore keeps it across restarts. Thread-safe.
#pragma once

#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace sluice::pipeline {

class SeenEntries {
 public:
  // Remembers at most `per_feed` keys per feed, forgetting the oldest first: far more than any
  // feed keeps in its document.
  explicit SeenEntries(std::size_t per_feed = 20'000) : per_feed_(per_feed) {}

  // Records key for feed; true when it was not seen before.
  bool insert(const std::string& feed, const std::string& key);

  // Whether key is recorded for feed, without recording it.
  bool contains(const std::string& feed, const std::string& key);

  // Remembers keys from an earlier run (oldest first) without reporting them.
  void restore(const std::string& feed, const std::vector<std::string>& keys);

 private:
  struct Feed {
    std::unordered_set<std::string> keys;
    std::deque<std::string> order;
  };

  std::size_t per_feed_;
  std::mutex mutex_;
  std::unordered_map<std::string, Feed> feeds_;
};

}  // namespace sluice::pipeline
