// 64-bit SimHash of a text (Charikar): near-identical texts get fingerprints a few bits apart,
// so a syndicated or lightly edited copy of a story is recognisable by Hamming distance.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::pipeline {

// Fingerprint over the word 3-shingles of the paragraphs, case-folded (ASCII) and punctuation-free.
std::uint64_t simhash(const std::vector<std::string>& paragraphs);

// Number of differing bits.
int hamming_distance(std::uint64_t a, std::uint64_t b) noexcept;

// Whitespace-separated words in the paragraphs.
std::size_t count_words(const std::vector<std::string>& paragraphs);

}  // namespace sluice::pipeline
