#include "pipeline/clean/content_extractor.h"

#include <algorithm>

#include "pipeline/clean/block_collector.h"

#include "feeds/html/html_text.h"
#include "pipeline/clean/boilerplate_hints.h"
#include "pipeline/clean/selector_match.h"
#include "feeds/text.h"

namespace sluice::pipeline {
namespace {

constexpr int kMinParagraphChars = 25;
constexpr int kMinArticleChars = 500;
constexpr int kFragmentChars = 40;
// A block mostly made of link text is navigation, not prose ("Read more: <a>...</a>" stays).
constexpr double kMaxBlockLinkDensity = 0.8;
// Strong candidates (three quarters of the best score) that share an ancestor make it the article.
constexpr std::size_t kMinAlternatives = 3;

struct Stats {
  int chars = 0;
  int link_chars = 0;
  int commas = 0;
  bool has_block = false;  // a block-level element somewhere below
};

bool is_furniture(GumboTag tag) {
  return tag == GUMBO_TAG_NAV || tag == GUMBO_TAG_ASIDE || tag == GUMBO_TAG_FOOTER || tag == GUMBO_TAG_HEADER;
}

int tag_weight(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_DIV: case GUMBO_TAG_ARTICLE: case GUMBO_TAG_MAIN: return 5;
    case GUMBO_TAG_PRE: case GUMBO_TAG_TD: case GUMBO_TAG_BLOCKQUOTE: return 3;
    case GUMBO_TAG_ADDRESS: case GUMBO_TAG_OL: case GUMBO_TAG_UL: case GUMBO_TAG_DL: case GUMBO_TAG_DD:
    case GUMBO_TAG_DT: case GUMBO_TAG_LI: case GUMBO_TAG_FORM: return -3;
    case GUMBO_TAG_H1: case GUMBO_TAG_H2: case GUMBO_TAG_H3: case GUMBO_TAG_H4: case GUMBO_TAG_H5:
    case GUMBO_TAG_H6: case GUMBO_TAG_TH: return -5;
    default: return 0;
  }
}

// Characters as a reader counts them: code points, a run of white space as one.
void count_text(std::string_view text, Stats& stats) {
  bool space = true;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f') {
      if (!space) ++stats.chars;
      space = true;
      continue;
    }
    space = false;
    if ((c & 0xC0) != 0x80) ++stats.chars;
    if (c == ',') ++stats.commas;
    // Full-width and ideographic commas.
    if (c == 0xEF && text.compare(i, 3, "\xEF\xBC\x8C") == 0) ++stats.commas;
    if (c == 0xE3 && text.compare(i, 3, "\xE3\x80\x81") == 0) ++stats.commas;
  }
}

// A fragment rather than prose: a few words without a sentence's end (a date, a byline, a label,
// a stray microdata value).
bool is_fragment(const Block& block) {
  if (block.kind == Block::Kind::heading || block.chars >= kFragmentChars) return false;
  const std::string_view text = block.text;
  for (std::string_view end : {".", "!", "?", ":", "\"", "\xE2\x80\x9D", ")"})
    if (text.ends_with(end)) return false;
  return true;
}

// Headings that open what a template puts after an article: related and recommended lists,
// comments, author boxes, sign-up prompts.
bool opens_appendix(const Block& block) {
  static constexpr std::string_view kOpenings[] = {
      "related", "recommended", "you may also like", "you might also like", "more from", "more stories",
      "more articles", "more on this", "read more", "read next", "what to read next", "most popular", "most read",
      "popular posts", "popular stories", "popular articles", "trending", "latest news", "latest posts",
      "latest articles", "recent posts", "recent articles", "comments", "leave a reply", "leave a comment",
      "share this", "about the author", "see more in", "sign up", "subscribe", "follow us", "tags", "don't miss",
      "don\u2019t miss"};
  if (block.chars > 60 || (block.kind != Block::Kind::heading && block.chars > 30)) return false;
  std::string text;
  for (char c : block.text) text += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (std::string_view opening : kOpenings)
    if (text.starts_with(opening)) return true;
  return false;
}

