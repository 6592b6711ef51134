#include "pipeline/clean/simhash.h"

#include <array>
#include <bit>
#include <string_view>

#include "feeds/hashing.h"

namespace sluice::pipeline {
namespace {

// The "C" locale's classes (sluice never sets another), without a library call per byte.
constexpr bool ascii_alnum(unsigned char byte) {
  return (byte >= '0' && byte <= '9') || (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z');
}
constexpr bool ascii_space(unsigned char byte) { return byte == ' ' || (byte >= '\t' && byte <= '\r'); }

// Words: runs of letters and digits; bytes of multi-byte UTF-8 characters count as letters.
// Lowercased into one text, each word followed by a space, with where each word starts (and the
// text's end last): a shingle of words i..j is then the text from starts[i] to starts[j + 1].
struct Words {
  std::string text;
  std::vector<std::size_t> starts;
};

Words words_of(const std::vector<std::string>& paragraphs) {
  Words words;
  for (const std::string& paragraph : paragraphs) {
    bool in_word = false;
    for (const char c : paragraph) {
      const auto byte = static_cast<unsigned char>(c);
      if (ascii_alnum(byte) || byte >= 0x80) {
        if (!in_word) words.starts.push_back(words.text.size());
        words.text += static_cast<char>(byte >= 'A' && byte <= 'Z' ? byte + ('a' - 'A') : byte);
        in_word = true;
      } else if (in_word) {
        words.text += ' ';
        in_word = false;
      }
    }
    if (in_word) words.text += ' ';
  }
  words.starts.push_back(words.text.size());
  return words;
}

}  // namespace

std::uint64_t simhash(const std::vector<std::string>& paragraphs) {
  const Words words = words_of(paragraphs);
  const std::size_t count = words.starts.size() - 1;
  if (count == 0) return 0;
  // Features: shingles of three words (the whole text when it has fewer).
  constexpr std::size_t kShingle = 3;
  std::array<int, 64> votes{};
  const std::size_t shingles = count >= kShingle ? count - kShingle + 1 : 1;
  const std::string_view text = words.text;
  for (std::size_t i = 0; i < shingles; ++i) {
    const std::size_t end = words.starts[std::min(i + kShingle, count)];
    const std::uint64_t hash = feeds::hash64(text.substr(words.starts[i], end - words.starts[i]));
    for (std::size_t bit = 0; bit < 64; ++bit) votes[bit] += static_cast<int>((hash >> bit) & 1U) * 2 - 1;
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
      const bool space = ascii_space(static_cast<unsigned char>(c));
      if (!space && !in_word) ++count;
      in_word = !space;
    }
  }
  return count;
}

}  // namespace sluice::pipeline
