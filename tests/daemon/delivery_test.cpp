// Delivery guarantees of the real daemon: nothing lost or repeated across SIGKILLs, stalled
// subscribers, restarted subscribers, syndicated and edited stories, and CURVE.
#include <signal.h>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <map>
#include <mutex>
#include <numeric>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <thread>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "tests/support/frames.h"
#include "tests/support/http_server.h"
#include "tests/support/json_lines.h"
#include "tests/support/process.h"
#include "tests/support/sluice_daemon.h"
#include "tests/support/temp_dir.h"

namespace sluice::daemon {
namespace {

using namespace std::chrono_literals;

std::string item(const std::string& feed, int n, const std::string& body = "") {
  const std::string id = feed + "-" + std::to_string(n);
  return "<item><title>Story " + id + "</title><link>https://" + feed + ".example.org/" + std::to_string(n) +
         "</link><guid isPermaLink=\"false\">" + id + "</guid><description>" +
         (body.empty() ? "Report number " + std::to_string(n) + " from " + feed + "." : body) + "</description></item>";
}

// About 4 KB of text of its own for story n, from some 6 000 words (so no two stories share more
// than a few word pairs, and the cross-feed dedup takes none for another): a few hundred of them
// fill the kernel's socket buffers.
std::string story_text(int n) {
  static const char* const kWords[] = {"harbour", "council", "storm",  "ferry",   "budget", "school", "river",
                                       "market",  "bridge",  "mayor",  "weather", "train",  "museum", "festival",
                                       "police",  "hospital", "road",  "library", "port",   "island"};
  std::minstd_rand words(static_cast<unsigned>(n));
  std::string text;
  while (text.size() < 4000) {
    const auto word = words();
    text += kWords[word % std::size(kWords)] + std::to_string(word / std::size(kWords) % 300);
    text += text.size() % 9 == 0 ? ". " : " ";
  }
  return text;
}

std::string rss(const std::string& items) {
  return R"(<?xml version="1.0"?><rss version="2.0"><channel><title>Test</title>)" + items + "</channel></rss>";
}

// Every article the replay server holds from seq 1, asked for over a real DEALER socket.
std::vector<nlohmann::json> replay_all(const std::string& endpoint) {
  zmq::context_t context;
  zmq::socket_t client(context, zmq::socket_type::dealer);
  client.set(zmq::sockopt::linger, 0);
  client.connect(endpoint);
  client.send(zmq::str_buffer(R"({"from": 1, "credit": 50000})"), zmq::send_flags::none);
  std::vector<nlohmann::json> articles;
  for (;;) {
    zmq::pollitem_t poll{client.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&poll, 1, 10s) <= 0) {
      ADD_FAILURE() << "the replay did not end";
      return articles;
    }
    std::vector<zmq::message_t> frames;
    static_cast<void>(zmq::recv_multipart(client, std::back_inserter(frames)));
    if (frames.size() != 3) continue;
    if (frames[0].to_string() == "end.") return articles;
    if (frames[0].to_string() == "error.") {
      ADD_FAILURE() << frames[2].to_string();
      return articles;
    }
    articles.push_back(nlohmann::json::parse(frames[2].to_string()));
    EXPECT_EQ(articles.back()["seq"], test::header_of(frames[1]).seq);
  }
}

// Each article's guid once, and seq 1, 2, 3… without a gap.
void expect_once_and_gapless(const std::vector<nlohmann::json>& articles) {
  std::set<std::string> guids;
  for (std::size_t i = 0; i < articles.size(); ++i) {
    EXPECT_EQ(articles[i]["seq"], i + 1) << "seq is gapless";
    EXPECT_TRUE(guids.insert(articles[i]["guid"].get<std::string>()).second) << "twice: " << articles[i]["guid"];
  }
}

TEST(Delivery, SigkilledAgainAndAgainItLosesAndRepeatsNothing) {
  const test::TempDir dir;
  test::HttpServer server;
  // Two feeds gain an item every 60 ms each and list their newest 100; every item a response
  // carried is counted as served.
  const auto begin = std::chrono::steady_clock::now();
  std::atomic<bool> growing{true};
  std::atomic<int> frozen_at{0};
  std::mutex served_mutex;
  std::set<std::string> served;
  const auto grow = [&](const std::string& feed) {
    return [&, feed](const test::HttpRequest&) {
      const int now = static_cast<int>((std::chrono::steady_clock::now() - begin) / 60ms);
      const int newest = growing ? now : frozen_at.load();
      std::string items;
      const std::lock_guard lock(served_mutex);
      for (int n = newest; n > std::max(0, newest - 100); --n) {
        items += item(feed, n);
        served.insert(feed + "-" + std::to_string(n));
      }
      return test::HttpReply{200, rss(items), {}};
    };
  };
  server.route("/a.xml", grow("a"));
  server.route("/b.xml", grow("b"));
  test::SluiceDaemon daemon(dir.path(), "defaults: { interval: 1s, min_interval: 1s }\nfeeds:\n  - name: a\n    url: " +
                                            server.url("/a.xml") + "\n  - name: b\n    url: " + server.url("/b.xml") + "\n");
  std::mt19937 random(20261128);
  std::uniform_int_distribution<int> lifetime_ms(150, 1600);
  for (int kill = 0; kill < 12; ++kill) {
    ASSERT_TRUE(daemon.start()) << daemon.log();
    std::this_thread::sleep_for(std::chrono::milliseconds(lifetime_ms(random)));
    ASSERT_EQ(daemon.stop(SIGKILL), 128 + SIGKILL);
  }
  // Growth stops; the last run reads everything that was served and publishes what it lacks.
  frozen_at = static_cast<int>((std::chrono::steady_clock::now() - begin) / 60ms);
  growing = false;
  ASSERT_TRUE(daemon.start()) << daemon.log();
  std::size_t expected = 0;
  std::vector<nlohmann::json> articles;
  ASSERT_TRUE(test::wait_until([&] {
    {
      const std::lock_guard lock(served_mutex);
      expected = served.size();
    }
    articles = replay_all(daemon.replay_endpoint());
    return articles.size() >= expected;
  }, 30s)) << articles.size() << " of " << expected << " published\n" << daemon.log();
  EXPECT_EQ(articles.size(), expected);
  expect_once_and_gapless(articles);

  // `sluice tail --from 1` shows the same.
  const auto tail = test::run_command({SLUICE_BINARY, "tail", "-e", daemon.endpoint(), "-r", daemon.replay_endpoint(),
                                       "--from", "1", "-n", std::to_string(expected)});
  ASSERT_EQ(tail.status, 0) << tail.err;
  const auto printed = test::json_lines(tail.out);
  EXPECT_EQ(printed.size(), expected);
  expect_once_and_gapless(printed);
}

class Stream : public testing::Test {
 protected:
  void SetUp() override {
    // With an ETag, so that polls between releases cost a 304, not another parse of megabytes.
    server.route("/bulk.xml", [this](const test::HttpRequest& request) {
      const int count = released;
      const std::string etag = "\"bulk-" + std::to_string(count) + "\"";
      if (request.header("If-None-Match") == etag) return test::HttpReply{304, "", {{"ETag", etag}}};
      std::string items;
      for (int n = count; n >= 1; --n) items += item("bulk", n, story_text(n));
      // A type the test server does not compress: brotli on megabytes would take longer than the fetch may.
      return test::HttpReply{200, rss(items), {{"Content-Type", "application/rss+xml"}, {"ETag", etag}}};
    });
  }

