#include "pipeline/clean/block_collector.h"

#include <algorithm>
#include <cstdlib>

#include "feeds/html/html_text.h"
#include "feeds/text.h"
#include "feeds/urls.h"

namespace sluice::pipeline {
namespace {

// Inline elements whose markup is kept; the rest are reduced to their text.
std::string_view kept_inline(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_A: return "a";
    case GUMBO_TAG_B: case GUMBO_TAG_STRONG: return "strong";
    case GUMBO_TAG_I: case GUMBO_TAG_EM: return "em";
    case GUMBO_TAG_CODE: case GUMBO_TAG_KBD: case GUMBO_TAG_SAMP: return "code";
    case GUMBO_TAG_SUB: return "sub";
    case GUMBO_TAG_SUP: return "sup";
    case GUMBO_TAG_Q: return "q";
    case GUMBO_TAG_S: case GUMBO_TAG_DEL: return "del";
    case GUMBO_TAG_INS: return "ins";
    case GUMBO_TAG_MARK: return "mark";
    case GUMBO_TAG_CITE: return "cite";
    case GUMBO_TAG_ABBR: return "abbr";
    default: return {};
  }
}

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f'; }

// The candidate of a srcset (HTML's image candidate strings) with the largest width or density
// descriptor; the first when none has one.
std::string_view largest_candidate(std::string_view srcset) {
  std::string_view best;
  double best_size = -1;
  std::size_t at = 0;
  while (at < srcset.size()) {
    while (at < srcset.size() && (is_space(srcset[at]) || srcset[at] == ',')) ++at;
    std::size_t end = at;
    while (end < srcset.size() && !is_space(srcset[end])) ++end;
    std::string_view url = srcset.substr(at, end - at);
    const bool ended = url.ends_with(',');  // no descriptors
    if (ended) url.remove_suffix(1);
    at = end;
    double size = 0;
    if (!ended) {
      const std::size_t comma = std::min(srcset.find(',', at), srcset.size());
      const std::string_view descriptor = feeds::trim_view(srcset.substr(at, comma - at));
      if (!descriptor.empty() && (descriptor.back() == 'w' || descriptor.back() == 'x'))
        size = std::strtod(std::string(descriptor.substr(0, descriptor.size() - 1)).c_str(), nullptr) *
               (descriptor.back() == 'x' ? 1000 : 1);
      at = comma;
    }
    if (!url.empty() && size > best_size) {
      best = url;
      best_size = size;
    }
  }
  return best;
}

}  // namespace

std::string BlockCollector::image_url(int index) const {
  // A tracking pixel or spacer is no picture.
  for (const char* dimension : {"width", "height"})
    if (const std::string_view value = dom_.attribute(index, dimension); value == "0" || value == "1") return {};
  std::vector<std::string_view> candidates;
  for (const char* srcset : {"data-srcset", "srcset"})
    if (const std::string_view largest = largest_candidate(dom_.attribute(index, srcset)); !largest.empty())
      candidates.push_back(largest);
  for (const char* lazy : {"data-src", "data-lazy-src", "data-original", "src"}) candidates.push_back(dom_.attribute(index, lazy));
  for (const std::string_view candidate : candidates) {
    if (candidate.empty() || candidate.starts_with("data:")) continue;
    std::string url = feeds::resolve_url(base_url_, candidate);
    if (feeds::is_http_url(url)) return url;
  }
  return {};
}

namespace {

}  // namespace

BlockCollector::BlockCollector(const PageDom& dom, const std::vector<char>& skipped, std::string_view base_url)
    : dom_(dom), skipped_(skipped), base_url_(base_url) {}

void BlockCollector::collect(int root) {
  std::vector<int> open;
  const int end = dom_[root].end;
  for (int i = root; i < end; ++i) {
    while (!open.empty() && dom_[open.back()].end <= i) {
      leave(open.back());
      open.pop_back();
    }
    if (skipped_[static_cast<std::size_t>(i)]) {
      i = dom_[i].end - 1;
      continue;
    }
    if (dom_[i].is_text) {
      add_text(dom_[i].text);
      continue;
    }
    enter(i);
    open.push_back(i);
  }
  while (!open.empty()) {
    leave(open.back());
    open.pop_back();
  }
  flush();
}

