// Publishing throughput: articles per second from the publish stage to one subscriber over
// loopback TCP, beside raw libzmq in the same run.
//   publish_throughput [--articles N] [--per-document N] [--dir DIR] [--small-pages]
// It runs itself again with glibc's malloc on transparent huge pages, as systemd/sluice.service runs
// the daemon (GLIBC_TUNABLES=glibc.malloc.hugetlb=1), unless GLIBC_TUNABLES is set or --small-pages
// is given. A first raw libzmq round warms the process's heap and is not counted.
// Three rows, each counted at the subscriber (the time from the first send to the last receive):
//   raw libzmq    XPUB → SUB, the same 4 KB bodies, nothing else
//   sluice        the daemon's publish stage itself, pipeline::PublishLoop on a thread of its own,
//                 fed through the daemon's bounded queue: per article the Sequencer (journal and
//                 story-index lookups, the seq put into the JSON, the journal append), an
//                 fdatasync per batch in DIR overlapping the next batch's appends, the three-frame
//                 send once its batch is durable (the body from the journal's buffer, no copy),
//                 and a feed-state commit into SQLite every --per-document articles (50; 0: none)
//                 once its articles are out. The JSON is serialized beforehand, as the daemon's
//                 worker threads do.
//   sluice+CURVE  the same with CURVE on the socket and a ZAP handler admitting the subscriber
// Queues are unbounded here, so every article arrives and the rate is the subscriber's real one.
// One JSON line per row on stdout, and a table on stderr.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <utility>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <unistd.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "pipeline/clean/article_json.h"
#include "pipeline/deliver/curve.h"
#include "pipeline/deliver/publish_loop.h"
#include "pipeline/deliver/publisher.h"
#include "bench/bench_articles.h"
#include "pipeline/bounded_queue.h"