  std::optional<test::SluiceDaemon> daemon;
  test::TempDir dir;
  test::HttpServer server;
  std::atomic<int> released{0};
};

TEST_F(Stream, AStalledSubscriberNeitherDelaysAFastOneNorLosesAnything) {
  // A queue of 100 articles per subscriber: a stalled one overflows it (and the kernel's socket
  // buffers) within the 12 MB burst below.
  daemon.emplace(dir.path(),
                 "log_level: debug\ndefaults: { interval: 1s, min_interval: 1s, max_body: 64MiB }\nfeeds:\n"
                 "  - name: bulk\n    url: " + server.url("/bulk.xml") + "\n",
                 "  subscriber_queue: 100\n");
  ASSERT_TRUE(daemon->start()) << daemon->log();
  constexpr int kArticles = 3000;
  // Both start from seq 1, so neither depends on when its connection comes up.
  const auto tail = [&](const std::string& name) {
    return test::Process({SLUICE_BINARY, "tail", "-e", daemon->endpoint(), "-r", daemon->replay_endpoint(), "--from",
                          "1", "-n", std::to_string(kArticles)},
                         dir.path() / (name + ".out"), dir.path() / (name + ".err"));
  };
  test::Process slow = tail("slow");
  ASSERT_TRUE(daemon->wait_for_log("subscription added topic=\"heartbeat.\"")) << daemon->log();
  slow.send_signal(SIGSTOP);  // it reads nothing from here on
  test::Process fast = tail("fast");
  released = kArticles;

  // The fast subscriber has every article while the slow one is still stopped.
  ASSERT_EQ(fast.wait_for(60s), 0) << test::read_file(dir.path() / "fast.err") << daemon->log();
  const auto fast_printed = test::json_lines(test::read_file(dir.path() / "fast.out"));
  ASSERT_EQ(fast_printed.size(), static_cast<std::size_t>(kArticles));
  expect_once_and_gapless(fast_printed);
  const std::size_t replays_before = test::count_of(daemon->log(), "replay requested");

  // Resumed, the slow one finds the stream dropped most of its share, and replays it.
  slow.send_signal(SIGCONT);
  ASSERT_EQ(slow.wait_for(60s), 0) << test::read_file(dir.path() / "slow.err");
  const auto slow_printed = test::json_lines(test::read_file(dir.path() / "slow.out"));
  ASSERT_EQ(slow_printed.size(), static_cast<std::size_t>(kArticles));
  expect_once_and_gapless(slow_printed);
  EXPECT_GT(test::count_of(daemon->log(), "replay requested"), replays_before) << "the slow one's gap was replayed";
}

TEST_F(Stream, ARestartedSubscriberCatchesUpFromItsPosition) {
  daemon.emplace(dir.path(), "defaults: { interval: 1s, min_interval: 1s }\nfeeds:\n  - name: bulk\n    url: " +
                                 server.url("/bulk.xml") + "\n");
  ASSERT_TRUE(daemon->start()) << daemon->log();
  const std::string position = (dir.path() / "tail.position").string();
  released = 10;
  const auto first = test::run_command({SLUICE_BINARY, "tail", "-e", daemon->endpoint(), "-r", daemon->replay_endpoint(), "--from", "last",
                                        "--position", position, "-n", "4"});
  ASSERT_EQ(first.status, 0) << first.err << first.out << daemon->log();
  EXPECT_NE(first.err.find("no position"), std::string::npos) << "the first run starts at the oldest article";
  released = 25;
  const auto second = test::run_command({SLUICE_BINARY, "tail", "-e", daemon->endpoint(), "-r", daemon->replay_endpoint(), "--from", "last",
                                         "--position", position, "-n", "21"});
  ASSERT_EQ(second.status, 0) << second.err;
  auto articles = test::json_lines(first.out);
  const auto rest = test::json_lines(second.out);
  articles.insert(articles.end(), rest.begin(), rest.end());
  ASSERT_EQ(articles.size(), 25U);
  expect_once_and_gapless(articles);
  EXPECT_EQ(articles.back()["guid"], "bulk-25");
}

// The Python subscriber the README gives, taken from the README itself.
std::string readme_subscriber() {
  const std::string readme = test::read_file(std::filesystem::path(SLUICE_SOURCE_DIR) / "README.md");
  const std::size_t marker = readme.find("<!-- subscriber.py");
  const std::size_t start = readme.find("```python\n", marker);
  const std::size_t end = readme.find("\n```", start);
  if (marker == std::string::npos || start == std::string::npos || end == std::string::npos) return {};
  return readme.substr(start + 10, end - start - 9);
}

std::vector<std::uint64_t> printed_seqs(const std::filesystem::path& file) {
  std::vector<std::uint64_t> seqs;
  std::istringstream in(test::read_file(file));
  for (std::string line; std::getline(in, line);) seqs.push_back(std::stoull(line.substr(0, line.find(' '))));
  return seqs;
}

TEST_F(Stream, TheReadmeSubscriberIsGapFreeAcrossItsRestarts) {
  const std::string program = readme_subscriber();
  ASSERT_FALSE(program.empty()) << "README.md lost its subscriber example";
  test::write_file(dir.path() / "subscriber.py", program);
  // Debian's interpreter, which has python3-zmq, even where another python3 comes first on PATH.
  const std::string python = std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
  daemon.emplace(dir.path(), "defaults: { interval: 1s, min_interval: 1s }\nfeeds:\n  - name: bulk\n    url: " +
                                 server.url("/bulk.xml") + "\n");
  ASSERT_TRUE(daemon->start()) << daemon->log();
  const auto run = [&](const std::string& name) {
    return std::make_unique<test::Process>(
        std::vector<std::string>{python, (dir.path() / "subscriber.py").string(), daemon->endpoint(),
                                 daemon->replay_endpoint(), (dir.path() / "position").string()},
        dir.path() / (name + ".out"), dir.path() / (name + ".err"));
  };
  released = 10;
  auto first = run("first");
  ASSERT_TRUE(test::wait_until([&] { return printed_seqs(dir.path() / "first.out").size() >= 10; }, 20s))
      << test::read_file(dir.path() / "first.err");
  // Killed once idle: its position names the last article it printed. (Killed between printing
  // and saving, it would print that one again after the restart: at least once, by design.)
  ASSERT_TRUE(test::wait_until([&] { return test::read_file(dir.path() / "position").ends_with(" 10\n"); }, 10s))
      << test::read_file(dir.path() / "position");
  first->send_signal(SIGKILL);
  first->wait_for(5s);
  released = 25;  // published while the subscriber is down
  ASSERT_TRUE(daemon->wait_for_log("entries=25 new=15")) << daemon->log();
  auto second = run("second");
  ASSERT_TRUE(test::wait_until([&] { return printed_seqs(dir.path() / "second.out").size() >= 15; }, 20s))
      << test::read_file(dir.path() / "second.err");
  released = 30;  // and live
  ASSERT_TRUE(test::wait_until([&] { return printed_seqs(dir.path() / "second.out").size() >= 20; }, 20s))
      << test::read_file(dir.path() / "second.err");
  auto seqs = printed_seqs(dir.path() / "first.out");
  const auto more = printed_seqs(dir.path() / "second.out");
  seqs.insert(seqs.end(), more.begin(), more.end());
  std::vector<std::uint64_t> expected(30);
  std::iota(expected.begin(), expected.end(), 1);
  EXPECT_EQ(seqs, expected) << "each article once, in order, across a restart";
}

TEST(Delivery, ASyndicatedStoryGoesOutOnceAndAnEditAsRevisionTwo) {
  const test::TempDir dir;
  test::HttpServer server;
  std::atomic<bool> edited{false};
  std::atomic<bool> wire_released{false};
  const std::string story = "<item><title>Bridge closes for repairs</title><link>https://city.example.org/bridge</link>"
                            "<guid isPermaLink=\"false\">bridge-1</guid><description>";
  server.route("/city.xml", [&](const test::HttpRequest&) {
    return test::HttpReply{200, rss(story + (edited ? "The bridge closes on Monday, not Sunday." : "The bridge closes on Sunday.") +
                                    "</description></item>"),
                           {}};
  });
  // A wire service carries the same story, under its own guid, linking to the same page.
  server.route("/wire.xml", [&](const test::HttpRequest&) {
    return test::HttpReply{200, rss(wire_released ? "<item><title>Bridge closes for repairs</title><link>https://city.example.org/bridge?utm_source=wire</link>"
                                                    "<guid>wire-77</guid><description>The bridge closes on Sunday.</description></item>"
                                                  : ""),
                           {}};
  });
  test::SluiceDaemon daemon(dir.path(), "defaults: { interval: 1s, min_interval: 1s, min_revision_interval: 1s }\n"
                                        "feeds:\n  - name: city\n    url: " + server.url("/city.xml") + "\n  - name: wire\n    url: " + server.url("/wire.xml") + "\n");
  ASSERT_TRUE(daemon.start()) << daemon.log();
  ASSERT_TRUE(daemon.wait_for_log("feed parsed feed=city format=rss20 entries=1 new=1")) << daemon.log();
  wire_released = true;
  ASSERT_TRUE(daemon.wait_for_log("article not published: same story as seq=1 feed=wire")) << daemon.log();
  edited = true;
  ASSERT_TRUE(daemon.wait_for_log("edited=1")) << daemon.log();
  // Parsed, then journaled and published a moment later.
  std::vector<nlohmann::json> articles;
  ASSERT_TRUE(test::wait_until([&] { return (articles = replay_all(daemon.replay_endpoint())).size() >= 2; }, 10s))
      << daemon.log();
  ASSERT_EQ(articles.size(), 2U) << daemon.log();
  EXPECT_EQ(articles[0]["revision"], 1);
  EXPECT_EQ(articles[1]["revision"], 2);
  EXPECT_EQ(articles[1]["id"], articles[0]["id"]) << "the same article, updated";
  EXPECT_EQ(articles[1]["text"], "The bridge closes on Monday, not Sunday.");
  // Polls that see the edit again publish nothing more; nor does a restart.
  ASSERT_TRUE(daemon.wait_for_log("feed parsed feed=city format=rss20 entries=1 new=0 edited=0", 2)) << daemon.log();
  ASSERT_EQ(daemon.stop(SIGTERM), 0);
  ASSERT_TRUE(daemon.start()) << daemon.log();
  ASSERT_TRUE(daemon.wait_for_log("feed parsed feed=city format=rss20 entries=1 new=0 edited=0")) << daemon.log();
  EXPECT_EQ(replay_all(daemon.replay_endpoint()).size(), 2U);
}

// One story as a partner carries it: under its own URL and headline, with a credit line, one
// word in 25 changed, and its own footer.
std::string partner_copy(const std::string& text) {
  std::string copy = "By Maria Lopez, Associated Press. ";
  std::size_t words = 0;
  for (std::size_t at = 0, end; at < text.size(); at = end + 1) {
    end = std::min(text.find(' ', at), text.size());
    copy += (++words % 25 == 0 ? std::string("changed") : text.substr(at, end - at)) + ' ';
  }
  return copy + "Read more from our partners.";
}

TEST(Delivery, ASyndicatedCopyUnderItsOwnUrlAndHeadlineGoesOutOnceAndIsAnnounced) {
  const test::TempDir dir;
  test::HttpServer server;
  std::atomic<bool> partner_released{false};
  server.route("/wire.xml", [&](const test::HttpRequest&) {
    return test::HttpReply{200, rss(item("wire", 1, story_text(1)) + item("wire", 2, story_text(2))), {}};
  });
  // The partner: a copy of wire-1, and a story of its own quoting a stretch of wire-2.
  server.route("/partner.xml", [&](const test::HttpRequest&) {
    if (!partner_released) return test::HttpReply{200, rss(""), {}};
    return test::HttpReply{
        200, rss(item("partner", 1, partner_copy(story_text(1))) +
                 item("partner", 2, story_text(3) + " " + story_text(2).substr(0, 600) + " " + story_text(4))),
        {}};
  });
  test::SluiceDaemon daemon(dir.path(),
                            "metrics: { listen: \"127.0.0.1:0\" }\ndefaults: { interval: 1s, min_interval: 1s }\n"
                            "feeds:\n  - name: wire\n    url: " +
                                server.url("/wire.xml") + "\n  - name: partner\n    url: " + server.url("/partner.xml") + "\n",
                            "  announce_duplicates: true\n");
  ASSERT_TRUE(daemon.start()) << daemon.log();
  ASSERT_TRUE(daemon.wait_for_log("feed parsed feed=wire format=rss20 entries=2 new=2")) << daemon.log();
  // A real subscriber of the notices, before the partner's items come.
  zmq::context_t context;
  zmq::socket_t notices(context, zmq::socket_type::sub);
  notices.set(zmq::sockopt::subscribe, "duplicate.");
  notices.connect(daemon.endpoint());
  ASSERT_TRUE(daemon.wait_for_log("subscription added topic=\"duplicate.\"")) << daemon.log();
  // The wire's items went out oldest (last listed) first: wire-1 is seq 2.
  partner_released = true;
  ASSERT_TRUE(daemon.wait_for_log("article not published: same story as seq=2 feed=partner title=\"Story partner-1\" "
                                  "rule=same_text similarity="))
      << daemon.log();

  zmq::pollitem_t poll{notices.handle(), 0, ZMQ_POLLIN, 0};
  ASSERT_EQ(zmq::poll(&poll, 1, 10s), 1) << daemon.log();
  std::vector<zmq::message_t> frames;
  ASSERT_TRUE(zmq::recv_multipart(notices, std::back_inserter(frames)));
  ASSERT_EQ(frames.size(), 3U);
  EXPECT_EQ(frames[0].to_string(), "duplicate.partner.");
  const auto notice = nlohmann::json::parse(frames[2].to_string());
  EXPECT_EQ(notice["duplicate_of"], 2);
  EXPECT_EQ(notice["url"], "https://partner.example.org/1");
  EXPECT_EQ(notice["rule"], "same_text");
  EXPECT_GT(notice["similarity"].get<double>(), 0.5);

  // Counted by the rule that found it.
  std::smatch port;
  const std::string log = daemon.log();
  ASSERT_TRUE(std::regex_search(log, port, std::regex("metrics served listen=\\S+ port=([0-9]+)"))) << log;
  const auto metrics = httplib::Client("127.0.0.1", std::stoi(port[1])).Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("sluice_articles_deduplicated_total{reason=\"same_story\",rule=\"same_text\"} 1\n"),
            std::string::npos)
      << metrics->body;

