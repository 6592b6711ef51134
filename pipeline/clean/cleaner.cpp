#include "pipeline/clean/cleaner.h"

#include <algorithm>

#include "feeds/html/html_text.h"
#include "feeds/text.h"
#include "pipeline/clean/block_collector.h"
#include "pipeline/clean/block_dedup.h"
#include "pipeline/clean/content_extractor.h"

namespace sluice::pipeline {
namespace {

constexpr std::size_t kTitleMaxWords = 25;
constexpr std::size_t kWrappedLineChars = 100;

void finish(CleanedStory& story) {
  std::vector<Block> lead = remove_title_blocks(story.blocks, story.metadata.title);
  for (const Block& block : lead) {
    if (!story.lead.empty()) story.lead += ' ';
    story.lead += block.text;
  }
  remove_repeated_blocks(story.blocks);
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

// Text whose lines all stay within a terminal's width is hard-wrapped: its paragraphs are separated
// by blank lines. Otherwise every line is a paragraph, as scrapers write them.
bool is_hard_wrapped(const std::vector<std::string_view>& lines) {
  std::size_t longest = 0, filled = 0;
  for (std::string_view line : lines) {
    longest = std::max(longest, line.size());
    filled += !line.empty();
  }
  return filled >= 3 && longest <= kWrappedLineChars;
}

}  // namespace

CleanedStory clean_page(std::string_view html, std::string_view page_url, std::string* explain) {
  const PageDom dom(html);
  CleanedStory story;
  story.metadata = read_page_metadata(dom, page_url);
  story.problem = dom.problem();
  const std::string_view base = story.metadata.url ? std::string_view(*story.metadata.url) : page_url;
  story.blocks = extract_content(dom, page_url.empty() ? base : page_url, explain);
  finish(story);
  return story;
}

CleanedStory clean_fragment(std::string_view html, std::string_view base_url, std::string_view title) {
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
    BlockCollector collector(dom, skipped, base_url);
    collector.collect(root);
    story.blocks = collector.take();
  }
  finish(story);
  return story;
}

CleanedStory clean_text(std::string_view text, std::string_view title) {
  CleanedStory story;
  std::vector<std::string_view> lines;
  for (std::size_t at = 0; at <= text.size();) {
    std::size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(feeds::trim_view(text.substr(at, end - at)));
    at = end + 1;
  }
  const bool wrapped = is_hard_wrapped(lines);
  std::string paragraph;
  auto end_paragraph = [&] {
    if (Block block = text_block(paragraph); !block.text.empty()) story.blocks.push_back(std::move(block));
    paragraph.clear();
  };
  for (std::string_view line : lines) {
    if (!wrapped || line.empty()) end_paragraph();
    if (!paragraph.empty()) paragraph += ' ';
    paragraph += line;
  }
  end_paragraph();
  story.metadata.title = title.empty() ? guess_title(story.blocks) : std::string(title);
  finish(story);
  return story;
}

}  // namespace sluice::pipeline
