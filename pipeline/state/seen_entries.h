// Which entries each feed has already published, and in what form, so a re-poll publishes only
// what is new or edited. The working set in memory; StateStore keeps it across restarts.
//
// An entry is known by its key (feeds::entry_key) with two fingerprints: `content`, of the entry
// as the feed gave it, and `text`, of its cleaned title and text. A changed content fingerprint
// sends the entry through cleaning again; only a changed text fingerprint makes it a new revision,
// so markup churn (a tracking pixel, a rewritten link) is never republished. A fingerprint of 0 is
// unknown (a link of an HTML feed, or state kept by an older sluice): it is learned, not reported.
// Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace sluice::pipeline {

struct SeenEntry {
  std::string key;
  std::uint64_t content = 0;
  std::uint64_t text = 0;
  std::uint32_t revision = 1;

  bool operator==(const SeenEntry&) const = default;
};

class SeenEntries {
 public:
  static constexpr std::size_t kDefaultPerFeed = 20'000;

  // Remembers at most `per_feed` entries per feed, forgetting the oldest first: more than a
  // document may hold (max_items), so what a feed lists now is always remembered.
  explicit SeenEntries(std::size_t per_feed = kDefaultPerFeed) : per_feed_(per_feed < 1 ? 1 : per_feed) {}

  enum class Change { fresh, same, edited };
  // Says whether the entry is new, as before, or edited. A new entry is recorded with its content
  // fingerprint at once; an edited one only when settle() takes the edit.
  Change observe(const std::string& feed, const std::string& key, std::uint64_t content);

  // After a fresh or edited entry was cleaned: records its fingerprints and returns the entry with
  // the revision to publish. `publish` is false when there is nothing to publish (the text is as
  // before, or was unknown until now); `held` when the text changed within `min_gap` of the
  // entry's last publication (at `now`, Unix seconds): nothing is recorded then, so the entry is
  // edited again next time, and goes out once the gap has passed. Call only after observe() said
  // fresh or edited.
  struct Settled {
    SeenEntry entry;
    bool publish;
    bool held = false;
  };
  Settled settle(const std::string& feed, const std::string& key, Change change, std::uint64_t content,
                 std::uint64_t text, std::int64_t now = 0, std::chrono::seconds min_gap = std::chrono::seconds(0));

  // Records key for feed with unknown fingerprints; true when it was not seen before.
  bool insert(const std::string& feed, const std::string& key);

  // Whether anything is recorded for feed: false until its first document was read.
  bool knows(const std::string& feed);

  // Whether key is recorded for feed, without recording it.
  bool contains(const std::string& feed, const std::string& key);

  // Remembers entries from an earlier run (oldest first) without reporting them.
  void restore(const std::string& feed, const std::vector<SeenEntry>& entries);

 private:
  struct Known {
    std::uint64_t content = 0;
    std::uint64_t text = 0;
    std::uint32_t revision = 1;
    std::int64_t published_at = 0;  // Unix seconds of its last publication in this run; 0 unknown
  };
  struct Feed {
    std::unordered_map<std::string, Known> entries;
    std::deque<std::string> order;
  };
  // The entry, added (and the oldest forgotten) when new; sets added. Needs mutex_ held.
  Known& find_or_add(const std::string& feed, const std::string& key, bool& added);

  std::size_t per_feed_;
  std::mutex mutex_;
  std::unordered_map<std::string, Feed> feeds_;
};

}  // namespace sluice::pipeline
