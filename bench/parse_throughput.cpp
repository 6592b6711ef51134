// Parse throughput of sluice's feed parser on one file: the document is parsed in-process `runs`
// times (after one warm-up) and the fastest run is reported, with the process's peak RSS.
//   parse_throughput FILE [RUNS]  →  one JSON line: {"file", "bytes", "items", "seconds", "mb_per_s",
//   "items_per_s", "peak_rss_kb", "baseline_rss_kb"}; peak minus baseline is what the document cost,
//   the input buffer (and the copy each run parses) included.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

#include "feeds/parse/feed_json.h"
#include "feeds/parse/feed_parser.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: parse_throughput FILE [RUNS]\n");
    return 2;
  }
  rusage before{};
  getrusage(RUSAGE_SELF, &before);  // the process before any document: code, libraries, allocator
  std::ifstream in(argv[1], std::ios::binary | std::ios::ate);
  std::string body(static_cast<std::size_t>(std::max<std::streamoff>(0, in.tellg())), '\0');
  in.seekg(0);
  in.read(body.data(), static_cast<std::streamsize>(body.size()));
  if (body.empty()) {
    std::fprintf(stderr, "parse_throughput: %s: cannot read or empty\n", argv[1]);
    return 1;
  }
  // RUNS 0: one parse of the file as read, moved in, so peak RSS shows what a reader of this file
  // needs (its buffer and the parse) and nothing of the benchmark's own copies.
  const int runs = argc > 2 ? std::max(0, std::atoi(argv[2])) : 10;
  if (runs == 0) {
    const std::size_t size = body.size();
    const auto parsed = sluice::feeds::parse_feed(std::move(body), "https://example.org/feed");
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    std::printf("{\"bytes\":%zu,\"items\":%zu,\"peak_rss_kb\":%ld,\"baseline_rss_kb\":%ld}\n", size,
                parsed ? parsed->entries.size() : 0, usage.ru_maxrss, before.ru_maxrss);
    return parsed ? 0 : 1;
  }
  std::size_t items = 0;
  double best = 1e9;
  for (int run = -1; run < runs; ++run) {
    std::string copy = body;  // parse_feed parses in place, in a buffer it owns
    const auto start = std::chrono::steady_clock::now();
    const auto parsed = sluice::feeds::parse_feed(std::move(copy), "https://example.org/feed");
    const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!parsed) {
      std::fprintf(stderr, "parse_throughput: %s: %s\n", argv[1], parsed.error().reason.c_str());
      return 1;
    }
    items = parsed->entries.size();
    if (run >= 0) best = std::min(best, seconds);
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("{\"file\":\"%s\",\"bytes\":%zu,\"items\":%zu,\"seconds\":%.6f,\"mb_per_s\":%.1f,\"items_per_s\":%.0f,"
              "\"peak_rss_kb\":%ld,\"baseline_rss_kb\":%ld}\n",
              argv[1], body.size(), items, best, static_cast<double>(body.size()) / 1e6 / best,
              static_cast<double>(items) / best, usage.ru_maxrss, before.ru_maxrss);
  return 0;
}