void BlockCollector::enter(int index) {
  const GumboTag tag = dom_[index].tag;
  if (tag == GUMBO_TAG_BR) return line_break();
  if (tag == GUMBO_TAG_IMG && image_.empty()) image_ = image_url(index);
  if (tag == GUMBO_TAG_TD || tag == GUMBO_TAG_TH) space_ = true;
  if (feeds::is_block_element(tag)) {
    flush();
    switch (tag) {
      case GUMBO_TAG_FIGURE: ++figure_depth_; break;
      case GUMBO_TAG_FIGCAPTION: context_.emplace_back(Block::Kind::caption, 0); break;
      case GUMBO_TAG_H1: case GUMBO_TAG_H2: case GUMBO_TAG_H3: case GUMBO_TAG_H4: case GUMBO_TAG_H5:
      case GUMBO_TAG_H6:
        context_.emplace_back(Block::Kind::heading, tag - GUMBO_TAG_H1 + 1);
        break;
      case GUMBO_TAG_LI: case GUMBO_TAG_DT: case GUMBO_TAG_DD:
        context_.emplace_back(Block::Kind::list_item, 0);
        break;
      case GUMBO_TAG_BLOCKQUOTE: context_.emplace_back(Block::Kind::quote, 0); break;
      case GUMBO_TAG_PRE: context_.emplace_back(Block::Kind::preformatted, 0); ++pre_depth_; break;
      case GUMBO_TAG_TR: context_.emplace_back(Block::Kind::table_row, 0); break;
      default: break;
    }
    return;
  }
  const std::string_view name = kept_inline(tag);
  InlineTag inline_tag{index, {}, name};
  if (tag == GUMBO_TAG_A) {
    ++link_depth_;
    const std::string_view href = dom_.attribute(index, "href");
    std::string url = href.empty() ? std::string() : feeds::resolve_url(base_url_, href);
    if (feeds::is_http_url(url)) {
      inline_tag.open = "<a href=\"";
      feeds::append_escaped_html(inline_tag.open, url);
      inline_tag.open += "\">";
    }
  } else if (!name.empty()) {
    inline_tag.open = "<" + std::string(name) + ">";
  }
  inline_.push_back(std::move(inline_tag));
}

void BlockCollector::leave(int index) {
  const GumboTag tag = dom_[index].tag;
  if (tag == GUMBO_TAG_BR) return;
  if (tag == GUMBO_TAG_TD || tag == GUMBO_TAG_TH) space_ = true;
  if (feeds::is_block_element(tag)) {
    flush();
    switch (tag) {
      case GUMBO_TAG_FIGURE: --figure_depth_; break;
      case GUMBO_TAG_H1: case GUMBO_TAG_H2: case GUMBO_TAG_H3: case GUMBO_TAG_H4: case GUMBO_TAG_H5:
      case GUMBO_TAG_H6: case GUMBO_TAG_LI: case GUMBO_TAG_DT: case GUMBO_TAG_DD: case GUMBO_TAG_BLOCKQUOTE:
      case GUMBO_TAG_TR: case GUMBO_TAG_FIGCAPTION:
        if (!context_.empty()) context_.pop_back();
        break;
      case GUMBO_TAG_PRE:
        if (!context_.empty()) context_.pop_back();
        --pre_depth_;
        break;
      default: break;
    }
    return;
  }
  if (inline_.empty() || inline_.back().node != index) return;
  if (tag == GUMBO_TAG_A) --link_depth_;
  const InlineTag& closing = inline_.back();
  if (closing.written && !closing.open.empty()) current_.html += "</" + std::string(closing.name) + ">";
  inline_.pop_back();
}

void BlockCollector::add_text(std::string_view text) {
  if (pre_depth_ > 0) {
    if (text.empty()) return;
    add_char_run(text);
    return;
  }
  std::size_t at = 0;
  while (at < text.size()) {
    // A run of non-space characters; a no-break space counts as space.
    std::size_t end = at;
    while (end < text.size() && !is_space(text[end]) &&
           !(text[end] == '\xC2' && end + 1 < text.size() && text[end + 1] == '\xA0'))
      ++end;
    if (end > at) add_char_run(text.substr(at, end - at));
    if (end >= text.size()) break;
    space_ = true;
    at = end + (text[end] == '\xC2' ? 2 : 1);
  }
}

void BlockCollector::add_char_run(std::string_view run) {
  if (current_.text.empty()) {
    // Text a figure holds besides its media is its caption or credit, whatever element it is in.
    current_.kind = figure_depth_ > 0  ? Block::Kind::caption
                    : context_.empty() ? Block::Kind::paragraph
                                       : context_.back().first;
    current_.level = context_.empty() ? 0 : context_.back().second;
    space_ = false;
    breaks_ = 0;
  }
  if (breaks_ > 0) {
    current_.text += '\n';
    current_.html += "<br>";
    ++current_.chars;
    space_ = false;
  } else if (space_) {
    current_.text += ' ';
    current_.html += ' ';
    ++current_.chars;
    if (link_depth_ > 0) ++current_.link_chars;
  }
  space_ = false;
  breaks_ = 0;
  for (InlineTag& tag : inline_)
    if (!tag.written) {
      current_.html += tag.open;
      tag.written = true;
    }
  current_.text += run;
  feeds::append_escaped_html(current_.html, run);
  const int count = feeds::code_point_count(run);
  current_.chars += count;
  if (link_depth_ > 0) current_.link_chars += count;
}

void BlockCollector::line_break() {
  if (current_.text.empty()) return;
  if (pre_depth_ > 0) return add_char_run("\n");
  if (++breaks_ >= 2) flush();
}

void BlockCollector::flush() {
  for (auto tag = inline_.rbegin(); tag != inline_.rend(); ++tag)
    if (tag->written) {
      if (!tag->open.empty()) current_.html += "</" + std::string(tag->name) + ">";
      tag->written = false;
    }
  if (current_.kind == Block::Kind::preformatted) {
    while (!current_.text.empty() && is_space(current_.text.back())) current_.text.pop_back();
  }
  if (!current_.text.empty()) blocks_.push_back(std::move(current_));
  current_ = Block();
  space_ = false;
  breaks_ = 0;
}

std::vector<Block> BlockCollector::take() {
  flush();
  return std::move(blocks_);
}

}  // namespace sluice::pipeline
