// Parse throughput of sluice's feed parser on one file: the document is parsed in-process `runs`
// times (after one warm-up) and the fastest run is reported, with the process's peak RSS.
//   parse_throughput FILE [RUNS]  →  one JSON line: {"file","bytes","items","seconds","mb_per_s","items_per_s","peak_rss_kb"}
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include "feeds/feed_json.h"
#include "feeds/feed_parser.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: parse_throughput FILE [RUNS]\n");
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  const std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (body.empty()) {
    std::fprintf(stderr, "parse_throughput: %s: cannot read or empty\n", argv[1]);
    return 1;
  }
  const int runs = argc > 2 ? std::max(1, std::atoi(argv[2])) : 10;
  std::size_t items = 0;
  double best = 1e9;
  for (int run = -1; run < runs; ++run) {
    const auto start = std::chrono::steady_clock::now();
    const auto parsed = sluice::feeds::parse_feed(body, "https://example.org/feed");
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
              "\"peak_rss_kb\":%ld}\n",
              argv[1], body.size(), items, best, static_cast<double>(body.size()) / 1e6 / best,
              static_cast<double>(items) / best, usage.ru_maxrss);
  return 0;
}