// Fragments that trail the last paragraph of prose are what the page template put after the
// article (tags, dates, bylines, counters); so is everything from a heading that opens a related
// list or the comments, once most of the text has come before it.
void trim_edges(std::vector<Block>& blocks) {
  int total = 0;
  for (const Block& block : blocks) total += block.chars;
  int before = 0;
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    if (before * 2 >= total && opens_appendix(blocks[i])) {
      blocks.resize(i);
      break;
    }
    before += blocks[i].chars;
  }
  while (!blocks.empty() && is_fragment(blocks.back())) blocks.pop_back();
  // Likewise the fragments before the first paragraph (dates, bylines, "Text size").
  std::size_t lead = 0;
  while (lead < blocks.size() && is_fragment(blocks[lead])) ++lead;
  blocks.erase(blocks.begin(), blocks.begin() + static_cast<std::ptrdiff_t>(lead));
}

// What a pass prunes before scoring: furniture and boilerplate, boilerplate only (the parts that
// are never the story), or nothing but hidden parts.
enum class Pruning { everything, never_story, nothing };

class Extraction {
 public:
  Extraction(const PageDom& dom, std::string_view base_url, std::string* explain, const config::PageRules* rules)
      : dom_(dom), base_url_(base_url), explain_(explain), size_(static_cast<std::size_t>(dom.size())), skipped_(size_, 0),
        removed_(size_, 0), hints_(size_, Hint::none) {
    if (rules) apply_rules(*rules);
    for (int i = 0; i < dom_.size(); ++i) {
      if (dom_[i].is_text) continue;
      // One walk over the attributes (their names are lower case) instead of three lookups.
      std::string_view class_names, id, role;
      for (const PageAttribute& attribute : dom_.attributes(i)) {
        if (attribute.name == "class") class_names = attribute.value;
        else if (attribute.name == "id") id = attribute.value;
        else if (attribute.name == "role") role = attribute.value;
      }
      if (!class_names.empty() || !id.empty() || !role.empty())
        hints_[static_cast<std::size_t>(i)] = classify_hints(class_names, id, role);
    }
  }

  // Whether the feed's `content` selector was given and matched nothing (the page was read as
  // without it).
  bool content_missed() const noexcept { return content_missed_; }

  std::vector<Block> run(Pruning pruning) {
    skipped_ = removed_;
    const int body = dom_.body() >= 0 ? dom_.body() : dom_.html();
    if (body < 0) return {};
    if (page_stats_.empty()) {
      compute_stats();
      page_stats_ = stats_;
      detect_streaming(body);
    } else {
      stats_ = page_stats_;
    }
    if (!content_.empty()) return run_on_content(pruning);
    prune(body, pruning);
    compute_stats();
    score(body);
    const int top = top_candidate(body);
    std::vector<Block> blocks;
    BlockCollector collector(dom_, skipped_, base_url_);
    if (explain_) {
      *explain_ += pruning == Pruning::everything    ? "-- pass pruning furniture and boilerplate\n"
                   : pruning == Pruning::never_story ? "-- pass pruning boilerplate only\n"
                                                     : "-- pass pruning hidden parts only\n";
      std::vector<int> ranked;
      for (int i = body; i < dom_[body].end; ++i)
        if (is_scored(i)) ranked.push_back(i);
      std::sort(ranked.begin(), ranked.end(), [&](int a, int b) { return final_score(a) > final_score(b); });
      for (std::size_t k = 0; k < std::min<std::size_t>(ranked.size(), 8); ++k) note("candidate", ranked[k]);
    }
    for (int container : with_siblings(top, body)) {
      note("container", container);
      collector.collect(container);
    }
    for (Block& block : collector.take())
      if (keeps(block)) blocks.push_back(std::move(block));
    trim_edges(blocks);
    return blocks;
  }

