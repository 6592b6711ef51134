// The story index (pipeline/deliver/story_index.h) on an evaluation set, and its cost per article.
//
// usage: dedup_eval [--distractors N] < set.jsonl > answers.jsonl
//        dedup_eval --bench-articles N
//
// Reads JSON lines, each one article through the cleaning stage as the daemon has it:
//   {"op": "add", "feed", "title", "url", "text"}       indexed as published (seq 1, 2, ...)
//   {"op": "check", "feed", "title", "url", "text" | "html"}  looked up, answered with one line:
//   {"seq": N or null, "rule", "similarity", "of_this", "of_earlier"}
// --distractors N: before the first check, N more stories are indexed, each 300 words drawn from
// the words the added articles use (so they share common word pairs as real stories do), to
// measure the cost of a lookup in an index of that size. Prints to stderr the microseconds per
// check and per add (cleaning excluded) and the index's bytes per story.
// --bench-articles N: indexes N of the publishing benchmarks' 4 KB articles (bench_articles.h),
// each sketched, looked up and added as the publish path does, and prints the same figures.
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "bench/bench_articles.h"
#include "pipeline/clean/cleaner.h"
#include "pipeline/clean/simhash.h"
#include "pipeline/clean/story_sketch.h"
#include "pipeline/deliver/story_index.h"

namespace {

using Clock = std::chrono::steady_clock;
using sluice::pipeline::StoryFacts;
using sluice::pipeline::StoryIndex;

struct Prepared {
  std::string feed;
  std::optional<std::string> url;
  std::string title;
  std::vector<std::string> paragraphs;
};

Prepared prepare(const nlohmann::json& line) {
  Prepared out{line.value("feed", "wire"), std::nullopt, line.value("title", ""), {}};
  if (line.contains("url")) out.url = line["url"].get<std::string>();
  const sluice::pipeline::CleanedStory story =
      line.contains("html") ? sluice::pipeline::clean_page(line["html"].get<std::string>(), out.url.value_or(""))
                            : sluice::pipeline::clean_text(line.value("text", ""), out.title);
  for (const auto& block : story.blocks) out.paragraphs.push_back(block.text);
  return out;
}

struct Timer {
  double seconds = 0;
  std::size_t count = 0;
  template <typename F>
  auto time(F&& work) {
    const auto start = Clock::now();
    auto result = work();
    seconds += std::chrono::duration<double>(Clock::now() - start).count();
    ++count;
    return result;
  }
  double micros() const { return count == 0 ? 0 : seconds * 1e6 / double(count); }
};

void report(const StoryIndex& index, const Timer& checks, const Timer& adds) {
  std::fprintf(stderr,
               "stories=%zu check_us=%.2f add_us=%.2f (sketch included, cleaning not) bytes_per_story=%.1f "
               "recent_shingles_bytes=%zu\n",
               index.size(), checks.micros(), adds.micros(),
               index.size() == 0 ? 0.0 : double(index.memory_bytes()) / double(index.size()), index.recent_bytes());
}

void add_distractors(StoryIndex& index, std::size_t count, const std::vector<std::string>& pool, std::uint64_t& seq) {
  std::mt19937_64 random(20261203);
  std::uniform_int_distribution<std::size_t> pick(0, pool.empty() ? 0 : pool.size() - 1);
  const std::optional<std::string> no_url;
  for (std::size_t n = 0; n < count && !pool.empty(); ++n) {
    std::string text;
    for (int w = 0; w < 300; ++w) (text += pool[pick(random)]) += ' ';
    std::vector<std::uint32_t> shingles;
    const auto sketch = sluice::pipeline::sketch_story(text, &shingles);
    index.add(++seq, StoryFacts{"distractors", no_url, "", sketch, 300}, std::move(shingles));
  }
}

int bench_articles(std::size_t count) {
  StoryIndex index;
  Timer checks, adds;
  for (std::size_t n = 0; n < count; ++n) {
    const sluice::feeds::Article article = sluice::bench::make_article(n);
    const std::size_t words = sluice::pipeline::count_words(article.paragraphs);
    std::vector<std::uint32_t> shingles;
    const auto sketch = checks.time([&] { return sluice::pipeline::sketch_story(article.paragraphs, &shingles); });
    const StoryFacts facts{article.feed_name, article.url, article.title, sketch, words, shingles};
    const auto found = checks.time([&] { return index.find(facts); });
    if (found)
      std::fprintf(stderr, "unexpected match: %zu with seq %llu rule=%s similarity=%.2f of_this=%.2f of_earlier=%.2f\n", n,
                   static_cast<unsigned long long>(found->seq), std::string(sluice::pipeline::rule_name(found->rule)).c_str(),
                   found->overlap.jaccard, found->overlap.of_first, found->overlap.of_second);
    adds.time([&] {
      index.add(n + 1, facts, std::move(shingles));
      return 0;
    });
  }
  // A check is the sketch and the lookup: two timed parts per article.
  checks.count /= 2;
  report(index, checks, adds);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t distractors = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--distractors") distractors = std::stoul(argv[i + 1]);
    else if (flag == "--bench-articles") return bench_articles(std::stoul(argv[i + 1]));
  }
  StoryIndex index;
  Timer checks, adds;
  std::uint64_t seq = 0;
  std::vector<std::string> pool;
  bool distracted = false;
  std::string text;
  while (std::getline(std::cin, text)) {
    const auto line = nlohmann::json::parse(text);
    const Prepared article = prepare(line);
    const std::size_t words = sluice::pipeline::count_words(article.paragraphs);
    if (line.value("op", "") == "add") {
      for (const std::string& paragraph : article.paragraphs)
        for (std::size_t at = 0, end; at < paragraph.size(); at = end + 1) {
          end = std::min(paragraph.find(' ', at), paragraph.size());
          if (end > at) pool.emplace_back(paragraph.substr(at, end - at));
        }
      std::vector<std::uint32_t> shingles;
      const auto sketch = sluice::pipeline::sketch_story(article.paragraphs, &shingles);
      adds.time([&] {
        index.add(++seq, StoryFacts{article.feed, article.url, article.title, sketch, words}, std::move(shingles));
        return 0;
      });
      continue;
    }
    if (!distracted) {
      add_distractors(index, distractors, pool, seq);
      distracted = true;
    }
    std::vector<std::uint32_t> shingles;
    const auto sketch = checks.time([&] { return sluice::pipeline::sketch_story(article.paragraphs, &shingles); });
    const auto found = checks.time(
        [&] { return index.find(StoryFacts{article.feed, article.url, article.title, sketch, words, shingles}); });
    nlohmann::json answer = {{"seq", nullptr}};
    if (found)
      answer = {{"seq", found->seq},
                {"rule", sluice::pipeline::rule_name(found->rule)},
                {"similarity", found->overlap.jaccard},
                {"of_this", found->overlap.of_first},
                {"of_earlier", found->overlap.of_second}};
    std::cout << answer.dump() << '\n';
  }
  checks.count /= 2;
  report(index, checks, adds);
  return 0;
}
