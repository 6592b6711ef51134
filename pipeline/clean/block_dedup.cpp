#include "pipeline/clean/block_dedup.h"

#include <algorithm>
#include <bit>
#include <iterator>

#include "feeds/hashing.h"

namespace sluice::pipeline {
namespace {

constexpr std::size_t kShingle = 3;
constexpr std::size_t kSubstantialWords = 8;
constexpr double kRepeatShare = 0.8;
constexpr double kTitleSimilarity = 0.8;

using Hashes = std::vector<std::uint64_t>;

// Each shingle of kShingle words (the whole text when it has fewer), in order: the words' hashes
// combined in order.
template <typename Visit>
void for_each_shingle(const Hashes& words, Visit&& visit) {
  if (words.empty()) return;
  const std::size_t width = std::min(kShingle, words.size());
  for (std::size_t i = 0; i + width <= words.size(); ++i) {
    std::uint64_t shingle = 0;
    for (std::size_t k = 0; k < width; ++k) shingle = feeds::mix64(shingle * 0x9E3779B97F4A7C15ULL + words[i + k]);
    visit(shingle);
  }
}

// The distinct shingles, sorted, into out.
void shingles_of(const Hashes& words, Hashes& out) {
  out.clear();
  out.reserve(words.size());
  for_each_shingle(words, [&](std::uint64_t shingle) { out.push_back(shingle); });
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
}

double jaccard(const Hashes& left, const Hashes& right) {
  if (left.empty() && right.empty()) return 1.0;
  const std::size_t common = count_common(left, right);
  return double(common) / double(left.size() + right.size() - common);
}

// The blocks' word hashes, read once for both passes below (and kept for the story sketch).
void read_words(std::vector<Block>& blocks) {
  for (Block& block : blocks) word_hashes(block.text, block.word_hashes);
}

std::vector<Block> remove_title(std::vector<Block>& blocks, std::string_view title) {
  std::vector<Block> lead;
  if (title.empty() || blocks.empty()) return lead;
  Hashes title_words, title_shingles, own;
  word_hashes(title, title_words);
  shingles_of(title_words, title_shingles);
  int total = 0;
  for (const Block& block : blocks) total += block.chars;
  std::vector<Block> kept;
  int before = 0;
  bool opened = false;
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    bool repeats_title = false;
    const Hashes& words = blocks[i].word_hashes;
    if (words.size() <= title_words.size() * 2 + 2) {
      shingles_of(words, own);
      repeats_title = jaccard(own, title_shingles) >= kTitleSimilarity;
    }
    if (repeats_title) {
      if (!opened && before * 4 <= total) {
        for (Block& early : kept) lead.push_back(std::move(early));
        kept.clear();
      }
      opened = true;
      continue;
    }
    before += blocks[i].chars;
    kept.push_back(std::move(blocks[i]));
  }
  blocks = std::move(kept);
  return lead;
}

// The shingles of the blocks kept so far, for remove_repeated: an open-addressing table (linear
// probing) of shingle hashes, each with the last block that had it.
class SeenShingles {
 public:
  explicit SeenShingles(std::size_t most) : slots_(std::bit_ceil(std::max<std::size_t>(16, most * 2))) {}

  // Adds block's shingle; whether an earlier block had it. A shingle the block had already is
  // neither counted again (*fresh false) nor repeated.
  bool add(std::uint64_t shingle, std::uint32_t block, bool* fresh) {
    shingle = std::max<std::uint64_t>(shingle, kTombstone + 1);  // 0 marks a free slot, 1 a forgotten one
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t at = feeds::mix64(shingle) & mask;; at = (at + 1) & mask) {
      Slot& slot = slots_[at];
      if (slot.shingle == kEmpty) {
        slot = {shingle, block};
        added_.push_back(at);
        *fresh = true;
        return false;
      }
      if (slot.shingle != shingle) continue;
      *fresh = slot.block != block;
      slot.block = block;
      return *fresh;
    }
  }

  // What the blocks added since the last keep() or drop(): kept as seen, or forgotten.
  void keep() { added_.clear(); }
  void drop() {
    for (const std::size_t at : added_) slots_[at].shingle = kTombstone;
    added_.clear();
  }

 private:
  static constexpr std::uint64_t kEmpty = 0, kTombstone = 1;
  struct Slot {
    std::uint64_t shingle = kEmpty;
    std::uint32_t block = 0;
  };
  std::vector<Slot> slots_;
  std::vector<std::size_t> added_;
};

void remove_repeated(std::vector<Block>& blocks) {
  std::size_t total = 0;
  for (const Block& block : blocks) total += block.word_hashes.size();
  SeenShingles seen(total);
  std::size_t kept = 0;
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    if (blocks[i].word_hashes.size() >= kSubstantialWords) {
      std::size_t distinct = 0, repeated = 0;
      for_each_shingle(blocks[i].word_hashes, [&](std::uint64_t shingle) {
        bool fresh = false;
        repeated += seen.add(shingle, static_cast<std::uint32_t>(i), &fresh);
        distinct += fresh;
      });
      if (distinct > 0 && double(repeated) >= kRepeatShare * double(distinct)) {
        seen.drop();
        continue;
      }
      seen.keep();
    }
    if (kept != i) blocks[kept] = std::move(blocks[i]);
    ++kept;
  }
  blocks.resize(kept);
}

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
  Hashes words, left, right;
  word_hashes(a, words);
  shingles_of(words, left);
  word_hashes(b, words);
  shingles_of(words, right);
  return jaccard(left, right);
}

void word_hashes(std::string_view text, std::vector<std::uint64_t>& out) {
  out.clear();
  for_each_normalized_word(text, [&](std::string_view word) { out.push_back(feeds::hash64(word)); });
}

void remove_repeated_blocks(std::vector<Block>& blocks) {
  read_words(blocks);
  remove_repeated(blocks);
}

std::vector<Block> remove_title_blocks(std::vector<Block>& blocks, std::string_view title) {
  read_words(blocks);
  return remove_title(blocks, title);
}

std::vector<Block> remove_title_and_repeated_blocks(std::vector<Block>& blocks, std::string_view title) {
  read_words(blocks);
  std::vector<Block> lead = remove_title(blocks, title);
  remove_repeated(blocks);
  return lead;
}

}  // namespace sluice::pipeline