 private:
  // The feed's rules: what `remove` matches is gone before anything is measured; what `content`
  // matches (outside another match and anything removed) is the article.
  void apply_rules(const config::PageRules& rules) {
    for (const config::Selector& selector : rules.remove) {
      const std::vector<char> matched = select_elements(dom_, selector);
      for (std::size_t i = 0; i < size_; ++i) removed_[i] = removed_[i] || matched[i];
    }
    std::vector<char> gone(size_, 0);  // removed, or inside something removed
    for (int i = 0; i < dom_.size(); ++i) {
      const auto at = static_cast<std::size_t>(i);
      const int parent = dom_[i].parent;
      gone[at] = removed_[at] || (parent >= 0 && gone[static_cast<std::size_t>(parent)]);
      if (removed_[at] && !(parent >= 0 && gone[static_cast<std::size_t>(parent)])) note("removed by rule", i);
    }
    if (!rules.content) return;
    const std::vector<char> matched = select_elements(dom_, *rules.content);
    for (int i = 0; i < dom_.size(); ++i) {
      if (!matched[static_cast<std::size_t>(i)] || gone[static_cast<std::size_t>(i)]) continue;
      content_.push_back(i);
      i = dom_[i].end - 1;  // a match inside a match is part of it
    }
    content_missed_ = content_.empty();
    if (content_missed_ && explain_) *explain_ += "content selector matched nothing: the page is read without it\n";
  }

  // The article is what the content selector matched: boilerplate pruned inside it, no scoring.
  std::vector<Block> run_on_content(Pruning pruning) {
    if (explain_)
      *explain_ += pruning == Pruning::everything    ? "-- content pass pruning furniture and boilerplate\n"
                   : pruning == Pruning::never_story ? "-- content pass pruning boilerplate only\n"
                                                     : "-- content pass pruning hidden parts only\n";
    for (int root : content_) prune(root, pruning);
    compute_stats();
    BlockCollector collector(dom_, skipped_, base_url_);
    for (int root : content_) {
      note("content", root);
      collector.collect(root);
    }
    std::vector<Block> blocks;
    for (Block& block : collector.take())
      if (keeps(block)) blocks.push_back(std::move(block));
    trim_edges(blocks);
    return blocks;
  }

  const Stats& stats(int i) const { return stats_[static_cast<std::size_t>(i)]; }
  Hint hint(int i) const { return hints_[static_cast<std::size_t>(i)]; }
  double link_density(int i) const { return stats(i).chars ? double(stats(i).link_chars) / stats(i).chars : 0.0; }

  void compute_stats() {
    stats_.assign(size_, Stats());
    std::vector<char> dead(size_, 0), in_link(size_, 0);
    for (int i = 0; i < dom_.size(); ++i) {
      const auto at = static_cast<std::size_t>(i);
      const int parent = dom_[i].parent;
      const auto up = static_cast<std::size_t>(parent);
      dead[at] = skipped_[at] || (parent >= 0 && dead[up]);
      in_link[at] = dom_[i].tag == GUMBO_TAG_A || (parent >= 0 && in_link[up]);
      if (dead[at] || !dom_[i].is_text) continue;
      count_text(dom_[i].text, stats_[at]);
      if (in_link[at]) stats_[at].link_chars = stats_[at].chars;
    }
    for (int i = dom_.size() - 1; i > 0; --i) {
      const auto at = static_cast<std::size_t>(i);
      if (dead[at] || dom_[i].parent < 0) continue;
      Stats& parent = stats_[static_cast<std::size_t>(dom_[i].parent)];
      parent.chars += stats_[at].chars;
      parent.link_chars += stats_[at].link_chars;
      parent.commas += stats_[at].commas;
      if (!dom_[i].is_text && (stats_[at].has_block || feeds::is_block_element(dom_[i].tag))) parent.has_block = true;
    }
  }

  // Whether the subtree holds the page's <h1> or <main>: a wrapper that only looks like boilerplate.
  bool holds_headline(int i) const {
    for (int k = i + 1; k < dom_[i].end; ++k)
      if (dom_[k].tag == GUMBO_TAG_H1 || dom_[k].tag == GUMBO_TAG_MAIN) return true;
    return false;
  }

