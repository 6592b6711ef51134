#include "pipeline/story_index.h"

#include "pipeline/simhash.h"

namespace sluice::pipeline {
namespace {

std::uint16_t block(std::uint64_t fingerprint, std::size_t index) {
  return static_cast<std::uint16_t>(fingerprint >> (16 * index));
}

}  // namespace

std::optional<std::uint64_t> StoryIndex::find(const std::optional<std::string>& url, std::uint64_t simhash,
                                              std::size_t words) const {
  if (url && !url->empty())
    if (const auto found = by_url_.find(*url); found != by_url_.end()) return found->second;
  if (words < kMinWords) return std::nullopt;
  for (std::size_t i = 0; i < by_block_.size(); ++i) {
    const auto bucket = by_block_[i].find(block(simhash, i));
    if (bucket == by_block_[i].end()) continue;
    for (const auto& [fingerprint, seq] : bucket->second)
      if (hamming_distance(fingerprint, simhash) <= kMaxDistance) return seq;
  }
  return std::nullopt;
}

void StoryIndex::add(std::uint64_t seq, const std::optional<std::string>& url, std::uint64_t simhash,
                     std::size_t words) {
  if (url && !url->empty()) by_url_.try_emplace(*url, seq);
  if (words >= kMinWords)
    for (std::size_t i = 0; i < by_block_.size(); ++i) by_block_[i][block(simhash, i)].emplace_back(simhash, seq);
  ++size_;
}

}  // namespace sluice::pipeline
