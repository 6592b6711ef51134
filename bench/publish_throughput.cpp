// Publishing throughput: articles per second from the publish stage to one subscriber over
// loopback TCP, beside raw libzmq in the same run.
//   publish_throughput [--articles N] [--dir DIR] [--small-pages]
// It runs itself again with glibc's malloc on transparent huge pages, as systemd/sluice.service runs
// the daemon (GLIBC_TUNABLES=glibc.malloc.hugetlb=1), unless GLIBC_TUNABLES is set or --small-pages
// is given. A first raw libzmq round warms the process's heap and is not counted.
// Three rows, each counted at the subscriber (the time from the first send to the last receive):
//   raw libzmq    XPUB → SUB, the same 4 KB bodies, nothing else
//   sluice        what the daemon's publish thread does per article (pipeline::Sequencer: the
//                 journal and story-index lookups, the seq put into the JSON, the journal append;
//                 an fdatasync per batch in DIR, overlapping the next batch's appends, batches of
//                 1024 growing up to 8192 while the disk is busy; the three-frame send once its
//                 batch is durable, the body sent from the journal's buffer without a copy).
//                 The JSON is serialized beforehand,
//                 as the daemon's worker threads do.
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
#include "pipeline/deliver/journal.h"
#include "pipeline/deliver/publisher.h"
#include "pipeline/deliver/sequencer.h"
#include "bench/bench_articles.h"
#include "daemon/bounded_queue.h"

