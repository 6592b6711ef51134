#include "pipeline/clean/story_sketch.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>

#include "feeds/hashing.h"
#include "pipeline/clean/block_dedup.h"

namespace sluice::pipeline {
namespace {

constexpr std::size_t kBins = StorySketch::kBins;
constexpr int kBinBits = std::countr_zero(kBins);
static_assert(std::has_single_bit(kBins) && kBins % 32 == 0 && 2 * StorySketch::kBands <= kBins);

using feeds::mix64;

class Sketcher {
 public:
  explicit Sketcher(std::size_t text_bytes) {
    minima_.fill(kEmpty);
    shingles_.reserve(text_bytes / 5);
  }

  // Each word makes a shingle with the word before it; a text of one word is its own shingle.
  void word(std::string_view word) { word_hash(feeds::hash64(word)); }

  void word_hash(std::uint64_t hash) {
    if (words_++ > 0) add(mix64(previous_ * 0x9E3779B97F4A7C15ULL ^ hash));
    previous_ = hash;
  }

  // The sketch; shingles, when given, receives the text's distinct shingles (32-bit hashes, sorted).
  StorySketch finish(std::vector<std::uint32_t>* shingles) {
    if (words_ == 1) add(mix64(previous_));
    StorySketch sketch;
    std::sort(shingles_.begin(), shingles_.end());
    shingles_.erase(std::unique(shingles_.begin(), shingles_.end()), shingles_.end());
    sketch.shingles = static_cast<std::uint32_t>(
        std::min<std::size_t>(shingles_.size(), std::numeric_limits<std::uint32_t>::max()));
    if (shingles != nullptr) *shingles = std::move(shingles_);
    if (words_ == 0) return sketch;
    densify();
    for (std::size_t bin = 0; bin < kBins; ++bin)
      sketch.bits[bin / 4] |= static_cast<std::uint8_t>((minima_[bin] & 3) << (bin % 4 * 2));
    for (std::size_t band = 0; band < StorySketch::kBands; ++band) {
      const auto key = static_cast<std::uint32_t>(
          mix64((std::uint64_t{minima_[2 * band]} << 32 | minima_[2 * band + 1]) + band * 0xD6E8FEB86659FD93ULL));
      sketch.bands[band] = key == 0 ? 1 : key;  // 0 means "no key" where keys are stored
    }
    return sketch;
  }

 private:
  // The bin's value when no shingle fell in it; a shingle's value is below it (32 bits, shifted).
  static constexpr std::uint64_t kEmpty = std::numeric_limits<std::uint64_t>::max();

  void add(std::uint64_t hash) {
    shingles_.push_back(static_cast<std::uint32_t>(hash));
    std::uint64_t& minimum = minima_[hash >> (64 - kBinBits)];
    minimum = std::min<std::uint64_t>(minimum, hash & 0xFFFFFFFFU);
  }

  // An empty bin takes the minimum of the first non-empty bin its own hash sequence lands on: the
  // same sequence in every text, so two texts fill it alike with the probability their similarity is.
  void densify() {
    for (std::size_t bin = 0; bin < kBins; ++bin) {
      if (minima_[bin] != kEmpty) continue;
      for (std::uint64_t attempt = 1;; ++attempt) {
        const std::uint64_t from = mix64(bin * 0x100000001B3ULL + attempt) >> (64 - kBinBits);
        if (minima_[from] != kEmpty) {
          densified_[bin] = minima_[from];
          break;
        }
      }
    }
    for (std::size_t bin = 0; bin < kBins; ++bin)
      if (minima_[bin] == kEmpty) minima_[bin] = densified_[bin];
  }

  std::array<std::uint64_t, kBins> minima_;
  std::array<std::uint64_t, kBins> densified_{};  // what empty bins borrow, from bins that were not
  std::vector<std::uint32_t> shingles_;  // each shingle's value, as often as it occurs
  std::uint64_t previous_ = 0;
  std::size_t words_ = 0;
};

}  // namespace

StorySketch sketch_story(std::string_view text, std::vector<std::uint32_t>* shingles) {
  Sketcher sketcher(text.size());
  for_each_normalized_word(text, [&](std::string_view word) { sketcher.word(word); });
  return sketcher.finish(shingles);
}

StorySketch sketch_story(const std::vector<std::string>& paragraphs, std::vector<std::uint32_t>* shingles) {
  std::size_t bytes = 0;
  for (const std::string& paragraph : paragraphs) bytes += paragraph.size() + 1;
  Sketcher sketcher(bytes);
  // Paragraph breaks end no word and start no shingle: as one text joined by blank lines.
  for (const std::string& paragraph : paragraphs)
    for_each_normalized_word(paragraph, [&](std::string_view word) { sketcher.word(word); });
  return sketcher.finish(shingles);
}

StorySketch sketch_words(std::span<const std::uint64_t> word_hashes, std::vector<std::uint32_t>* shingles) {
  Sketcher sketcher((word_hashes.size() + 1) * 5);  // room for a shingle per word
  for (const std::uint64_t hash : word_hashes) sketcher.word_hash(hash);
  return sketcher.finish(shingles);
}

std::uint64_t headline_hash(std::string_view title) {
  std::string words;
  for_each_normalized_word(title, [&](std::string_view word) { (words += word) += ' '; });
  if (words.empty()) return 0;
  const std::uint64_t hash = feeds::hash64(words);
  return hash == 0 ? 1 : hash;
}

Overlap exact_overlap(std::span<const std::uint32_t> first, std::span<const std::uint32_t> second) noexcept {
  if (first.empty() || second.empty()) return {};
  const auto shared = double(count_common(first, second));
  return {shared / (double(first.size() + second.size()) - shared), shared / double(first.size()),
          shared / double(second.size())};
}

Overlap estimate_overlap(const StorySketch::Bits& first, std::uint32_t first_shingles,
                         const StorySketch::Bits& second, std::uint32_t second_shingles) noexcept {
  if (first_shingles == 0 || second_shingles == 0) return {};
  std::size_t differ = 0;
  for (std::size_t i = 0; i < first.size(); i += 8) {
    std::uint64_t a = 0, b = 0;
    std::memcpy(&a, first.data() + i, 8);
    std::memcpy(&b, second.data() + i, 8);
    const std::uint64_t x = a ^ b;
    differ += static_cast<std::size_t>(std::popcount((x | (x >> 1)) & 0x5555555555555555ULL));
  }
  const std::size_t agree = kBins - differ;
  // Bins agree when the minima are one shingle (probability J) or, otherwise, by chance in 1 of 4.
  constexpr double kChance = 1.0 / 4;
  const double share = double(agree) / double(kBins);
  const double jaccard = std::clamp((share - kChance) / (1 - kChance), 0.0, 1.0);
  // |A ∩ B| = J (|A| + |B|) / (1 + J).
  const double common = jaccard * (double(first_shingles) + double(second_shingles)) / (1 + jaccard);
  return {jaccard, std::min(1.0, common / first_shingles), std::min(1.0, common / second_shingles)};
}

}  // namespace sluice::pipeline
