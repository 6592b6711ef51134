#include "pipeline/clean/block_dedup.h"

#include <algorithm>
#include <unordered_set>

#include "feeds/hashing.h"

namespace sluice::pipeline {
namespace {

constexpr std::size_t kShingle = 3;
constexpr std::size_t kSubstantialWords = 8;
constexpr double kRepeatShare = 0.8;
constexpr double kTitleSimilarity = 0.8;

std::vector<std::uint64_t> shingles_of(const std::vector<std::string>& words) {
  std::vector<std::uint64_t> out;
  if (words.empty()) return out;
  const std::size_t width = std::min(kShingle, words.size());
  out.reserve(words.size() - width + 1);
  std::string joined;  // one buffer for every shingle
  for (std::size_t i = 0; i + width <= words.size(); ++i) {
    joined = words[i];
    for (std::size_t k = 1; k < width; ++k) (joined += ' ') += words[i + k];
    out.push_back(feeds::hash64(joined));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<std::uint64_t> shingles(std::string_view text) { return shingles_of(normalized_words(text)); }

}  // namespace

std::size_t typographic_length(std::string_view text, std::size_t at) noexcept {
  static constexpr std::string_view kMarks[] = {
      "\xE2\x80\x98", "\xE2\x80\x99", "\xE2\x80\x9A", "\xE2\x80\x9B", "\xE2\x80\x9C", "\xE2\x80\x9D",
      "\xE2\x80\x9E", "\xE2\x80\x9F", "\xE2\x80\x90", "\xE2\x80\x91", "\xE2\x80\x92", "\xE2\x80\x93",
      "\xE2\x80\x94", "\xE2\x80\x95", "\xE2\x80\xA6", "\xC2\xA0",     "\xC2\xAB",     "\xC2\xBB"};
  for (std::string_view mark : kMarks)
    if (text.compare(at, mark.size(), mark) == 0) return mark.size();
  return 0;
}

std::vector<std::string> normalized_words(std::string_view text) {
  std::vector<std::string> words;
  for_each_normalized_word(text, [&](std::string_view word) { words.emplace_back(word); });
  return words;
}

double text_similarity(std::string_view a, std::string_view b) {
  const std::vector<std::uint64_t> left = shingles(a), right = shingles(b);
  if (left.empty() && right.empty()) return 1.0;
  std::vector<std::uint64_t> common;
  std::set_intersection(left.begin(), left.end(), right.begin(), right.end(), std::back_inserter(common));
  return double(common.size()) / double(left.size() + right.size() - common.size());
}

void remove_repeated_blocks(std::vector<Block>& blocks) {
  std::unordered_set<std::uint64_t> seen;
  std::vector<Block> kept;
  kept.reserve(blocks.size());
  for (Block& block : blocks) {
    const std::vector<std::string> words = normalized_words(block.text);
    if (words.size() < kSubstantialWords) {
      kept.push_back(std::move(block));
      continue;
    }
    const std::vector<std::uint64_t> own = shingles_of(words);
    const auto repeated = std::count_if(own.begin(), own.end(), [&](std::uint64_t s) { return seen.contains(s); });
    if (!own.empty() && double(repeated) >= kRepeatShare * double(own.size())) continue;
    seen.insert(own.begin(), own.end());
    kept.push_back(std::move(block));
  }
  blocks = std::move(kept);
}

std::vector<Block> remove_title_blocks(std::vector<Block>& blocks, std::string_view title) {
  std::vector<Block> lead;
  if (title.empty() || blocks.empty()) return lead;
  const std::size_t title_words = normalized_words(title).size();
  int total = 0;
  for (const Block& block : blocks) total += block.chars;
  std::vector<Block> kept;
  int before = 0;
  bool opened = false;
  for (Block& block : blocks) {
    const bool repeats_title = normalized_words(block.text).size() <= title_words * 2 + 2 &&
                               text_similarity(block.text, title) >= kTitleSimilarity;
    if (repeats_title) {
      if (!opened && before * 4 <= total) {
        for (Block& early : kept) lead.push_back(std::move(early));
        kept.clear();
      }
      opened = true;
      continue;
    }
    before += block.chars;
    kept.push_back(std::move(block));
  }
  blocks = std::move(kept);
  return lead;
}

}  // namespace sluice::pipeline