namespace {

using Clock = std::chrono::steady_clock;
using sluice::pipeline::CurveKeys;

constexpr std::size_t kBatch = 1024;      // the daemon's kJournalBatch
constexpr std::size_t kBatchMost = 8192;  // and kJournalBatchMost
constexpr std::size_t kArticleQueue = 4096;  // and kArticleQueue
constexpr std::size_t kTakeMost = 256;       // and kTakeMost

// Counts the articles on a SUB socket until the "done." message; returns when that came.
Clock::time_point receive_all(zmq::socket_t& subscriber, std::size_t& got, std::atomic<bool>& ready) {
  std::vector<zmq::message_t> frames;
  ready = true;
  for (;;) {
    frames.clear();
    if (!zmq::recv_multipart(subscriber, std::back_inserter(frames)) || frames.empty()) continue;
    if (frames[0].to_string_view() == "done.") return Clock::now();
    if (frames.size() == 3 && frames[0].to_string_view().starts_with("article.")) ++got;
  }
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

// Connects a subscriber to endpoint, waits until publishing reaches it, runs send, and times it
// until the subscriber has the "done." message that finish sends.
template <typename Send>
Row measure(const std::string& name, zmq::context_t& context, const std::string& endpoint, const CurveKeys* client,
            const std::string& server_key, std::size_t bytes, Send send, auto probe, auto finish) {
  zmq::socket_t subscriber(context, zmq::socket_type::sub);
  subscriber.set(zmq::sockopt::rcvhwm, 0);
  if (client) sluice::pipeline::secure_client(subscriber, server_key, *client);
  subscriber.set(zmq::sockopt::subscribe, "article.");
  subscriber.set(zmq::sockopt::subscribe, "probe.");
  subscriber.set(zmq::sockopt::subscribe, "done.");
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
  std::thread receiver([&] { end = receive_all(subscriber, got, ready); });
  while (!ready) std::this_thread::yield();
  const auto start = Clock::now();
  const double cpu_start = process_cpu_seconds();
  send();
  finish();
  receiver.join();
  return {name, got, std::chrono::duration<double>(end - start).count(), bytes, process_cpu_seconds() - cpu_start};
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t count = 100'000;
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "sluice-bench-publish";
  bool small_pages = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--small-pages") == 0) small_pages = true;
    else if (i + 1 < argc && std::strcmp(argv[i], "--articles") == 0) count = std::stoull(argv[++i]);
    else if (i + 1 < argc && std::strcmp(argv[i], "--dir") == 0) dir = argv[++i];
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
                           average, [&] { for (const std::string& body : bodies) send_one("article.raw.", body); },
                           [&] { send_one("probe.", "{}"); }, [&] { send_one("done.", "{}"); }));
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
    const auto journal_dir = dir / (curve ? "journal-curve" : "journal");
    sluice::pipeline::Journal journal(journal_dir);
    sluice::pipeline::Publisher publisher(context, "tcp://127.0.0.1:*", journal.epoch(), 0,
                                          server ? &*server : nullptr, 0);
    sluice::pipeline::Sequencer sequencer(journal);
    // As in the daemon, the articles come through a bounded queue from another thread, which makes
    // each one (in its own malloc arena, as the daemon's workers do) while the publishing thread
    // takes, admits and lets go of them. The copy stands for the workers' serializing, which costs
    // far more and is left out.
    sluice::daemon::BoundedQueue<sluice::pipeline::PreparedArticle> queue(kArticleQueue);
    std::vector<sluice::pipeline::Sequencer::Appended> batch;
    std::vector<sluice::pipeline::Sequencer::Appended> writing;
    // Where the publishing thread's time goes: admitting (dedup, seq, journal append), waiting for
    // the batch before to be durable (its fdatasync runs while this one is admitted), sending.
    std::array<double, 3> split{};
    const auto send = [&] {
      auto mark = Clock::now();
      const auto lap = [&](double& into) {
        const auto now = Clock::now();
        into += std::chrono::duration<double>(now - mark).count();
        mark = now;
      };
      const auto publish_written = [&] {
        journal.finish_sync();
        lap(split[1]);
        // As the daemon does: the bodies go out from the buffer of the batch just made durable.
        if (!writing.empty())
          sluice::pipeline::Journal::for_each_written(*journal.written(), [&](const sluice::pipeline::Journal::Record& record) {
            publisher.publish_record(record.topic, record.seq, journal.written(), record.body);
            return true;
          });
        writing.clear();
        lap(split[2]);
      };
      std::thread worker([&] {
        for (const auto& article : articles) queue.push(article);
        queue.close();
      });
      std::vector<sluice::pipeline::PreparedArticle> taken;
      std::size_t next = 0;
      for (std::size_t n = 0; n < count; ++n) {
        if (next == taken.size()) {  // as the daemon does: a run at a time
          taken.clear();
          next = 0;
          if (queue.pop_some(taken, kTakeMost, std::chrono::hours(1)) == 0) break;
        }
        const sluice::pipeline::PreparedArticle article = std::move(taken[next++]);
        auto admitted = sequencer.admit(article, 0);
        if (auto* appended = std::get_if<sluice::pipeline::Sequencer::Appended>(&admitted))
          batch.push_back(std::move(*appended));
        // As the daemon does: a batch of kBatch goes to the disk once the one before is durable;
        // while the disk is busy, gathering goes on up to kBatchMost.
        const bool disk_busy = !writing.empty() && !journal.sync_done();
        if ((batch.size() >= kBatch && !disk_busy) || batch.size() >= kBatchMost || n + 1 == count) {
          lap(split[0]);
          publish_written();
          journal.begin_sync();
          std::swap(writing, batch);
        }
      }
      publish_written();
      worker.join();
    };
    const auto probe = [&] {
      publisher.read_subscriptions();
      publisher.heartbeat();
      publisher.publish_record("probe.", 0, "{}");
    };
    rows.push_back(measure(curve ? "sluice journaled + CURVE" : "sluice journaled", subscriber_context, publisher.endpoint(),
                           curve ? &client : nullptr, server_key, average, send, probe,
                           [&] { publisher.publish_record("done.", 0, "{}"); }));
    std::fprintf(stderr, "%s: publishing thread busy %.2f s: admit %.2f s, waiting for fdatasync %.2f s, send %.2f s\n",
                 rows.back().name.c_str(), split[0] + split[1] + split[2], split[0], split[1], split[2]);
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