  bool is_hidden(int i) const {
    if (dom_.has_attribute(i, "hidden")) return !streamed_;
    if (dom_.attribute(i, "aria-hidden") == "true") return true;
    const std::string_view style = dom_.attribute(i, "style");
    if (style.empty()) return false;
    std::string compact;
    for (char c : style)
      if (c != ' ') compact += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return compact.find("display:none") != std::string::npos || compact.find("visibility:hidden") != std::string::npos;
  }

  // Streaming renderers ship the article in `hidden` chunks that a script moves into place: when
  // hidden elements hold a good part of the page's text, the attribute hides nothing for good.
  void detect_streaming(int body) {
    int hidden_chars = 0;
    for (int i = body + 1; i < dom_[body].end; ++i) {
      if (dom_[i].is_text || !dom_.has_attribute(i, "hidden")) continue;
      hidden_chars += stats(i).chars;
      i = dom_[i].end - 1;
    }
    streamed_ = hidden_chars * 10 >= stats(body).chars * 3;
  }

  void prune(int body, Pruning pruning) {
    const int page_chars = std::max(stats(body).chars, 1);
    for (int i = body + 1; i < dom_[body].end; ++i) {
      if (dom_[i].is_text) continue;
      if (skipped_[static_cast<std::size_t>(i)]) {  // removed by a rule
        i = dom_[i].end - 1;
        continue;
      }
      const GumboTag tag = dom_[i].tag;
      const double share = double(stats(i).chars) / page_chars;
      bool remove = is_hidden(i) || tag == GUMBO_TAG_FIGCAPTION;
      if (!remove && tag != GUMBO_TAG_MAIN && pruning != Pruning::nothing) {
        const Hint verdict = hint(i);
        if (verdict == Hint::strong_boilerplate) remove = share < 0.7 || !holds_headline(i);
        else if (pruning == Pruning::everything && (verdict == Hint::weak_boilerplate || is_furniture(tag)))
          remove = share < 0.4 && tag != GUMBO_TAG_ARTICLE;
        else if (tag == GUMBO_TAG_NAV)
          remove = share < 0.4;
      }
      if (remove) {
        note("pruned", i);
        skipped_[static_cast<std::size_t>(i)] = 1;
        i = dom_[i].end - 1;
      }
    }
  }

  // A paragraph for scoring: <p> and <pre>, and a container with no block inside (a <div> used as
  // a paragraph). Text that runs loose between the blocks of an element is a paragraph of that
  // element.
  bool is_paragraph_unit(int i) const {
    switch (dom_[i].tag) {
      case GUMBO_TAG_P: case GUMBO_TAG_PRE: return true;
      case GUMBO_TAG_DIV: case GUMBO_TAG_SECTION: case GUMBO_TAG_ARTICLE: case GUMBO_TAG_TD: case GUMBO_TAG_MAIN:
      case GUMBO_TAG_BLOCKQUOTE:
        return !stats(i).has_block;
      default: return false;
    }
  }

  void credit(int first, const Stats& paragraph) {
    if (paragraph.chars < kMinParagraphChars) return;
    if (paragraph.link_chars * 2 < paragraph.chars)
      for (int ancestor = first; ancestor >= 0; ancestor = dom_[ancestor].parent)
        prose_[static_cast<std::size_t>(ancestor)] += paragraph.chars;
    const double points = 2.0 + paragraph.commas + std::min(paragraph.chars / 100, 3);
    int ancestor = first;
    for (int level = 0; level < 5 && ancestor >= 0 && dom_[ancestor].parent >= 0; ++level) {
      const auto at = static_cast<std::size_t>(ancestor);
      if (!scored_[at]) {
        scored_[at] = 1;
        score_[at] = tag_weight(dom_[ancestor].tag) + hint_weight(hint(ancestor));
      }
      score_[at] += points / (level == 0 ? 1.0 : level == 1 ? 2.0 : level * 3.0);
      ancestor = dom_[ancestor].parent;
    }
  }

