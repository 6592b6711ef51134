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

// The hashes (feeds::hash64) of text's words in normalized form, in order, into out.
void word_hashes(std::string_view text, std::vector<std::uint64_t>& out);

// The byte length of the UTF-8 sequence at text[at] when it is punctuation that typography varies
// (curly quotes, dashes, ellipsis, no-break space, guillemets), else 0.
std::size_t typographic_length(std::string_view text, std::size_t at) noexcept;

// Whether a byte can be part of a word: an ASCII letter or digit, or a byte of a multi-byte character.
constexpr bool word_byte(unsigned char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

// Calls visit(std::string_view word) for each word of text in normalized form, without a string per
// word: the view (into text itself while the word is a piece of it as written) is valid during the
// call.
template <typename Visit>
void for_each_normalized_word(std::string_view text, Visit&& visit) {
  std::string copy;  // the word once it is not a piece of text as written
  bool copied = false;
  std::size_t begin = 0, end = 0;  // else the word is text[begin, end)
  const auto append = [&](std::size_t from, std::size_t to) {
    if (!copied) {
      if (begin == end) {
        begin = from, end = to;
        return;
      }
      if (end == from) {
        end = to;
        return;
      }
      copy.assign(text, begin, end - begin);
      copied = true;
    }
    copy.append(text, from, to - from);
  };
  const auto append_char = [&](char c) {
    if (!copied) {
      copy.assign(text, begin, end - begin);
      copied = true;
    }
    copy += c;
  };
  const auto empty = [&] { return copied ? copy.empty() : begin == end; };
  const auto flush = [&] {
    if (!empty()) visit(copied ? std::string_view(copy) : text.substr(begin, end - begin));
    copy.clear();
    copied = false;
    begin = end = 0;
  };
  const auto lower_or_digit = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (lower_or_digit(static_cast<char>(c))) {
      std::size_t run = i + 1;
      while (run < text.size() && lower_or_digit(text[run])) ++run;
      append(i, run);
      i = run;
      continue;
    }
    if (c >= 0x80) {
      if (const std::size_t mark = typographic_length(text, i)) {
        // A right single quote inside a word is its apostrophe, as ' is: "don’t" is "don't".
        const bool apostrophe = !empty() && text.compare(i, 3, "\xE2\x80\x99") == 0 && i + 3 < text.size() &&
                                word_byte(static_cast<unsigned char>(text[i + 3])) && typographic_length(text, i + 3) == 0;
        if (!apostrophe) flush();
        i += mark;
        continue;
      }
      append(i, i + 1);  // letters of other scripts belong to the word
    } else if (c >= 'A' && c <= 'Z') {
      append_char(static_cast<char>(c - 'A' + 'a'));
    } else if (c != '\'' || empty()) {
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

// These read each block's word_hashes (kept in the block for the story sketch).

// Keeps the first occurrence of every repeated block of substance.
void remove_repeated_blocks(std::vector<Block>& blocks);

// Drops blocks that repeat the title. When a repeat of the title opens the body (within its first
// quarter), what comes before it (kicker, teaser, breadcrumb) goes too and is returned.
std::vector<Block> remove_title_blocks(std::vector<Block>& blocks, std::string_view title);

// Both, each block's words read once: remove_title_blocks, then remove_repeated_blocks.
std::vector<Block> remove_title_and_repeated_blocks(std::vector<Block>& blocks, std::string_view title);

}  // namespace sluice::pipeline
