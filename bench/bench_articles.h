// The articles the publishing benchmarks send: about 4 KB of JSON each, different for each n.
#pragma once

#include <cstdint>
#include <string>

#include "feeds/model.h"
#include "pipeline/clean/simhash.h"

namespace sluice::bench {

// An article of about 4 KB of JSON, different for each n.
inline feeds::Article make_article(std::size_t n) {
  feeds::Article article;
  article.id = std::to_string(1'000'000'000'000ULL + n) + "abcdef0123456789ab";
  article.feed_name = "bench-" + std::to_string(n % 50);
  article.feed_url = "https://example.org/" + article.feed_name + ".xml";
  article.url = "https://example.org/story/" + std::to_string(n);
  article.title = "Story number " + std::to_string(n) + " from the benchmark";
  // Words drawn from a large vocabulary, so no two articles look alike to the SimHash dedup.
  std::uint64_t state = n * 2654435761ULL + 1;
  for (int p = 0; p < 5; ++p) {
    std::string paragraph;
    while (paragraph.size() < 450) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      paragraph += "w" + std::to_string((state >> 33) % 20'000);
      paragraph += ' ';
    }
    article.paragraphs.push_back(std::move(paragraph));
  }
  article.summary = article.paragraphs.front().substr(0, 200);
  article.html = "<p>" + article.paragraphs[0] + "</p><p>" + article.paragraphs[1] + "</p>";
  article.simhash = pipeline::simhash(article.paragraphs);
  return article;
}

}  // namespace sluice::bench
