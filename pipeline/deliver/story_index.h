// Which published article already told a story, across feeds: one story syndicated into several
// feeds (or linked from a feed and a front page) goes out once.
//
// An article from one feed tells the same story as an earlier one from another feed when
// - both name the same canonical URL (not a site's home page: some feeds link every item there);
// - both have a body of substance (kMinWords words or more) and share most of it, as syndication
//   leaves it: credit lines, datelines and partner footers added, the first or last paragraphs cut,
//   the lede rewritten, copy edits, paragraphs reordered or split. Measured on word-pair shingles
//   (story_sketch.h): each text is at least kBothShare in the other, or the new one is at least
//   kExcerptShare in the earlier one (a cut copy). A different story quoting a paragraph, carrying
//   the same press-release paragraph or repeating background paragraphs shares far less;
// - both are short items (briefs under kMinWords words) with the same headline (normalized) and
//   at least kBriefShare of each text in the other.
// Within one feed, items are told apart by their own identity (feeds/identity.h), so a podcast whose
// episodes all link to the show's page keeps every episode.
//
// Two stages: candidates come from one hash table holding, for each story, its URL, its headline
// (briefs) and the band keys of its sketch, which two texts share with a probability that rises
// steeply with their similarity; each candidate is then verified on the texts' shingles, exactly
// while the earlier story is among the recent ones whose shingles are kept (kRecentBytes, about
// 3 000 stories of 4 KB: the hours in which syndicated copies arrive), and on the sketches
// (estimated) after that. The table holds story numbers only (each story's record has its keys),
// so a story costs under 200 bytes: its record (104 bytes) and its 13 table slots at the table's
// load (60% to 75%); the recent shingles are a fixed 8 MiB at most besides.
//
// Thread-safety: none; the publish thread owns it, and rebuilds it from the journal at start.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "feeds/hashing.h"
#include "pipeline/clean/story_sketch.h"

namespace sluice::pipeline {

// Whether url names one story: not empty, not a site's home page ("https://host/" or "/?...").
bool names_a_story(const std::optional<std::string>& url);

// What the index looks at in an article.
struct StoryFacts {
  std::string_view feed;
  const std::optional<std::string>& url;
  std::string_view title;
  const StorySketch& sketch;
  std::size_t words;
  std::span<const std::uint32_t> shingles = {};  // the text's (sketch_story); empty: not known
};

// The rule by which an article was found to tell an earlier story, with the overlap that decided
// it (of the new text in the earlier one, and of the earlier one in the new).
struct StoryMatch {
  enum class Rule { same_url, same_text, same_brief } rule;
  std::uint64_t seq;
  Overlap overlap;
};
std::string_view rule_name(StoryMatch::Rule rule);

class StoryIndex {
 public:
  // Records are kept in chunks of this many: growing never copies them, nor holds twice their size.
  static constexpr std::size_t kChunk = 4096;
  static constexpr std::size_t kMinWords = 50;
  static constexpr double kBothShare = 0.6;
  static constexpr double kExcerptShare = 0.85;
  static constexpr double kBriefShare = 0.5;
  static constexpr std::size_t kRecentBytes = std::size_t{8} << 20;
  // Stories held at most; at this many, the oldest half is forgotten (a journal of 16 million
  // articles is some 64 GB: retention has removed them long before).
  static constexpr std::size_t kMaxStories = (std::size_t{1} << 24) - 2;

  explicit StoryIndex(std::size_t max_stories = kMaxStories) : max_stories_(std::clamp(max_stories, 2 * kChunk, kMaxStories)) {}

  // The earlier article telling the same story, if any.
  std::optional<StoryMatch> find(const StoryFacts& story) const;

  // shingles: the text's, kept while the story is among the recent ones (story.shingles is not read).
  void add(std::uint64_t seq, const StoryFacts& story, std::vector<std::uint32_t> shingles = {});

  std::size_t size() const noexcept { return size_; }
  // Bytes the index holds (its allocations), for the benchmark and the metrics; the recent
  // stories' shingles (at most kRecentBytes) are counted apart.
  std::size_t memory_bytes() const noexcept;
  std::size_t recent_bytes() const noexcept { return recent_bytes_; }

  // Whether the texts of two stories overlap as the same story's do (the rules above).
  static bool same_text(const Overlap& overlap) noexcept;

 private:
  struct Story {
    std::uint64_t seq;
    std::uint64_t url;  // the canonical URL's hash; 0: none
    std::uint32_t feed;  // index into feeds_
    std::uint32_t shingles : 31;
    std::uint32_t brief : 1;  // keys[0] is the headline's hash, the other keys 0
    StorySketch::Bits bits;
    // The sketch's band keys when indexed by its text; a brief's headline; 0 for none.
    std::array<std::uint32_t, StorySketch::kBands> keys;
  };

  const Story& story(std::uint32_t n) const noexcept { return chunks_[n / kChunk][n % kChunk]; }
  std::uint32_t feed_id(std::string_view feed);
  // Grows the table (and puts the stories before n in again) so that keys more fit.
  void make_room(std::size_t keys, std::uint32_t n);
  void insert_keys(const Story& story, std::uint32_t n);
  void insert(std::uint32_t key, std::uint32_t n);
  // Calls visit(key) for each key the story is stored at: its URL's, then its headline's (a
  // brief) or its band keys.
  template <typename Visit>
  static void for_each_key(const Story& story, Visit&& visit);
  void prefetch(std::uint32_t key) const noexcept;
  void prefetch_keys(const Story& story) const noexcept;
  // Puts the keys of stories 0 to count - 1 into the (emptied) table.
  void reinsert(std::uint32_t count);
  void forget_oldest_half();
  std::size_t slot(std::uint32_t key) const noexcept;
  // Calls visit(story number) for every story stored at key (and a few others: verify).
  template <typename Visit>
  void candidates(std::uint32_t key, Visit&& visit) const;

  // The overlap of a candidate with the story looked up: exact when both texts' shingles are known.
  Overlap overlap(const StoryFacts& facts, std::uint32_t n, const Story& story) const;

  std::vector<std::unique_ptr<Story[]>> chunks_;
  std::size_t size_ = 0;
  std::size_t max_stories_;
  // The shingles of the latest stories, numbers first_recent_ on.
  std::deque<std::vector<std::uint32_t>> recent_;
  std::size_t first_recent_ = 0;
  std::size_t recent_bytes_ = 0;
  // (story number + 1) << kTagBits | the key's low bits, at the slot of one of its keys; 0: empty.
  // The tag spares a lookup reading the records of the other keys' stories (all but 1 in 256).
  static constexpr unsigned kTagBits = 8;
  static constexpr std::uint32_t kTagMask = (1U << kTagBits) - 1;
  std::vector<std::uint32_t> table_;
  std::size_t used_ = 0;
  std::vector<std::string> feeds_;  // names, by index
  // And back; looked up by string_view, without making a string per article.
  std::unordered_map<std::string, std::uint32_t, feeds::StringHash, std::equal_to<>> feed_ids_;
};

}  // namespace sluice::pipeline