  // Published: the wire's two stories and the partner's own; the copy only as the notice.
  std::vector<nlohmann::json> articles;
  ASSERT_TRUE(test::wait_until([&] { return (articles = replay_all(daemon.replay_endpoint())).size() >= 3; }, 10s))
      << daemon.log();
  ASSERT_EQ(articles.size(), 3U) << daemon.log();
  EXPECT_EQ(articles[1]["url"], "https://wire.example.org/1");
  EXPECT_EQ(articles[2]["url"], "https://partner.example.org/2") << "quoting a stretch of a story is not copying it";
  // And after a restart the index, rebuilt from the journal, still knows the story.
  ASSERT_EQ(daemon.stop(SIGTERM), 0);
  ASSERT_TRUE(daemon.start()) << daemon.log();
  ASSERT_TRUE(daemon.wait_for_log("feed parsed feed=partner format=rss20 entries=2 new=0")) << daemon.log();
  EXPECT_EQ(replay_all(daemon.replay_endpoint()).size(), 3U);
}

// Feed "city" at url, polled every second.
std::string city_feed(const std::string& url) {
  return "defaults: { interval: 1s, min_interval: 1s }\nfeeds:\n  - name: city\n    url: " + url + "\n";
}

// The publish section's CURVE: the server's secret certificate dir/server.key_secret, the clients'
// public ones in dir/clients.
std::string curve_publish(const std::filesystem::path& dir) {
  return "  curve: { secret_key_file: " + (dir / "server.key_secret").string() + ", clients_dir: " +
         (dir / "clients").string() + " }\n";
}

