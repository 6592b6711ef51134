// libFuzzer target: any bytes through the cleaning stage (as a web page, a feed item's HTML or
// scraped plain text) and on to the article JSON. Nothing may crash, hang or leak, the direct
// JSON writer must write what nlohmann's serializer writes, and markup the simple layout takes
// must be laid out as gumbo's tree is.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "pipeline/clean/article_builder.h"
#include "pipeline/clean/article_json.h"
#include "pipeline/clean/cleaner.h"
#include "pipeline/clean/page_dom.h"
#include "pipeline/clean/simple_markup.h"

namespace {

bool same_layout(const sluice::pipeline::PageLayout& a, const sluice::pipeline::PageLayout& b) {
  if (a.nodes.size() != b.nodes.size() || a.html != b.html || a.head != b.head || a.body != b.body) return false;
  for (std::size_t i = 0; i < a.nodes.size(); ++i) {
    const auto& x = a.nodes[i];
    const auto& y = b.nodes[i];
    if (x.tag != y.tag || x.is_text != y.is_text || x.parent != y.parent || x.end != y.end || x.text != y.text ||
        x.attributes_end - x.attributes_begin != y.attributes_end - y.attributes_begin)
      return false;
    for (std::uint32_t k = 0; k < x.attributes_end - x.attributes_begin; ++k) {
      const auto& p = a.attributes[x.attributes_begin + k];
      const auto& q = b.attributes[y.attributes_begin + k];
      if (p.name != q.name || p.value != q.value) return false;
    }
  }
  return true;
}

// When the simple layout takes the markup, gumbo's tree is laid out the same.
void check_simple_layout(std::string_view html) {
  using namespace sluice;
  const feeds::PreparedMarkup prepared = feeds::prepare_markup(html);
  pipeline::PageLayout simple;
  if (!pipeline::lay_out_simple_markup(prepared.markup, simple)) return;
  const feeds::GumboDocument gumbo(prepared);
  pipeline::PageLayout parsed;
  pipeline::PageDom::lay_out_gumbo(gumbo.root(), parsed);
  if (!same_layout(simple, parsed)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sluice;
  if (size == 0) return 0;
  // The first byte picks the path; the rest is the document.
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  pipeline::CleanedStory story;
  switch (data[0] % 3) {
    case 0: story = pipeline::clean_page(input, "https://example.org/news/story.html"); break;
    case 1:
      check_simple_layout(input);
      story = pipeline::clean_fragment(input, "https://example.org/news/", "A title");
      break;
    default: story = pipeline::clean_text(input); break;
  }
  feeds::Article article;
  article.id = "0";
  article.feed_name = "fuzz";
  article.feed_url = "https://example.org/feed.xml";
  article.fetched = feeds::Timestamp(std::chrono::seconds(0));
  pipeline::apply_story(story, article);
  // The direct writer and nlohmann's serializer agree on every byte.
  if (pipeline::article_json(article, 1) != pipeline::article_json_generic(article, 1)) std::abort();
  return 0;
}
