// libFuzzer target: any bytes through the cleaning stage (as a web page, a feed item's HTML or
// scraped plain text) and on to the article JSON. Nothing may crash, hang or leak.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "pipeline/clean/article_builder.h"
#include "pipeline/clean/article_json.h"
#include "pipeline/clean/cleaner.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sluice;
  if (size == 0) return 0;
  // The first byte picks the path; the rest is the document.
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  pipeline::CleanedStory story;
  switch (data[0] % 3) {
    case 0: story = pipeline::clean_page(input, "https://example.org/news/story.html"); break;
    case 1: story = pipeline::clean_fragment(input, "https://example.org/news/", "A title"); break;
    default: story = pipeline::clean_text(input); break;
  }
  feeds::Article article;
  article.id = "0";
  article.feed_name = "fuzz";
  article.feed_url = "https://example.org/feed.xml";
  article.fetched = feeds::Timestamp(std::chrono::seconds(0));
  pipeline::apply_story(story, article);
  static_cast<void>(pipeline::article_json(article, 1));
  return 0;
}