TEST(Delivery, OnlyAKnownCurveClientReceivesArticles) {
  const test::TempDir dir;
  test::HttpServer server;
  server.route("/city.xml", [](const test::HttpRequest&) {
    return test::HttpReply{200, rss(item("city", 1) + item("city", 2)), {}};
  });
  std::filesystem::create_directories(dir.path() / "clients");
  for (const auto& [name, where] : {std::pair{"server", dir.path()}, std::pair{"reader", dir.path() / "clients"},
                                    std::pair{"stranger", dir.path()}}) {
    const auto made = test::run_command({SLUICE_BINARY, "keygen", name, "-d", where.string()});
    ASSERT_EQ(made.status, 0) << made.err;
  }
  // The reader's secret stays with the reader, not in the server's clients directory.
  std::filesystem::rename(dir.path() / "clients" / "reader.key_secret", dir.path() / "reader.key_secret");
  test::SluiceDaemon daemon(dir.path(), city_feed(server.url("/city.xml")), curve_publish(dir.path()));
  ASSERT_TRUE(daemon.start()) << daemon.log();
  const std::string server_key = (dir.path() / "server.key").string();
  const auto known = test::run_command({SLUICE_BINARY, "tail", "-e", daemon.endpoint(), "-r", daemon.replay_endpoint(),
                                        "--server-key", server_key, "--key", (dir.path() / "reader.key_secret").string(),
                                        "--from", "1", "-n", "2"});
  ASSERT_EQ(known.status, 0) << known.err;
  EXPECT_EQ(test::json_lines(known.out).size(), 2U);
  const auto unknown = test::run_command({SLUICE_BINARY, "tail", "-e", daemon.endpoint(), "-r", daemon.replay_endpoint(),
                                          "--server-key", server_key, "--key", (dir.path() / "stranger.key_secret").string(),
                                          "--from", "1", "-n", "1"},
                                         7s);
  EXPECT_EQ(unknown.status, -1) << "still waiting when given up on, not failed for another reason: " << unknown.err;
  EXPECT_TRUE(unknown.out.empty()) << "a stranger read: " << unknown.out;
  // Refused in silence by the server, the stranger is told what to copy where.
  EXPECT_NE(unknown.err.find("with CURVE: the server may not know this client. Copy " +
                             (dir.path() / "stranger.key").string() + " into the daemon's publish.curve.clients_dir"),
            std::string::npos)
      << unknown.err;
  EXPECT_TRUE(daemon.wait_for_log("subscriber refused")) << daemon.log();
}

