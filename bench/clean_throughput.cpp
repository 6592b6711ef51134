// What each article costs a worker and the publish thread, stage by stage, in-process: a feed
// document is parsed, and every entry is made into an article, prepared (JSON, sketch) and looked
// up in a story index, the way the daemon does it (pipeline/work/document_worker.cpp and
// pipeline/deliver/sequencer.cpp), `runs` times after one warm-up; the fastest run is reported.
//   clean_throughput FILE [RUNS]  →  one JSON line: items, how many of the items' HTML bodies the
//   simple layout took (pipeline/clean/simple_markup.h) of how many there are, then µs per item for
//   each stage and in all.
// bench/ingest.py writes its feed documents with --write-feed for this.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "config/config.h"
#include "feeds/identity.h"
#include "feeds/parse/feed_parser.h"
#include "pipeline/clean/article_builder.h"
#include "pipeline/clean/article_json.h"
#include "pipeline/clean/page_dom.h"
#include "pipeline/deliver/story_index.h"

namespace {

using Clock = std::chrono::steady_clock;

double micros(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

struct Costs {
  double parse = 0, article = 0, prepare = 0, dedup = 0;
  double total() const { return parse + article + prepare + dedup; }
};

}  // namespace

int main(int argc, char** argv) {
  using namespace sluice;
  if (argc < 2) {
    std::fprintf(stderr, "usage: clean_throughput FILE [RUNS]\n");
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary | std::ios::ate);
  std::string body(static_cast<std::size_t>(std::max<std::streamoff>(0, in.tellg())), '\0');
  in.seekg(0);
  in.read(body.data(), static_cast<std::streamsize>(body.size()));
  if (body.empty()) {
    std::fprintf(stderr, "clean_throughput: %s: cannot read or empty\n", argv[1]);
    return 1;
  }
  const int runs = argc > 2 ? std::max(1, std::atoi(argv[2])) : 5;
  config::FeedConfig feed;
  feed.name = "bench";
  feed.url = "https://bench.example.org/feed.xml";
  std::size_t items = 0;
  Costs best{1e18, 1e18, 1e18, 1e18};
  for (int run = -1; run < runs; ++run) {
    Costs costs;
    auto start = Clock::now();
    const auto parsed = feeds::parse_feed(std::string(body), feed.url);
    if (!parsed) {
      std::fprintf(stderr, "clean_throughput: %s: %s\n", argv[1], parsed.error().reason.c_str());
      return 1;
    }
    costs.parse = micros(Clock::now() - start);
    items = parsed->entries.size();
    std::vector<pipeline::PreparedArticle> prepared;
    prepared.reserve(items);
    start = Clock::now();
    std::vector<feeds::Article> articles;
    articles.reserve(items);
    for (const feeds::Entry& entry : parsed->entries) {
      (void)pipeline::entry_fingerprint(entry);  // what the seen state compares, as the worker does
      articles.push_back(pipeline::make_article(feed, parsed->feed, entry, {}));
      (void)pipeline::text_fingerprint(articles.back());
    }
    costs.article = micros(Clock::now() - start);
    start = Clock::now();
    for (const feeds::Article& article : articles) prepared.push_back(pipeline::prepare_article(article));
    costs.prepare = micros(Clock::now() - start);
    start = Clock::now();
    pipeline::StoryIndex index;
    std::uint64_t seq = 0;
    std::size_t duplicates = 0;
    for (pipeline::PreparedArticle& article : prepared) {
      const pipeline::StoryFacts facts{article.feed_name, article.url,   article.title,
                                       article.sketch,    article.words, article.shingles};
      if (index.find(facts)) ++duplicates;
      index.add(++seq, facts, std::move(article.shingles));
    }
    costs.dedup = micros(Clock::now() - start);
    if (run >= 0 && costs.total() < best.total()) best = costs;
    if (run == -1 && duplicates > 0) std::fprintf(stderr, "clean_throughput: %zu of %zu found as duplicates\n", duplicates, items);
  }
  // Which items' HTML the simple layout takes (outside the timing: it lays each body out again).
  std::size_t html_bodies = 0, simple = 0;
  if (const auto parsed = feeds::parse_feed(std::string(body), feed.url)) {
    for (const feeds::Entry& entry : parsed->entries) {
      const feeds::Text* text = !entry.content.empty() ? &entry.content.front() : entry.summary ? &*entry.summary : nullptr;
      if (text == nullptr || !text->is_html()) continue;
      ++html_bodies;
      simple += pipeline::PageDom(text->value).laid_out_simply();
    }
  }
  const double n = static_cast<double>(std::max<std::size_t>(items, 1));
  std::printf("{\"items\":%zu,\"simple_layout\":%zu,\"html_bodies\":%zu,\"parse_us\":%.1f,\"article_us\":%.1f,\"prepare_us\":%.1f,\"dedup_us\":%.1f,\"total_us\":%.1f}\n",
              items, simple, html_bodies, best.parse / n, best.article / n, best.prepare / n, best.dedup / n, best.total() / n);
}
