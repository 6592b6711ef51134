#include "pipeline/deliver/story_index.h"

#include <algorithm>

#include "feeds/hashing.h"

namespace sluice::pipeline {
namespace {

// Where a key's stories are: URL and headline keys are moved off the band keys' values by a salt.
constexpr std::uint32_t kUrlSalt = 0x5BD1E995U;
constexpr std::uint32_t kTitleSalt = 0x27D4EB2FU;

std::uint64_t url_hash(const std::optional<std::string>& url) {
  if (!names_a_story(url)) return 0;
  const std::uint64_t hash = feeds::hash64(*url);
  return hash == 0 ? 1 : hash;
}

// Where a URL's stories are in the table.
std::uint32_t url_key(std::uint64_t url) { return static_cast<std::uint32_t>(url) ^ kUrlSalt; }

// A brief's headline (headline_hash, low half); 0 for an article of substance or no headline.
std::uint32_t title_hash(const StoryFacts& story) {
  if (story.words >= StoryIndex::kMinWords) return 0;
  const std::uint64_t hash = headline_hash(story.title);
  const auto low = static_cast<std::uint32_t>(hash);
  return hash == 0 ? 0 : low == 0 ? 1 : low;
}

}  // namespace

bool names_a_story(const std::optional<std::string>& url) {
  if (!url || url->empty()) return false;
  const std::size_t scheme = url->find("://");
  const std::size_t path = url->find('/', scheme == std::string::npos ? 0 : scheme + 3);
  if (path == std::string::npos) return false;
  const std::size_t end = url->find_first_of("?#", path);
  return (end == std::string::npos ? url->size() : end) - path > 1;
}

std::string_view rule_name(StoryMatch::Rule rule) {
  switch (rule) {
    case StoryMatch::Rule::same_url: return "same_url";
    case StoryMatch::Rule::same_text: return "same_text";
    case StoryMatch::Rule::same_brief: return "same_brief";
  }
  return "same_story";
}

bool StoryIndex::same_text(const Overlap& overlap) noexcept {
  return std::min(overlap.of_first, overlap.of_second) >= kBothShare || overlap.of_first >= kExcerptShare;
}

template <typename Visit>
void StoryIndex::candidates(std::uint32_t key, Visit&& visit) const {
  if (table_.empty()) return;
  const std::uint32_t tag = key & kTagMask;
  for (std::size_t at = slot(key); table_[at] != 0; at = at + 1 == table_.size() ? 0 : at + 1)
    if ((table_[at] & kTagMask) == tag) visit((table_[at] >> kTagBits) - 1);
}

template <typename Visit>
void StoryIndex::for_each_key(const Story& s, Visit&& visit) {
  if (s.url != 0) visit(url_key(s.url));
  if (s.brief) {
    visit(s.keys[0] ^ kTitleSalt);
    return;
  }
  for (const std::uint32_t key : s.keys)
    if (key != 0) visit(key);
}

void StoryIndex::prefetch(std::uint32_t key) const noexcept {
  if (!table_.empty()) __builtin_prefetch(&table_[slot(key)]);
}

std::optional<StoryMatch> StoryIndex::find(const StoryFacts& facts) const {
  const auto known = feed_ids_.find(facts.feed);
  const std::uint32_t feed = known == feed_ids_.end() ? ~std::uint32_t{0} : known->second;
  // The table's lines for every key are asked for at once, so their cache misses overlap.
  const std::uint64_t url = url_hash(facts.url);
  if (url != 0) prefetch(url_key(url));
  if (facts.words >= kMinWords)
    for (const std::uint32_t key : facts.sketch.bands) prefetch(key);
  if (url != 0) {
    std::optional<StoryMatch> match;
    candidates(url_key(url), [&](std::uint32_t n) {
      const Story& s = story(n);
      if (!match && s.url == url && s.feed != feed) match = StoryMatch{StoryMatch::Rule::same_url, s.seq, {}};
    });
    if (match) return match;
  }
  if (facts.sketch.empty()) return std::nullopt;
  std::optional<StoryMatch> best;
  const auto consider = [&](std::uint32_t n, const Story& s, StoryMatch::Rule rule) {
    const Overlap overlap = this->overlap(facts, n, s);
    const bool same = rule == StoryMatch::Rule::same_brief
                          ? std::min(overlap.of_first, overlap.of_second) >= kBriefShare
                          : same_text(overlap);
    if (same && (!best || overlap.jaccard > best->overlap.jaccard)) best = StoryMatch{rule, s.seq, overlap};
  };
  if (const std::uint32_t title = title_hash(facts)) {
    candidates(title ^ kTitleSalt, [&](std::uint32_t n) {
      const Story& s = story(n);
      if (s.brief && s.keys[0] == title && s.feed != feed) consider(n, s, StoryMatch::Rule::same_brief);
    });
    return best;
  }
  if (facts.words < kMinWords) return std::nullopt;
  for (std::size_t band = 0; band < StorySketch::kBands; ++band) {
    const std::uint32_t key = facts.sketch.bands[band];
    candidates(key, [&](std::uint32_t n) {
      const Story& s = story(n);
      if (!s.brief && s.keys[band] == key && s.feed != feed) consider(n, s, StoryMatch::Rule::same_text);
    });
  }
  return best;
}

Overlap StoryIndex::overlap(const StoryFacts& facts, std::uint32_t n, const Story& s) const {
  if (n >= first_recent_ && !facts.shingles.empty())
    if (const std::vector<std::uint32_t>& earlier = recent_[n - first_recent_]; !earlier.empty())
      return exact_overlap(facts.shingles, earlier);
  return estimate_overlap(facts.sketch.bits, facts.sketch.shingles, s.bits, s.shingles);
}

std::uint32_t StoryIndex::feed_id(std::string_view feed) {
  auto known = feed_ids_.find(feed);
  if (known == feed_ids_.end()) {
    known = feed_ids_.emplace(std::string(feed), static_cast<std::uint32_t>(feeds_.size())).first;
    feeds_.emplace_back(feed);
  }
  return known->second;
}

void StoryIndex::add(std::uint64_t seq, const StoryFacts& facts, std::vector<std::uint32_t> shingles) {
  if (size_ == max_stories_) forget_oldest_half();
  if (size_ % kChunk == 0) chunks_.push_back(std::make_unique<Story[]>(kChunk));
  Story& s = chunks_.back()[size_ % kChunk];
  s.seq = seq;
  s.url = url_hash(facts.url);
  s.feed = feed_id(facts.feed);
  s.shingles = std::min(facts.sketch.shingles, 0x7FFFFFFFU) & 0x7FFFFFFFU;
  s.bits = facts.sketch.bits;
  s.keys = {};
  const std::uint32_t title = title_hash(facts);
  s.brief = title != 0;
  if (s.brief)
    s.keys[0] = title;
  else if (facts.words >= kMinWords && !facts.sketch.empty())
    s.keys = facts.sketch.bands;
  const auto n = static_cast<std::uint32_t>(size_++);
  make_room(1 + StorySketch::kBands, n);
  prefetch_keys(s);
  insert_keys(s, n);
  recent_bytes_ += shingles.size() * sizeof(std::uint32_t);
  recent_.push_back(std::move(shingles));
  while (recent_bytes_ > kRecentBytes) {
    recent_bytes_ -= recent_.front().size() * sizeof(std::uint32_t);
    recent_.pop_front();
    ++first_recent_;
  }
}

void StoryIndex::insert_keys(const Story& s, std::uint32_t n) {
  for_each_key(s, [&](std::uint32_t key) { insert(key, n); });
}

void StoryIndex::make_room(std::size_t keys, std::uint32_t n) {
  // Between 60% and 75% full: a lookup scans a short run of slots (their tags) per key, and the
  // table costs at most 87 bytes per story of 13 keys. Growing by a quarter puts each key in
  // again about five times over its life, from the records; fuller tables or larger steps cost
  // lookups more (measured with bench/publish_throughput) or memory past 200 bytes a story.
  if ((used_ + keys) * 4 <= table_.size() * 3) return;
  std::size_t slots = std::max<std::size_t>(1024, table_.size());
  while ((used_ + keys) * 4 > slots * 3) slots += slots / 4;
  table_.assign(slots, 0);
  used_ = 0;
  reinsert(n);
}

void StoryIndex::reinsert(std::uint32_t count) {
  // The slots of the stories a few ahead are asked for while these go in: their cache misses
  // overlap instead of coming one after the other.
  constexpr std::uint32_t kAhead = 4;
  for (std::uint32_t n = 0; n < count; ++n) {
    if (n + kAhead < count) prefetch_keys(story(n + kAhead));
    insert_keys(story(n), n);
  }
}

void StoryIndex::prefetch_keys(const Story& s) const noexcept {
  for_each_key(s, [&](std::uint32_t key) { prefetch(key); });
}

std::size_t StoryIndex::slot(std::uint32_t key) const noexcept {
  // The key's share of the table's size (keys are hashes: uniform over 32 bits).
  return static_cast<std::size_t>((std::uint64_t{key} * table_.size()) >> 32);
}

void StoryIndex::insert(std::uint32_t key, std::uint32_t n) {
  std::size_t at = slot(key);
  while (table_[at] != 0) at = at + 1 == table_.size() ? 0 : at + 1;
  table_[at] = (n + 1) << kTagBits | (key & kTagMask);
  ++used_;
}

void StoryIndex::forget_oldest_half() {
  const std::size_t chunks = chunks_.size() / 2;
  const std::size_t dropped = chunks * kChunk;
  chunks_.erase(chunks_.begin(), chunks_.begin() + static_cast<std::ptrdiff_t>(chunks));
  size_ -= dropped;
  while (first_recent_ < dropped && !recent_.empty()) {
    recent_bytes_ -= recent_.front().size() * sizeof(std::uint32_t);
    recent_.pop_front();
    ++first_recent_;
  }
  first_recent_ -= std::min(first_recent_, dropped);
  std::fill(table_.begin(), table_.end(), 0);
  used_ = 0;
  reinsert(static_cast<std::uint32_t>(size_));
}

std::size_t StoryIndex::memory_bytes() const noexcept {
  std::size_t bytes = chunks_.size() * (kChunk * sizeof(Story) + sizeof(chunks_[0])) + table_.capacity() * sizeof(table_[0]);
  for (const std::string& feed : feeds_) bytes += sizeof feed + feed.capacity() + sizeof(std::uint32_t) + 32;
  return bytes;
}

}  // namespace sluice::pipeline
