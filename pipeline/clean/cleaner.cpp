#include "pipeline/clean/cleaner.h"

#include <algorithm>

#include "feeds/html/html_text.h"
#include "feeds/text.h"
#include "pipeline/clean/block_collector.h"
#include "pipeline/clean/block_dedup.h"
#include "pipeline/clean/content_extractor.h"
#include "pipeline/clean/selector_match.h"

namespace sluice::pipeline {
namespace {

constexpr std::size_t kTitleMaxWords = 25;
constexpr std::size_t kWrappedLineChars = 100;

void finish(CleanedStory& story) {
  for (const Block& block : remove_title_and_repeated_blocks(story.blocks, story.metadata.title)) {
    if (block.kind == Block::Kind::caption) continue;  // a caption or credit is never the summary
    if (!story.lead.empty()) story.lead += ' ';
    story.lead += block.text;
  }
}

bool could_be_title(std::string_view line) {
  const std::size_t words = normalized_words(line).size();
  return words > 0 && words <= kTitleMaxWords && !line.ends_with('.');
}

std::string guess_title(const std::vector<Block>& blocks) {
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    if (!could_be_title(blocks[i].text)) continue;
    for (std::size_t j = i + 1; j < blocks.size(); ++j)
      if (text_similarity(blocks[i].text, blocks[j].text) >= 0.9) return blocks[i].text;
  }
  return !blocks.empty() && could_be_title(blocks.front().text) ? blocks.front().text : std::string();
}

Block text_block(std::string_view line) {
  Block block;
  bool space = false;
  append_collapsed(block.text, line, space);
  feeds::append_escaped_html(block.html, block.text);
  block.chars = feeds::code_point_count(block.text);
  return block;
}

struct Line {
  std::string_view text;  // trimmed
  std::size_t indent = 0;  // leading spaces and tabs
  std::size_t width = 0;   // code points of text
};

std::size_t first_word_width(std::string_view text) {
  return static_cast<std::size_t>(feeds::code_point_count(text.substr(0, std::min(text.find_first_of(" \t"), text.size()))));
}

// Text whose lines all stay within a terminal's width is hard-wrapped, and its line breaks are
// mostly the wrapper's. Otherwise every line is a paragraph, as scrapers write them. Returns the
// wrap width (the longest line), 0 when the text is not wrapped.
std::size_t wrap_width(const std::vector<Line>& lines) {
  std::size_t longest = 0, filled = 0;
  for (const Line& line : lines) {
    longest = std::max(longest, line.width);
    filled += line.width > 0;
  }
  return filled >= 3 && longest <= kWrappedLineChars ? longest : 0;
}

// In wrapped text, whether the writer (not the wrapper) broke the line after `line`: a blank line
// follows, the next line is indented further (a first-line indent), or the next line's first word
// would have fit on this one (so a wrapper would have put it there: a paragraph's last line, a
// title, a byline).
bool ends_paragraph(const Line& line, const Line& next, std::size_t width) {
  if (line.width == 0 || next.width == 0) return true;
  if (next.indent > line.indent) return true;
  return line.width + 1 + first_word_width(next.text) <= width;
}

}  // namespace

CleanedStory clean_page(std::string_view html, std::string_view page_url, std::string* explain,
                        const config::PageRules* rules) {
  const PageDom dom(html);
  CleanedStory story;
  story.metadata = read_page_metadata(dom, page_url);
  story.problem = dom.problem();
  const std::string_view base = story.metadata.url ? std::string_view(*story.metadata.url) : page_url;
  Extracted extracted = extract_content(dom, page_url.empty() ? base : page_url, explain, rules);
  story.blocks = std::move(extracted.blocks);
  story.content_missed = extracted.content_missed;
  finish(story);
  return story;
}

CleanedStory clean_fragment(std::string_view html, std::string_view base_url, std::string_view title,
                            const config::PageRules* rules) {
  const PageDom dom(html);
  CleanedStory story;
  story.metadata.title = std::string(title);
  story.problem = dom.problem();
  const int root = dom.body() >= 0 ? dom.body() : dom.html();
  if (root >= 0) {
    std::vector<char> skipped(static_cast<std::size_t>(dom.size()), 0);
    for (int i = root; i < dom[root].end; ++i)
      if (!dom[i].is_text && (dom.has_attribute(i, "hidden") || dom.attribute(i, "aria-hidden") == "true"))
        skipped[static_cast<std::size_t>(i)] = 1;
    if (rules)
      for (const config::Selector& selector : rules->remove) {
        const std::vector<char> matched = select_elements(dom, selector);
        for (std::size_t i = 0; i < skipped.size(); ++i) skipped[i] = skipped[i] || matched[i];
      }
    BlockCollector collector(dom, skipped, base_url);
    collector.collect(root);
    story.blocks = collector.take();
    if (!collector.image().empty()) story.metadata.image = collector.image();
  }
  finish(story);
  return story;
}

CleanedStory clean_text(std::string_view text, std::string_view title) {
  CleanedStory story;
  std::vector<Line> lines;
  for (std::size_t at = 0; at <= text.size();) {
    std::size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view raw = text.substr(at, end - at);
    Line line{feeds::trim_view(raw), std::min(raw.find_first_not_of(" \t"), raw.size()), 0};
    line.width = static_cast<std::size_t>(feeds::code_point_count(line.text));
    lines.push_back(line);
    at = end + 1;
  }
  const std::size_t width = wrap_width(lines);
  std::string paragraph;
  auto end_paragraph = [&] {
    if (Block block = text_block(paragraph); !block.text.empty()) story.blocks.push_back(std::move(block));
    paragraph.clear();
  };
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (!paragraph.empty()) paragraph += ' ';
    paragraph += lines[i].text;
    if (width == 0 || i + 1 == lines.size() || ends_paragraph(lines[i], lines[i + 1], width)) end_paragraph();
  }
  story.metadata.title = title.empty() ? guess_title(story.blocks) : std::string(title);
  finish(story);
  return story;
}

}  // namespace sluice::pipeline
