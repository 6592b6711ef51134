#include "pipeline/simhash.h"

#include <array>
#include <bit>
#include <cctype>

#include "feeds/hashing.h"

namespace sluice::pipeline {
namespace {

// Words: runs of letters and digits; bytes of multi-byte UTF-8 characters count as letters.
std::vector<std::string> words_of(const std::vector<std::string>& paragraphs) {
  std::vector<std::string> words;
  std::string word;
  for (const std::string& paragraph : paragraphs) {
    for (char c : paragraph) {
      const auto byte = static_cast<unsigned char>(c);
      if (std::isalnum(byte) || byte >= 0x80) {
        word += static_cast<char>(std::tolower(byte));
      } else if (!word.empty()) {
        words.push_back(std::move(word));
        word.clear();
      }
    }
    if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  return words;
}

}  // namespace

std::uint64_t simhash(const std::vector<std::string>& paragraphs) {
  const std::vector<std::string> words = words_of(paragraphs);
  if (words.empty()) return 0;
  constexpr std::size_t kShingle = 3;
  std::array<int, 64> votes{};
  const std::size_t shingles = words.size() >= kShingle ? words.size() - kShingle + 1 : 1;
  std::string feature;
  for (std::size_t i = 0; i < shingles; ++i) {
    feature.clear();
    for (std::size_t j = i; j < std::min(i + kShingle, words.size()); ++j) {
      feature += words[j];
      feature += ' ';
    }
    const std::uint64_t hash = feeds::hash64(feature);
    for (std::size_t bit = 0; bit < 64; ++bit) votes[bit] += (hash >> bit) & 1U ? 1 : -1;
  }
  std::uint64_t fingerprint = 0;
  for (std::size_t bit = 0; bit < 64; ++bit)
    if (votes[bit] > 0) fingerprint |= std::uint64_t{1} << bit;
  return fingerprint;
}

int hamming_distance(std::uint64_t a, std::uint64_t b) noexcept { return std::popcount(a ^ b); }

std::size_t count_words(const std::vector<std::string>& paragraphs) {
  std::size_t count = 0;
  for (const std::string& paragraph : paragraphs) {
    bool in_word = false;
    for (char c : paragraph) {
      const bool space = std::isspace(static_cast<unsigned char>(c));
      if (!space && !in_word) ++count;
      in_word = !space;
    }
  }
  return count;
}

}  // namespace sluice::pipeline
