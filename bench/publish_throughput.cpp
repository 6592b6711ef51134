// Publishing throughput: articles per second from the publish stage to one subscriber over
// loopback TCP, beside raw libzmq in the same run.
//   publish_throughput [--articles N] [--dir DIR]
// Three rows, each counted at the subscriber (the time from the first send to the last receive):
//   raw libzmq    XPUB → SUB, the same 4 KB bodies, nothing else
//   sluice        what the daemon's publish thread does per article: the story-index lookup, the
//                 article JSON, the journal append, an fdatasync per batch of 1024 (in DIR), the
//                 three-frame send
//   sluice+CURVE  the same with CURVE on the socket and a ZAP handler admitting the subscriber
// Queues are unbounded here, so every article arrives and the rate is the subscriber's real one.
// One JSON line per row on stdout, and a table on stderr.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "pipeline/article_json.h"
#include "pipeline/curve.h"
#include "pipeline/journal.h"
#include "pipeline/publisher.h"
#include "pipeline/simhash.h"
#include "pipeline/story_index.h"

namespace {

using Clock = std::chrono::steady_clock;
using sluice::pipeline::CurveKeys;

constexpr std::size_t kBatch = 1024;

// An article of about 4 KB of JSON, different for each n.
sluice::feeds::Article make_article(std::size_t n) {
  sluice::feeds::Article article;
  article.id = std::to_string(1'000'000'000'000ULL + n) + "abcdef0123456789ab";
  article.feed_name = "bench-" + std::to_string(n % 50);
  article.feed_url = "https://example.org/" + article.feed_name + ".xml";
  article.url = "https://example.org/story/" + std::to_string(n);
  article.title = "Story number " + std::to_string(n) + " from the benchmark";
  static const char* const kWords[] = {"harbour", "council", "storm", "ferry", "budget", "school", "river", "market"};
  std::uint64_t state = n * 2654435761ULL + 1;
  for (int p = 0; p < 5; ++p) {
    std::string paragraph;
    while (paragraph.size() < 340) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      paragraph += kWords[(state >> 33) % 8];
      paragraph += ' ';
    }
    article.paragraphs.push_back(std::move(paragraph));
  }
  article.summary = article.paragraphs.front().substr(0, 200);
  article.html = "<p>" + article.paragraphs[0] + "</p><p>" + article.paragraphs[1] + "</p>";
  article.simhash = sluice::pipeline::simhash(article.paragraphs);
  return article;
}

// Receives `count` messages of three frames on a SUB socket; returns when the last one came.
Clock::time_point receive_all(zmq::socket_t& subscriber, std::size_t count, std::atomic<bool>& ready) {
  std::vector<zmq::message_t> frames;
  ready = true;
  for (std::size_t got = 0; got < count;) {
    frames.clear();
    if (!zmq::recv_multipart(subscriber, std::back_inserter(frames))) continue;
    if (frames.size() == 3 && std::memcmp(frames[0].data(), "article.", 8) == 0) ++got;
  }
  return Clock::now();
}

struct Row {
  std::string name;
  std::size_t articles;
  double seconds;
  std::size_t bytes;
};