  void credit_loose_text(int element) {
    Stats run;
    for (int child = element + 1; child < dom_[element].end; child = dom_[child].end) {
      if (skipped_[static_cast<std::size_t>(child)]) continue;
      const bool flows = dom_[child].is_text || (!feeds::is_block_element(dom_[child].tag) && !stats(child).has_block);
      if (flows) {
        run.chars += stats(child).chars;
        run.commas += stats(child).commas;
        run.link_chars += stats(child).link_chars;
        continue;
      }
      credit(element, run);
      run = Stats();
    }
    credit(element, run);
  }

  void score(int body) {
    score_.assign(size_, 0.0);
    scored_.assign(size_, 0);
    prose_.assign(size_, 0);
    for (int i = body; i < dom_[body].end; ++i) {
      if (skipped_[static_cast<std::size_t>(i)]) {
        i = dom_[i].end - 1;
        continue;
      }
      if (dom_[i].is_text) continue;
      if (is_paragraph_unit(i)) {
        credit(dom_[i].parent, stats(i));
        i = dom_[i].end - 1;
      } else if (stats(i).has_block) {
        credit_loose_text(i);
      } else {
        i = dom_[i].end - 1;  // inline or list text: part of its parent's loose text
      }
    }
    for (std::size_t i = 0; i < size_; ++i)
      if (scored_[i]) score_[i] *= 1.0 - link_density(static_cast<int>(i));
  }

  int prose(int i) const { return prose_[static_cast<std::size_t>(i)]; }
  double final_score(int i) const { return score_[static_cast<std::size_t>(i)]; }
  bool is_scored(int i) const { return scored_[static_cast<std::size_t>(i)] != 0; }
  bool contains(int ancestor, int node) const { return ancestor < node && node < dom_[ancestor].end; }

  int top_candidate(int body) const {
    std::vector<int> ranked;
    for (int i = body + 1; i < dom_[body].end; ++i)
      if (is_scored(i)) ranked.push_back(i);
    if (ranked.empty()) return body;
    const std::size_t keep = std::min<std::size_t>(ranked.size(), 5);
    std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(keep), ranked.end(),
                      [&](int a, int b) { return final_score(a) > final_score(b); });
    int top = ranked.front();
    const double best = final_score(top);

    // Strong candidates spread over several siblings point at a common ancestor.
    std::vector<int> alternatives;
    for (std::size_t k = 1; k < keep; ++k)
      if (final_score(ranked[k]) >= best * 0.75) alternatives.push_back(ranked[k]);
    if (alternatives.size() >= kMinAlternatives) {
      for (int ancestor = dom_[top].parent; ancestor >= 0 && ancestor != body; ancestor = dom_[ancestor].parent) {
        const auto inside = std::count_if(alternatives.begin(), alternatives.end(),
                                          [&](int alternative) { return contains(ancestor, alternative); });
        if (inside >= static_cast<std::ptrdiff_t>(kMinAlternatives)) {
          top = ancestor;
          break;
        }
      }
    }

    // A parent that scores nearly as well holds more of the article.
    double last = final_score(top);
    for (int parent = dom_[top].parent; parent >= 0 && parent != body; parent = dom_[parent].parent) {
      if (!is_scored(parent)) continue;
      const double parent_score = final_score(parent);
      if (parent_score < last / 3) break;
      if (parent_score > last) {
        top = parent;
        break;
      }
      last = parent_score;
    }

    // A candidate holding a small part of the page's prose is a fragment (a boxed aside, one
    // widget of a page builder): the article is the nearest ancestor that holds most of it.
    const int total_prose = prose_[static_cast<std::size_t>(body)];
    if (prose(top) * 4 < total_prose) {
      int ancestor = top;
      while (ancestor != body && prose(ancestor) * 2 < total_prose) ancestor = dom_[ancestor].parent;
      if (ancestor != body) top = ancestor;
    }

