// What cross-feed dedup keeps of a story's text: a MinHash sketch of its word-pair shingles, from
// which the share of one text found in another is estimated without either text.
//
// Shingles are pairs of consecutive words in the normalized form of block_dedup.h (case folded,
// typography made plain, punctuation dropped), across paragraph breaks, so that a paragraph split in
// two or a different rendering (HTML, text) changes nothing. Pairs rather than triples: a copy edit
// changes two shingles instead of three, and two different stories still share almost none.
//
// The sketch is one-permutation MinHash (Li, Owen and Zhang 2012): each shingle's 64-bit hash picks
// one of kBins bins by its top bits and competes for the bin's minimum with its low 32 bits; a bin
// no shingle reached borrows the minimum of a bin chosen by hashing (Shrivastava's optimal
// densification, 2017), so two sketches agree in a bin with probability equal to the texts'
// Jaccard similarity, even for short texts. Kept are the low 2 bits of each minimum (b-bit MinHash,
// Li and König 2010): 32 bytes, agreeing by chance in 1 bin of 4, which the estimate corrects for.
// The full minima of the first 2 × kBands bins are folded in pairs into band keys for the index's
// locality-sensitive lookup: two texts whose Jaccard similarity is J share at least one band key
// with probability 1 - (1 - J²)^kBands (0.93 at J = 0.45, 0.995 at J = 0.6).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::pipeline {

struct StorySketch {
  static constexpr std::size_t kBins = 128;
  static constexpr std::size_t kBands = 12;

  using Bits = std::array<std::uint8_t, kBins / 4>;

  Bits bits{};                                // bin 4i + k in bits 2k and 2k + 1 of byte i
  std::uint32_t shingles = 0;                 // distinct shingles in the text; 0: no words
  std::array<std::uint32_t, kBands> bands{};  // band keys, never 0 (not needed once indexed)

  bool empty() const noexcept { return shingles == 0; }
};

// The sketch of a text given as paragraphs, or as one text (paragraphs joined by blank lines).
// shingles, when given, receives the text's distinct shingles as sorted 32-bit hashes: what
// exact_overlap compares (about 4 bytes per word).
StorySketch sketch_story(const std::vector<std::string>& paragraphs, std::vector<std::uint32_t>* shingles = nullptr);
StorySketch sketch_story(std::string_view text, std::vector<std::uint32_t>* shingles = nullptr);
// The same from the hashes of the text's words in normalized form (block_dedup.h: word_hashes), in
// order, when they have been read already.
StorySketch sketch_words(std::span<const std::uint64_t> word_hashes, std::vector<std::uint32_t>* shingles = nullptr);

// A headline's hash in normalized words (case, typography and punctuation aside), by which briefs
// are known; 0 when it has no words.
std::uint64_t headline_hash(std::string_view title);

// How much two texts share: Jaccard similarity |A ∩ B| / |A ∪ B|, and the share of each text found
// in the other, |A ∩ B| / |A| and |A ∩ B| / |B|.
struct Overlap {
  double jaccard = 0;
  double of_first = 0;
  double of_second = 0;
};
// Exactly, from the texts' shingles (sorted, distinct).
Overlap exact_overlap(std::span<const std::uint32_t> first, std::span<const std::uint32_t> second) noexcept;

// Estimated from the sketches' bits and shingle counts: within about ±0.06 of the Jaccard
// similarity (one standard deviation near 1/3, from 128 bins).
Overlap estimate_overlap(const StorySketch::Bits& first, std::uint32_t first_shingles,
                         const StorySketch::Bits& second, std::uint32_t second_shingles) noexcept;

}  // namespace sluice::pipeline
