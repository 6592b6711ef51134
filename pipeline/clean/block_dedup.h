// Repeated blocks, the defect of scraped and CMS-rendered stories: the body printed twice, a
// paragraph repeated after an ad slot, the headline again at the top of the text.
//
// Blocks are compared as sets of word 3-shingles over a normalized form of their text (case folded;
// curly quotes, dashes and no-break spaces made plain; punctuation dropped), so that white space,
// typography, case and trailing punctuation do not hide a repeat. A block of substance (eight words
// or more) whose shingles are at least 80% already seen earlier in the text is a repeat, whether it
// repeats one block or straddles two; short blocks (labels, "Q:", table headings) legitimately repeat
// and are kept.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/clean/blocks.h"

namespace sluice::pipeline {

// The words of text in normalized form.
std::vector<std::string> normalized_words(std::string_view text);

// The byte length of the UTF-8 sequence at text[at] when it is punctuation that typography varies
// (curly quotes, dashes, ellipsis, no-break space, guillemets), else 0.
std::size_t typographic_length(std::string_view text, std::size_t at) noexcept;

// Whether a byte can be part of a word: an ASCII letter or digit, or a byte of a multi-byte character.
constexpr bool word_byte(unsigned char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

// Calls visit(std::string_view word) for each word of text in normalized form, without a string per
// word: the view is valid during the call.
template <typename Visit>
void for_each_normalized_word(std::string_view text, Visit&& visit) {
  std::string word;
  const auto flush = [&] {
    if (!word.empty()) visit(std::string_view(word));
    word.clear();
  };
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      if (const std::size_t mark = typographic_length(text, i)) {
        // A right single quote inside a word is its apostrophe, as ' is: "don’t" is "don't".
        const bool apostrophe = !word.empty() && text.compare(i, 3, "\xE2\x80\x99") == 0 && i + 3 < text.size() &&
                                word_byte(static_cast<unsigned char>(text[i + 3])) && typographic_length(text, i + 3) == 0;
        if (!apostrophe) flush();
        i += mark;
        continue;
      }
      word += static_cast<char>(c);  // letters of other scripts belong to the word
    } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      word += static_cast<char>(c);
    } else if (c >= 'A' && c <= 'Z') {
      word += static_cast<char>(c - 'A' + 'a');
    } else if (c != '\'' || word.empty()) {
      flush();
    }
    ++i;
  }
  flush();
}

// How many values two sorted sequences of distinct values share.
template <typename First, typename Second>
std::size_t count_common(const First& first, const Second& second) noexcept {
  std::size_t common = 0;
  for (auto a = first.begin(), b = second.begin(); a != first.end() && b != second.end();) {
    if (*a < *b) {
      ++a;
    } else if (*b < *a) {
      ++b;
    } else {
      ++common, ++a, ++b;
    }
  }
  return common;
}

// Shingle-set similarity of two texts, |A ∩ B| / |A ∪ B| (Jaccard), in [0, 1].
double text_similarity(std::string_view a, std::string_view b);

// Keeps the first occurrence of every repeated block of substance.
void remove_repeated_blocks(std::vector<Block>& blocks);

// Drops blocks that repeat the title. When a repeat of the title opens the body (within its first
// quarter), what comes before it (kicker, teaser, breadcrumb) goes too and is returned.
std::vector<Block> remove_title_blocks(std::vector<Block>& blocks, std::string_view title);

// Both, each block's words read once: remove_title_blocks, then remove_repeated_blocks.
std::vector<Block> remove_title_and_repeated_blocks(std::vector<Block>& blocks, std::string_view title);

}  // namespace sluice::pipeline