    // An only child stands for its parent.
    while (top != body && dom_[top].parent >= 0 && dom_[top].parent != body && element_children(dom_[top].parent) == 1)
      top = dom_[top].parent;
    return top;
  }

  int element_children(int parent) const {
    int count = 0;
    for (int child = parent + 1; child < dom_[parent].end; child = dom_[child].end)
      if (!skipped_[static_cast<std::size_t>(child)] && (!dom_[child].is_text || stats(child).chars > 0)) ++count;
    return count;
  }

  std::vector<int> with_siblings(int top, int body) const {
    if (top == body || dom_[top].parent < 0) return {top};
    const int parent = dom_[top].parent;
    const double threshold = std::max(10.0, final_score(top) * 0.2);
    const std::string_view top_class = dom_.attribute(top, "class");
    std::vector<int> out;
    for (int child = parent + 1; child < dom_[parent].end; child = dom_[child].end) {
      if (skipped_[static_cast<std::size_t>(child)] || dom_[child].is_text) continue;
      if (child == top) {
        out.push_back(child);
        continue;
      }
      const double bonus = !top_class.empty() && dom_.attribute(child, "class") == top_class ? final_score(top) * 0.2 : 0.0;
      if (is_scored(child) && final_score(child) + bonus >= threshold) {
        out.push_back(child);
      } else if (dom_[child].tag == GUMBO_TAG_P || (dom_[child].tag == GUMBO_TAG_DIV && !stats(child).has_block)) {
        const int chars = stats(child).chars;
        const double density = link_density(child);
        if (chars > 80 && density < 0.25) {
          out.push_back(child);
        } else if (chars > 0 && chars <= 80 && density == 0.0) {
          const std::string text = dom_.text_of(child);
          if (text.find(". ") != std::string::npos || text.ends_with('.')) out.push_back(child);
        }
      }
    }
    return out;
  }

  void note(std::string_view what, int i) const {
    if (!explain_) return;
    std::string line(what);
    line += " node=" + std::to_string(i) + " <" + gumbo_normalized_tagname(dom_[i].tag);
    if (const auto id = dom_.attribute(i, "id"); !id.empty()) line += " id=\"" + std::string(id.substr(0, 40)) + "\"";
    if (const auto cls = dom_.attribute(i, "class"); !cls.empty())
      line += " class=\"" + std::string(cls.substr(0, 60)) + "\"";
    line += ">";
    if (!stats_.empty()) line += " chars=" + std::to_string(stats(i).chars) + " links=" + std::to_string(stats(i).link_chars);
    if (!score_.empty() && is_scored(i)) line += " score=" + std::to_string(final_score(i));
    *explain_ += line + "\n";
  }

  static bool keeps(const Block& block) {
    if (block.link_density() > kMaxBlockLinkDensity) return false;
    return true;
  }

  const PageDom& dom_;
  std::string_view base_url_;
  std::string* explain_;
  std::size_t size_;
  std::vector<char> skipped_;
  std::vector<char> removed_;  // by the feed's `remove` rules: skipped in every pass
  std::vector<int> content_;   // the elements the feed's `content` rule matched, in page order
  bool content_missed_ = false;
  std::vector<Hint> hints_;
  std::vector<Stats> stats_;
  std::vector<Stats> page_stats_;  // before any pruning: the same for every pass
  bool streamed_ = false;          // `hidden` marks chunks of a streamed page, not hidden parts
  std::vector<double> score_;
  std::vector<char> scored_;
  std::vector<int> prose_;  // characters of prose paragraphs (mostly not links) in the subtree
};

int total_chars(const std::vector<Block>& blocks) {
  int total = 0;
  for (const Block& block : blocks) total += block.chars;
  return total;
}

}  // namespace

Extracted extract_content(const PageDom& dom, std::string_view base_url, std::string* explain,
                          const config::PageRules* rules) {
  Extraction extraction(dom, base_url, explain, rules);
  Extracted out;
  out.content_missed = extraction.content_missed();
  for (const Pruning pruning : {Pruning::everything, Pruning::never_story, Pruning::nothing}) {
    std::vector<Block> blocks = extraction.run(pruning);
    if (total_chars(blocks) >= kMinArticleChars) {
      out.blocks = std::move(blocks);
      return out;
    }
    if (total_chars(blocks) > total_chars(out.blocks)) out.blocks = std::move(blocks);
  }
  return out;
}

}  // namespace sluice::pipeline
