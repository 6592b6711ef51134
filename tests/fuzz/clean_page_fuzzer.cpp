// libFuzzer target: any bytes through the cleaning stage (as a web page, a feed item's HTML or
// scraped plain text) and on to the article JSON. Nothing may crash, hang or leak, and the direct
// JSON writer must write what nlohmann's serializer writes.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
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
  // The direct writer and nlohmann's serializer agree on every byte.
  if (pipeline::article_json(article, 1) != pipeline::article_json_generic(article, 1)) std::abort();
  return 0;
}
