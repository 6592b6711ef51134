// The unit of cleaned content: one paragraph, heading, list item, quotation, preformatted run,
// table row or caption (a figure's text: caption, credit), as plain text and as sanitized inline
// HTML.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sluice::pipeline {

struct Block {
  enum class Kind { paragraph, heading, list_item, quote, preformatted, table_row, caption };
  Kind kind = Kind::paragraph;
  int level = 0;     // 1..6 for headings
  std::string text;  // white space collapsed; preformatted text keeps its lines
  std::string html;  // inline content only: a, em, strong, code, br and the like; URLs absolute
  int link_chars = 0;
  int chars = 0;  // characters (code points) of text
  // The hashes of text's words in normalized form (block_dedup.h), once read; empty before.
  std::vector<std::uint64_t> word_hashes;

  double link_density() const noexcept { return chars ? static_cast<double>(link_chars) / chars : 0.0; }
};

// The blocks as an HTML fragment: <p>, <h2>, <ul><li>, <blockquote>, <pre>, <figure><figcaption>.
std::string blocks_html(const std::vector<Block>& blocks);

// The blocks' text, one block per entry. The captions and credits of a picture that opens the
// story are left out (they are in the HTML): the text opens with the story; captions further in
// stay where they are.
std::vector<std::string> blocks_text(const std::vector<Block>& blocks);

}  // namespace sluice::pipeline
