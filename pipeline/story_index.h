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
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sluice::pipeline {

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
  // URL → (seq, feed) of the first article with it.
  std::unordered_map<std::string, std::pair<std::uint64_t, std::string>> by_url_;
  // Per block: block value → (fingerprint, seq).
  std::array<std::unordered_map<std::uint16_t, std::vector<std::pair<std::uint64_t, std::uint64_t>>>, 4> by_block_;
  std::size_t size_ = 0;
};

}  // namespace sluice::pipeline
