#include "pipeline/deliver/story_index.h"

#include "feeds/hashing.h"
#include "pipeline/clean/simhash.h"

namespace sluice::pipeline {
namespace {

std::uint16_t block(std::uint64_t fingerprint, std::size_t index) {
  return static_cast<std::uint16_t>(fingerprint >> (16 * index));
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

std::optional<std::uint64_t> StoryIndex::find(std::string_view feed, const std::optional<std::string>& url,
                                              std::uint64_t simhash, std::size_t words) const {
  if (names_a_story(url))
    if (const Told* told = by_url_.find(feeds::hash64(*url)); told && feeds_[told->feed] != feed) return told->seq;
  if (words < kMinWords) return std::nullopt;
  for (std::size_t i = 0; i < by_block_.size(); ++i)
    for (const auto& [fingerprint, seq] : by_block_[i][block(simhash, i)])
      if (hamming_distance(fingerprint, simhash) <= kMaxDistance) return seq;
  return std::nullopt;
}

void StoryIndex::add(std::uint64_t seq, std::string_view feed, const std::optional<std::string>& url,
                     std::uint64_t simhash, std::size_t words) {
  if (names_a_story(url)) {
    auto known = feed_ids_.find(feed);
    if (known == feed_ids_.end()) {
      known = feed_ids_.emplace(std::string(feed), static_cast<std::uint32_t>(feeds_.size())).first;
      feeds_.emplace_back(feed);
    }
    by_url_.insert(feeds::hash64(*url), Told{seq, known->second});
  }
  if (words >= kMinWords)
    for (std::size_t i = 0; i < by_block_.size(); ++i) {
      Bucket& bucket = by_block_[i][block(simhash, i)];
      // Room for a few from the start: most buckets hold one to three until the index is large,
      // and growing one entry at a time would reallocate at nearly every add.
      if (bucket.empty()) bucket.reserve(4);
      bucket.emplace_back(simhash, seq);
    }
  ++size_;
}

}  // namespace sluice::pipeline
