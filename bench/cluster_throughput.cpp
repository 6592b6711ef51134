// Publishing into the cluster's JetStream stream: articles per second stored and acknowledged,
// from one and from three publishers (instances), beside raw libnats publishing in the same run.
//   cluster_throughput --nats URL [--articles N]
// Rows, each over the same 4 KB article bodies into a file-backed stream on the given server:
//   raw libnats    js_PublishAsync to a plain stream, acks awaited at the end: what `nats bench
//                  --js` does
//   sluice         pipeline::ArticleStream as the daemon's publish thread uses it: batches of
//                  1024 with Nats-Msg-Id, Sluice-Origin and Sluice-Seq headers, each batch's acks
//                  awaited before the next (the feeds' state advances only then)
// each from 1 and from 3 publishers, every publisher on a connection of its own (as instances
// are), sending N/publishers articles at once. One JSON line per row on stdout, a table on stderr.
// Last, how many new stories a second one instance checks cluster-wide before publishing them
// (pipeline::ClusterStories: the URL claim with the reads of the four SimHash blocks, then the
// four block writes, each round's requests side by side).
#include <nats/nats.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_articles.h"
#include "pipeline/clean/article_json.h"
#include "pipeline/cluster/article_stream.h"
#include "pipeline/cluster/cluster_state.h"
#include "pipeline/cluster/nats_client.h"

namespace {

using Clock = std::chrono::steady_clock;
using sluice::pipeline::check_nats;

constexpr std::size_t kBatch = 1024;  // the daemon's kJournalBatch

struct Prepared {
  sluice::pipeline::PreparedArticle article;
  std::string body;  // numbered JSON
};

void delete_stream(const sluice::pipeline::NatsClient& client, const std::string& name) {
  js_DeleteStream(client.jetstream(), name.c_str(), nullptr, nullptr);
}

void publish_raw(const std::string& url, const std::vector<Prepared>& articles, std::size_t from, std::size_t to) {
  const sluice::pipeline::NatsClient client(url, "bench raw");
  jsCtx* js = nullptr;
  jsOptions options;
  jsOptions_Init(&options);
  options.PublishAsync.MaxPending = 4096;
  check_nats(natsConnection_JetStream(&js, client.connection(), &options), "JetStream");
  for (std::size_t i = from; i < to; ++i) {
    const std::string subject = "rawbench." + articles[i].article.feed_name;
    check_nats(js_PublishAsync(js, subject.c_str(), articles[i].body.data(), static_cast<int>(articles[i].body.size()),
                               nullptr),
               "raw publish");
  }
  jsPubOptions wait;
  jsPubOptions_Init(&wait);
  wait.MaxWait = 60'000;
  check_nats(js_PublishAsyncComplete(js, &wait), "raw acks");
  jsCtx_Destroy(js);
}

void publish_sluice(const std::string& url, const std::vector<Prepared>& articles, std::size_t from, std::size_t to,
                    std::size_t publisher) {
  const sluice::pipeline::NatsClient client(url, "bench sluice");
  sluice::pipeline::ArticleStream stream(client, "bench", sluice::config::StreamConfig{},
                                         "instance-" + std::to_string(publisher));
  std::vector<sluice::pipeline::ArticleStream::Message> batch;
  for (std::size_t i = from; i < to; i += kBatch) {
    batch.clear();
    for (std::size_t j = i; j < std::min(to, i + kBatch); ++j) {
      const auto& each = articles[j];
      batch.push_back({each.article.feed_name, each.article.id, each.article.revision, j + 1, each.body});
    }
    stream.publish(batch, std::chrono::seconds(60));
  }
}

struct Row {
  std::string name;
  std::size_t publishers;
  std::size_t articles;
  double seconds;
  std::size_t bytes;
};

Row run(const std::string& name, std::size_t publishers, const std::vector<Prepared>& articles, std::size_t bytes,
        const std::function<void(std::size_t, std::size_t, std::size_t)>& publish) {
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  const std::size_t share = articles.size() / publishers;
  for (std::size_t p = 0; p < publishers; ++p)
    threads.emplace_back([&, p] { publish(p * share, p + 1 == publishers ? articles.size() : (p + 1) * share, p); });
  for (std::thread& thread : threads) thread.join();
  return {name, publishers, articles.size(), std::chrono::duration<double>(Clock::now() - start).count(), bytes};
}

}  // namespace

