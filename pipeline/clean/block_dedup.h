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

// Shingle-set similarity of two texts, |A ∩ B| / |A ∪ B| (Jaccard), in [0, 1].
double text_similarity(std::string_view a, std::string_view b);

// Keeps the first occurrence of every repeated block of substance.
void remove_repeated_blocks(std::vector<Block>& blocks);

// Drops blocks that repeat the title. When a repeat of the title opens the body (within its first
// quarter), what comes before it (kicker, teaser, breadcrumb) goes too and is returned.
std::vector<Block> remove_title_blocks(std::vector<Block>& blocks, std::string_view title);

}  // namespace sluice::pipeline