namespace {

using Clock = std::chrono::steady_clock;
using sluice::pipeline::CurveKeys;

constexpr std::size_t kArticleQueue = 4096;  // the daemon's

// Counts the articles on a SUB socket until `expected` came; returns when the last did.
Clock::time_point receive_all(zmq::socket_t& subscriber, std::size_t expected, std::size_t& got,
                              std::atomic<bool>& ready) {
  std::vector<zmq::message_t> frames;
  ready = true;
  while (got < expected) {
    frames.clear();
    if (!zmq::recv_multipart(subscriber, std::back_inserter(frames)) || frames.empty()) continue;
    if (frames.size() == 3 && frames[0].to_string_view().starts_with("article.")) ++got;
  }
  return Clock::now();
}

struct Row {
  std::string name;
  std::size_t articles;
  double seconds;
  std::size_t bytes;
  double cpu_seconds;  // of every thread in the process, the subscriber's included
};

double process_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

// Connects a subscriber to endpoint, waits until publishing reaches it (a probe message, or the
// publisher's welcome heartbeat), runs send, and times it until the subscriber has `expected`
// articles.
template <typename Send>
Row measure(const std::string& name, zmq::context_t& context, const std::string& endpoint, const CurveKeys* client,
            const std::string& server_key, std::size_t bytes, std::size_t expected, Send send, auto probe) {
  zmq::socket_t subscriber(context, zmq::socket_type::sub);
  subscriber.set(zmq::sockopt::rcvhwm, 0);
  if (client) sluice::pipeline::secure_client(subscriber, server_key, *client);
  subscriber.set(zmq::sockopt::subscribe, "article.");
  subscriber.set(zmq::sockopt::subscribe, "probe.");
  subscriber.set(zmq::sockopt::subscribe, "heartbeat.");
  subscriber.connect(endpoint);
  // Probe until the subscription has reached the publisher; probes are not counted.
  for (;;) {
    probe();
    zmq::pollitem_t item{subscriber.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, std::chrono::milliseconds(50)) > 0) {
      std::vector<zmq::message_t> frames;
      static_cast<void>(zmq::recv_multipart(subscriber, std::back_inserter(frames)));
      break;
    }
  }
  std::atomic<bool> ready{false};
  Clock::time_point end;
  std::size_t got = 0;
  std::thread receiver([&] { end = receive_all(subscriber, expected, got, ready); });
  while (!ready) std::this_thread::yield();
  const auto start = Clock::now();
  const double cpu_start = process_cpu_seconds();
  send();
  receiver.join();
  return {name, got, std::chrono::duration<double>(end - start).count(), bytes, process_cpu_seconds() - cpu_start};
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t count = 100'000;
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "sluice-bench-publish";
  bool small_pages = false;
  std::size_t per_document = 50;  // articles per feed-state commit; 0: none
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--small-pages") == 0) small_pages = true;
    else if (i + 1 < argc && std::strcmp(argv[i], "--articles") == 0) count = std::stoull(argv[++i]);
    else if (i + 1 < argc && std::strcmp(argv[i], "--dir") == 0) dir = argv[++i];
    else if (i + 1 < argc && std::strcmp(argv[i], "--per-document") == 0) per_document = std::stoull(argv[++i]);
  }
  if (!small_pages && std::getenv("GLIBC_TUNABLES") == nullptr) {
    ::setenv("GLIBC_TUNABLES", "glibc.malloc.hugetlb=1", 1);
    ::execv("/proc/self/exe", argv);
    std::perror("cannot run again with GLIBC_TUNABLES; going on with small pages");
  }
  // The stages' log lines go to stderr, with the table; stdout carries only the JSON rows.
  spdlog::set_default_logger(spdlog::stderr_color_mt("bench"));
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  std::fprintf(stderr, "malloc: GLIBC_TUNABLES=%s\n", tunables ? tunables : "(unset)");
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "keys" / "clients");
  sluice::pipeline::keep_freed_memory();  // as the daemon does; raw libzmq gains from it as much

  std::vector<sluice::pipeline::PreparedArticle> articles;
  articles.reserve(count);
  std::size_t json_bytes = 0;
  for (std::size_t n = 0; n < count; ++n) {
    articles.push_back(sluice::pipeline::prepare_article(sluice::bench::make_article(n)));
    json_bytes += articles.back().json.size();
  }
  const std::size_t average = json_bytes / std::max<std::size_t>(count, 1);
  std::vector<Row> rows;
  // The subscriber has a context (I/O thread) of its own, as it would in its own process.
  zmq::context_t context;
  zmq::context_t subscriber_context;

  for (int round = 0; round < 2; ++round) {  // Raw libzmq: prebuilt bodies, XPUB → SUB; the first round warms up.
    std::vector<std::string> bodies;
    for (std::size_t n = 0; n < count; ++n) bodies.push_back(sluice::pipeline::numbered_json(articles[n].json, n + 1));
    zmq::socket_t xpub(context, zmq::socket_type::xpub);
    xpub.set(zmq::sockopt::sndhwm, 0);
    xpub.bind("tcp://127.0.0.1:*");
    const std::string header(16, '\0');
    const auto send_one = [&](std::string_view topic, const std::string& body) {
      xpub.send(zmq::buffer(topic), zmq::send_flags::sndmore);
      xpub.send(zmq::buffer(header), zmq::send_flags::sndmore);
      xpub.send(zmq::buffer(body), zmq::send_flags::none);
    };
    rows.push_back(measure("raw libzmq XPUB->SUB", subscriber_context, xpub.get(zmq::sockopt::last_endpoint), nullptr, "",
                           average, count, [&] { for (const std::string& body : bodies) send_one("article.raw.", body); },
                           [&] { send_one("probe.", "{}"); }));
    if (round == 0) rows.clear();
  }

  for (const bool curve : {false, true}) {
    std::optional<sluice::pipeline::CurveServer> server;
    CurveKeys client;
    std::string server_key;
    if (curve) {
      const auto keys_dir = dir / "keys";
      sluice::pipeline::write_certificates(keys_dir, "server");
      client = sluice::pipeline::write_certificates(keys_dir / "clients", "bench");
      server.emplace(context, keys_dir / "server.key_secret", keys_dir / "clients");
      server_key = server->public_key();
    }
    // The daemon's own publish stage: PublishLoop on a thread of its own, fed through the daemon's
    // bounded queue by this thread, which hands over each article by move (made in its own malloc
    // arena before the clock runs, as the daemon's workers make them: their parsing, cleaning,
    // sketching and serializing are left out) and, every `per_document`, a feed-state commit that
    // the loop stores in SQLite once its articles are out.
    const auto state_dir = dir / (curve ? "state-curve" : "state");
    sluice::pipeline::StateStore store(state_dir);
    sluice::pipeline::BoundedQueue<sluice::pipeline::WorkItem> queue(kArticleQueue);
    sluice::pipeline::DeliveryCounters counters;
    sluice::pipeline::PublishLoop loop(context,
                                       {state_dir / "journal", {}, "tcp://127.0.0.1:*", 0, server ? &*server : nullptr, ""},
                                       queue, store, counters, {});
    std::thread publishing([&] { loop.run(); });  // until the queue is closed and everything is out
    std::vector<sluice::pipeline::PreparedArticle> made = articles;  // by this thread, before the clock runs
    const auto send = [&] {
      std::vector<sluice::pipeline::SeenEntry> entries;
      for (std::size_t n = 0; n < count; ++n) {
        entries.push_back({made[n].id, n, n, 1});
        queue.push(std::move(made[n]));
        if (per_document > 0 && (entries.size() == per_document || n + 1 == count))
          queue.push(sluice::pipeline::DocumentCommit{"feed-" + std::to_string(n / per_document), "", "",
                                                      std::exchange(entries, {})});
      }
      queue.close();
      publishing.join();
    };
    rows.push_back(measure(curve ? "sluice journaled + CURVE" : "sluice journaled", subscriber_context, loop.endpoint(),
                           curve ? &client : nullptr, server_key, average, count, send, [] {}));
    if (rows.back().articles != count)
      std::fprintf(stderr, "warning: %zu of %zu articles published (the rest were taken for repeats)\n",
                   rows.back().articles, count);
  }

  const auto rate_of = [](const Row& row) { return static_cast<double>(row.articles) / row.seconds; };
  const double raw = rate_of(rows.front());
  std::fprintf(stderr, "%-26s %12s %10s %14s %14s\n", "publisher", "articles/s", "MB/s", "vs raw libzmq",
               "CPU µs/article");
  for (const Row& row : rows) {
    const double rate = rate_of(row);
    const double cpu_us = row.cpu_seconds * 1e6 / static_cast<double>(std::max<std::size_t>(row.articles, 1));
    std::fprintf(stderr, "%-26s %12.0f %10.1f %13.2fx %14.1f\n", row.name.c_str(), rate,
                 rate * static_cast<double>(row.bytes) / 1e6, rate / raw, cpu_us);
    std::printf("{\"publisher\":\"%s\",\"articles\":%zu,\"seconds\":%.3f,\"articles_per_s\":%.0f,\"body_bytes\":%zu,"
                "\"ratio_to_raw\":%.3f,\"cpu_us_per_article\":%.2f}\n",
                row.name.c_str(), row.articles, row.seconds, rate, row.bytes, rate / raw, cpu_us);
  }
  std::filesystem::remove_all(dir);
  return 0;
}