int main(int argc, char** argv) {
  std::string url;
  std::size_t count = 100'000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--nats") == 0) url = argv[i + 1];
    else if (std::strcmp(argv[i], "--articles") == 0) count = std::stoul(argv[i + 1]);
  }
  if (url.empty()) {
    std::fprintf(stderr, "usage: cluster_throughput --nats URL [--articles N]\n");
    return 2;
  }
  // The stages' log lines go to stderr, with the table; stdout carries only the JSON rows.
  spdlog::set_default_logger(spdlog::stderr_color_mt("bench"));
  std::vector<Prepared> articles;
  std::size_t bytes = 0;
  for (std::size_t n = 0; n < count; ++n) {
    auto article = sluice::pipeline::prepare_article(sluice::bench::make_article(n));
    std::string body = sluice::pipeline::numbered_json(article.json, n + 1);
    bytes += body.size();
    articles.push_back({std::move(article), std::move(body)});
  }
  try {
    const sluice::pipeline::NatsClient admin(url, "bench admin");
    std::vector<Row> rows;
    for (const std::size_t publishers : {std::size_t{1}, std::size_t{3}}) {
      // A fresh stream for every row: file storage, as the daemon's.
      delete_stream(admin, "rawbench");
      jsStreamConfig config;
      jsStreamConfig_Init(&config);
      const char* subjects[] = {"rawbench.>"};
      config.Name = "rawbench";
      config.Subjects = subjects;
      config.SubjectsLen = 1;
      config.Storage = js_FileStorage;
      jsStreamInfo* info = nullptr;
      check_nats(js_AddStream(&info, admin.jetstream(), &config, nullptr, nullptr), "raw stream");
      jsStreamInfo_Destroy(info);
      rows.push_back(run("raw libnats", publishers, articles, bytes,
                         [&](std::size_t from, std::size_t to, std::size_t) { publish_raw(url, articles, from, to); }));
      delete_stream(admin, "rawbench");
      delete_stream(admin, "bench-articles");
      rows.push_back(run("sluice stream", publishers, articles, bytes, [&](std::size_t from, std::size_t to, std::size_t p) {
        publish_sluice(url, articles, from, to, p);
      }));
      delete_stream(admin, "bench-articles");
    }
    std::fprintf(stderr, "%-14s %10s %10s %12s %9s %s\n", "", "publishers", "articles", "articles/s", "MB/s", "vs raw");
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const Row& row = rows[i];
      const double rate = static_cast<double>(row.articles) / row.seconds;
      const Row& raw = rows[i - i % 2];
      const double raw_rate = static_cast<double>(raw.articles) / raw.seconds;
      std::printf(R"({"name":"%s","publishers":%zu,"articles":%zu,"seconds":%.3f,"articles_per_s":%.0f,"mb_per_s":%.1f,"vs_raw":%.2f})"
                  "\n",
                  row.name.c_str(), row.publishers, row.articles, row.seconds, rate,
                  static_cast<double>(row.bytes) / row.seconds / 1e6, rate / raw_rate);
      std::fprintf(stderr, "%-14s %10zu %10zu %12.0f %9.1f %.2fx\n", row.name.c_str(), row.publishers, row.articles, rate,
                   static_cast<double>(row.bytes) / row.seconds / 1e6, rate / raw_rate);
    }
    const std::size_t checks = std::min<std::size_t>(articles.size(), 5000);
    sluice::pipeline::ClusterStories stories(admin, "bench", "instance-0", std::chrono::hours(1), 1);
    const auto start = Clock::now();
    std::size_t told = 0;
    for (std::size_t i = 0; i < checks; ++i) told += stories.told_elsewhere(articles[i].article).has_value();
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    std::printf(R"({"name":"story checks","articles":%zu,"seconds":%.3f,"articles_per_s":%.0f,"told_elsewhere":%zu})" "\n",
                checks, seconds, static_cast<double>(checks) / seconds, told);
    std::fprintf(stderr, "story checks   %10s %10zu %12.0f   (%.2f ms each)\n", "1", checks,
                 static_cast<double>(checks) / seconds, seconds * 1000 / static_cast<double>(checks));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cluster_throughput: %s\n", e.what());
    return 1;
  }
  return 0;
}
