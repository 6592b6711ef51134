// Which published article already told a story, across feeds: one story syndicated into several
// feeds (or linked from a feed and a front page) goes out once.
//
// Two articles tell the same story when they come from different feeds and have the same canonical
// URL (not a site's home page: some feeds link every item there), or when both have a body of
// substance (50 words or more) and their SimHash fingerprints are at most 3 bits apart. Within one
// feed, items are told apart by their own identity (feeds/identity.h), so a podcast whose episodes
// all link to the show's page keeps every episode.
// The fingerprints are indexed by their four 16-bit blocks: two fingerprints within 3 bits agree
// on at least one block, so a lookup only compares the few articles that share a block with it,
// and stays fast at millions of articles.
//
// Thread-safety: none; the publish thread owns it, and rebuilds it from the journal at start.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "feeds/hashing.h"
#include "pipeline/deliver/flat_map.h"

namespace sluice::pipeline {

// Whether url names one story: not empty, not a site's home page ("https://host/" or "/?...").
bool names_a_story(const std::optional<std::string>& url);

class StoryIndex {
 public:
  static constexpr int kMaxDistance = 3;
  static constexpr std::size_t kMinWords = 50;

  // The seq of an earlier article telling the same story, if any.
  std::optional<std::uint64_t> find(std::string_view feed, const std::optional<std::string>& url,
                                    std::uint64_t simhash, std::size_t words) const;

  void add(std::uint64_t seq, std::string_view feed, const std::optional<std::string>& url, std::uint64_t simhash,
           std::size_t words);

  std::size_t size() const noexcept { return size_; }

 private:
  // The URL's 64-bit hash → seq and feed of the first article with it. Two URLs sharing a hash
  // would be taken for one story: at a million URLs, a chance of about 3 in 100 million.
  struct Told {
    std::uint64_t seq;
    std::uint32_t feed;  // index into feeds_
  };
  FlatMap<Told> by_url_;
  std::vector<std::string> feeds_;                          // names, by index
  // And back; looked up by string_view, without making a string per article.
  std::unordered_map<std::string, std::uint32_t, feeds::StringHash, std::equal_to<>> feed_ids_;
  // Per block, indexed by the block's value: (fingerprint, seq) of the articles with it.
  using Bucket = std::vector<std::pair<std::uint64_t, std::uint64_t>>;
  std::array<std::vector<Bucket>, 4> by_block_{std::vector<Bucket>(1 << 16), std::vector<Bucket>(1 << 16),
                                               std::vector<Bucket>(1 << 16), std::vector<Bucket>(1 << 16)};
  std::size_t size_ = 0;
};

}  // namespace sluice::pipeline