// `sluice proxy` between a daemon and its subscribers, CURVE on both sides: toward the daemon
// with a key pair the daemon allows, toward subscribers with the same server certificate as the
// daemon (so a subscriber's one --server-key fits the proxy and the daemon's replay server alike).
TEST(Delivery, AProxyCarriesTheStreamWithCurveOnBothSidesAndOnlyToKnownClients) {
  const test::TempDir dir;
  test::HttpServer server;
  std::atomic<int> polls{0};
  server.route("/city.xml", [&](const test::HttpRequest&) {
    std::string items;  // a story more at every poll, so there is always something live
    for (int n = 1, last = ++polls; n <= last; ++n) items += item("city", n);
    return test::HttpReply{200, rss(items), {}};
  });
  std::filesystem::create_directories(dir.path() / "clients");
  for (const std::string name : {"server", "proxy", "reader", "stranger"}) {
    const auto made = test::run_command({SLUICE_BINARY, "keygen", name, "-d", dir.path().string()});
    ASSERT_EQ(made.status, 0) << made.err;
  }
  for (const std::string name : {"proxy", "reader"})
    std::filesystem::copy_file(dir.path() / (name + ".key"), dir.path() / "clients" / (name + ".key"));
  test::SluiceDaemon daemon(dir.path(), city_feed(server.url("/city.xml")), curve_publish(dir.path()));
  ASSERT_TRUE(daemon.start()) << daemon.log();
  const std::string server_key = (dir.path() / "server.key").string();
  test::Process proxy({SLUICE_BINARY, "proxy", "-b", "tcp://127.0.0.1:*", "-u", daemon.endpoint(), "--server-key",
                       server_key, "--key", (dir.path() / "proxy.key_secret").string(), "--secret-key",
                       (dir.path() / "server.key_secret").string(), "--clients-dir", (dir.path() / "clients").string()},
                      dir.path() / "proxy.out", dir.path() / "proxy.err");
  std::string endpoint;
  ASSERT_TRUE(test::wait_until(
      [&] {
        std::smatch match;
        const std::string log = test::read_file(dir.path() / "proxy.err");
        if (!std::regex_search(log, match, std::regex("proxy started endpoint=(tcp://[0-9.]+:[0-9]+)"))) return false;
        endpoint = match[1].str();
        return true;
      },
      10s))
      << test::read_file(dir.path() / "proxy.err");
  // Live articles only (no replay endpoint): they can have come through the proxy alone.
  const auto known = test::run_command({SLUICE_BINARY, "tail", "-e", endpoint, "--server-key", server_key, "--key",
                                        (dir.path() / "reader.key_secret").string(), "-n", "2"});
  ASSERT_EQ(known.status, 0) << known.err << test::read_file(dir.path() / "proxy.err") << daemon.log();
  const auto articles = test::json_lines(known.out);
  ASSERT_EQ(articles.size(), 2U);
  EXPECT_TRUE(articles[0].value("guid", "").starts_with("city-")) << known.out;
  const auto unknown = test::run_command({SLUICE_BINARY, "tail", "-e", endpoint, "--server-key", server_key, "--key",
                                          (dir.path() / "stranger.key_secret").string(), "-n", "1"},
                                         3s);
  EXPECT_EQ(unknown.status, -1) << "still waiting when given up on, not failed for another reason: " << unknown.err;
  EXPECT_TRUE(unknown.out.empty()) << "a stranger read through the proxy: " << unknown.out;
  EXPECT_TRUE(test::wait_until(
      [&] { return test::read_file(dir.path() / "proxy.err").find("subscriber refused") != std::string::npos; }, 5s))
      << test::read_file(dir.path() / "proxy.err");
  proxy.send_signal(SIGTERM);
  EXPECT_EQ(proxy.wait_for(10s), 0);
}

}  // namespace
}  // namespace sluice::daemon
