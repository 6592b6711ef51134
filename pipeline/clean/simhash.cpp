#include "pipeline/clean/simhash.h"

#include <array>
#include <bit>
#include <cstdint>
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
  std::size_t bytes = 0;
  for (const std::string& paragraph : paragraphs) bytes += paragraph.size() + 1;
  // Written through a pointer into a buffer large enough for all: at most one byte per byte read,
  // and a space after each paragraph's last word.
  words.text.resize(bytes);
  words.starts.reserve(bytes / 4);
  char* out = words.text.data();
  for (const std::string& paragraph : paragraphs) {
    bool in_word = false;
    for (const char c : paragraph) {
      const auto byte = static_cast<unsigned char>(c);
      if (ascii_alnum(byte) || byte >= 0x80) {
        if (!in_word) words.starts.push_back(static_cast<std::size_t>(out - words.text.data()));
        *out++ = static_cast<char>(byte >= 'A' && byte <= 'Z' ? byte + ('a' - 'A') : byte);
        in_word = true;
      } else if (in_word) {
        *out++ = ' ';
        in_word = false;
      }
    }
    if (in_word) *out++ = ' ';
  }
  words.text.resize(static_cast<std::size_t>(out - words.text.data()));
  words.starts.push_back(words.text.size());
  return words;
}

// How many of the hashes added had each bit set: counted a byte of the hash at a time, each bit in
// a byte-wide lane of its own (kSpread), and moved to the totals before a lane can overflow.
class BitCounts {
 public:
  void add(std::uint64_t hash) noexcept {
    for (std::size_t byte = 0; byte < 8; ++byte) lanes_[byte] += kSpread[(hash >> (8 * byte)) & 0xFF];
    if (++pending_ == 255) settle();
  }

  // The totals, bit by bit.
  const std::array<std::uint32_t, 64>& totals() noexcept {
    settle();
    return totals_;
  }

 private:
  static constexpr std::array<std::uint64_t, 256> kSpread = [] {
    std::array<std::uint64_t, 256> spread{};
    for (std::size_t value = 0; value < 256; ++value)
      for (std::size_t bit = 0; bit < 8; ++bit) spread[value] |= std::uint64_t{(value >> bit) & 1} << (8 * bit);
    return spread;
  }();

  void settle() noexcept {
    for (std::size_t byte = 0; byte < 8; ++byte) {
      for (std::size_t bit = 0; bit < 8; ++bit) totals_[8 * byte + bit] += static_cast<std::uint32_t>((lanes_[byte] >> (8 * bit)) & 0xFF);
      lanes_[byte] = 0;
    }
    pending_ = 0;
  }

  std::array<std::uint64_t, 8> lanes_{};
  std::array<std::uint32_t, 64> totals_{};
  unsigned pending_ = 0;
};

}  // namespace

std::uint64_t simhash(const std::vector<std::string>& paragraphs) {
  const Words words = words_of(paragraphs);
  const std::size_t count = words.starts.size() - 1;
  if (count == 0) return 0;
  // Features: shingles of three words (the whole text when it has fewer).
  constexpr std::size_t kShingle = 3;
  // Each shingle votes for the bits set in its hash and against the others; a bit of the
  // fingerprint is set when more voted for it than against.
  BitCounts set;
  const std::size_t shingles = count >= kShingle ? count - kShingle + 1 : 1;
  const std::string_view text = words.text;
  for (std::size_t i = 0; i < shingles; ++i) {
    const std::size_t end = words.starts[std::min(i + kShingle, count)];
    set.add(feeds::hash64(text.substr(words.starts[i], end - words.starts[i])));
  }
  std::uint64_t fingerprint = 0;
  const std::array<std::uint32_t, 64>& totals = set.totals();
  for (std::size_t bit = 0; bit < 64; ++bit)
    if (2 * std::size_t{totals[bit]} > shingles) fingerprint |= std::uint64_t{1} << bit;
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