// Connects a subscriber to endpoint, waits until publishing reaches it, runs send, and times it.
template <typename Send>
Row measure(const std::string& name, zmq::context_t& context, const std::string& endpoint, const CurveKeys* client,
            const std::string& server_key, std::size_t count, std::size_t bytes, Send send, auto probe) {
  zmq::socket_t subscriber(context, zmq::socket_type::sub);
  subscriber.set(zmq::sockopt::rcvhwm, 0);
  if (client) sluice::pipeline::secure_client(subscriber, server_key, *client);
  subscriber.set(zmq::sockopt::subscribe, "article.");
  subscriber.set(zmq::sockopt::subscribe, "probe.");
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
  std::thread receiver([&] { end = receive_all(subscriber, count, ready); });
  while (!ready) std::this_thread::yield();
  const auto start = Clock::now();
  send();
  receiver.join();
  return {name, count, std::chrono::duration<double>(end - start).count(), bytes};
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t count = 100'000;
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "sluice-bench-publish";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--articles") == 0) count = std::stoull(argv[i + 1]);
    else if (std::strcmp(argv[i], "--dir") == 0) dir = argv[i + 1];
  }
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "keys" / "clients");

  std::vector<sluice::feeds::Article> articles;
  articles.reserve(count);
  std::size_t json_bytes = 0;
  for (std::size_t n = 0; n < count; ++n) {
    articles.push_back(make_article(n));
    if (n < 100) json_bytes += sluice::pipeline::article_json(articles.back(), n + 1).size();
  }
  const std::size_t average = json_bytes / std::min<std::size_t>(count, 100);
  std::vector<Row> rows;
  zmq::context_t context;

  {  // Raw libzmq: prebuilt bodies, XPUB → SUB.
    std::vector<std::string> bodies;
    for (std::size_t n = 0; n < count; ++n) bodies.push_back(sluice::pipeline::article_json(articles[n], n + 1));
    zmq::socket_t xpub(context, zmq::socket_type::xpub);
    xpub.set(zmq::sockopt::sndhwm, 0);
    xpub.bind("tcp://127.0.0.1:*");
    const std::string header(16, '\0');
    const auto send_one = [&](std::string_view topic, const std::string& body) {
      xpub.send(zmq::buffer(topic), zmq::send_flags::sndmore);
      xpub.send(zmq::buffer(header), zmq::send_flags::sndmore);
      xpub.send(zmq::buffer(body), zmq::send_flags::none);
    };
    rows.push_back(measure("raw libzmq XPUB->SUB", context, xpub.get(zmq::sockopt::last_endpoint), nullptr, "", count,
                           average, [&] { for (const std::string& body : bodies) send_one("article.raw.", body); },
                           [&] { send_one("probe.", "{}"); }));
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
    sluice::pipeline::StoryIndex stories;
    struct Held {
      std::string topic;
      std::uint64_t seq;
      std::string body;
    };
    std::vector<Held> batch;
    const auto send = [&] {
      for (std::size_t n = 0; n < count; ++n) {
        const sluice::feeds::Article& article = articles[n];
        const std::size_t words = sluice::pipeline::count_words(article.paragraphs);
        if (stories.find(article.feed_name, article.url, article.simhash, words)) continue;
        Held record{sluice::pipeline::article_topic(article.feed_name), journal.head() + 1, {}};
        record.body = sluice::pipeline::article_json(article, record.seq);
        journal.append(record.topic, record.body, 0);
        stories.add(record.seq, article.feed_name, article.url, article.simhash, words);
        batch.push_back(std::move(record));
        if (batch.size() == kBatch || n + 1 == count) {
          journal.sync();
          for (const Held& held : batch) publisher.publish_record(held.topic, held.seq, held.body);
          batch.clear();
        }
      }
    };
    const auto probe = [&] {
      publisher.read_subscriptions();
      publisher.heartbeat();
      publisher.publish_record("probe.", 0, "{}");
    };
    rows.push_back(measure(curve ? "sluice journaled + CURVE" : "sluice journaled", context, publisher.endpoint(),
                           curve ? &client : nullptr, server_key, count, average, send, probe));
    if (journal.head() != count) std::fprintf(stderr, "warning: %llu of %zu articles journaled (dedup)\n",
                                              static_cast<unsigned long long>(journal.head()), count);
  }

  const auto rate_of = [](const Row& row) { return static_cast<double>(row.articles) / row.seconds; };
  const double raw = rate_of(rows.front());
  std::fprintf(stderr, "%-26s %12s %10s %14s\n", "publisher", "articles/s", "MB/s", "vs raw libzmq");
  for (const Row& row : rows) {
    const double rate = rate_of(row);
    std::fprintf(stderr, "%-26s %12.0f %10.1f %13.2fx\n", row.name.c_str(), rate,
                 rate * static_cast<double>(row.bytes) / 1e6, rate / raw);
    std::printf("{\"publisher\":\"%s\",\"articles\":%zu,\"seconds\":%.3f,\"articles_per_s\":%.0f,\"body_bytes\":%zu,"
                "\"ratio_to_raw\":%.3f}\n",
                row.name.c_str(), row.articles, row.seconds, rate, row.bytes, rate / raw);
  }
  std::filesystem::remove_all(dir);
  return 0;
}
