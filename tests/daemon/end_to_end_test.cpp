// The real `sluice` binary against a real HTTP server on 127.0.0.1, observed through a real
// ZeroMQ subscriber and through `sluice tail`.
#include <signal.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <regex>
#include <set>
#include <sstream>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "tests/support/fixtures.h"
#include "tests/support/frames.h"
#include "tests/support/http_server.h"
#include "tests/support/process.h"
#include "tests/support/schema.h"
#include "tests/support/temp_dir.h"

namespace sluice::daemon {
namespace {

using namespace std::chrono_literals;

using test::kSeed;

constexpr const char* kEmptyChannel =
    R"(<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet</title></channel></rss>)";

constexpr const char* kGazette = R"(<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour Gazette</title>
<item><title>Ferry timetable changes</title><link>https://gazette.example.net/ferry</link>
<pubDate>Tue, 11 Feb 2025 07:45:00 +0100</pubDate><description>The early ferry leaves at 06:10.</description></item>
</channel></rss>)";

constexpr const char* kGazetteTwoItems = R"(<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour Gazette</title>
<item><title>Lifeboat crew rescues two sailors</title><link>https://gazette.example.net/lifeboat</link>
<pubDate>Wed, 12 Feb 2025 09:00:00 +0100</pubDate><description>Both sailors are safe.</description></item>
<item><title>Ferry timetable changes</title><link>https://gazette.example.net/ferry</link>
<pubDate>Tue, 11 Feb 2025 07:45:00 +0100</pubDate><description>The early ferry leaves at 06:10.</description></item>
</channel></rss>)";

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t found = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++found;
  return found;
}

class EndToEnd : public testing::Test {
 protected:
  void SetUp() override {
    // "world" serves the seed feed with an ETag and answers conditional requests with 304.
    server.route("/world.xml", [this](const test::HttpRequest& request) {
      const bool live = released.load();
      const std::string etag = live ? "\"seed-v1\"" : "\"empty\"";
      if (live) world_requests_with_etag += request.header("If-None-Match") == "\"seed-v1\"";
      if (request.header("If-None-Match") == etag) {
        world_not_modified += live;
        return test::HttpReply{304, "", {{"ETag", etag}}};
      }
      return test::HttpReply{200, live ? seed_feed : kEmptyChannel, {{"ETag", etag}}};
    });
    // "gazette" has no validators: every poll gets the full document again. Its server calls it an
    // HTML page, wrongly: the format comes from the content.
    server.route("/gazette.xml", [this](const test::HttpRequest&) {
      const std::vector<std::pair<std::string, std::string>> wrong_type{{"Content-Type", "text/html; charset=utf-8"}};
      if (second_item) return test::HttpReply{200, kGazetteTwoItems, wrong_type};
      return test::HttpReply{200, released ? kGazette : kEmptyChannel, wrong_type};
    });
    server.route("/junk.xml", [](const test::HttpRequest&) {
      return test::HttpReply{200, "<html><body>Not a feed</body></html>", {{"Content-Type", "text/html"}}};
    });
    test::write_file(dir.path() / "sluice.yaml", R"(state_dir: )" + (dir.path() / "state").string() + R"(
workers: 2
publish: { endpoint: "tcp://127.0.0.1:*", replay_endpoint: "tcp://127.0.0.1:*" }
defaults: { interval: 1s, min_interval: 1s, timeout: 5s }
feeds:
  - name: world
    url: )" + server.url("/world.xml") + R"(
    tags: [world]
  - name: gazette
    url: )" + server.url("/gazette.xml") + R"(
  - name: broken
    url: )" + server.url("/missing.xml") + R"(
  - name: junk
    url: )" + server.url("/junk.xml") + R"(
)");
    start_daemon();
  }

  // Starts the real binary on the test's configuration and reads its bound endpoint from its log.
  void start_daemon() {
    daemon.reset();
    daemon.emplace(std::vector<std::string>{SLUICE_BINARY, "run", "-c", (dir.path() / "sluice.yaml").string()},
                   dir.path() / "daemon.out", dir.path() / "daemon.err");
    ASSERT_TRUE(wait_for_log("sluice started")) << log();
    std::smatch match;
    const std::string text = log();
    ASSERT_TRUE(std::regex_search(text, match, std::regex("endpoint=(tcp://[0-9.]+:[0-9]+)"))) << text;
    endpoint = match[1];
  }

  std::string log() const { return test::read_file(dir.path() / "daemon.err"); }

  // A real SUB socket on the daemon's stream of every article, once the daemon has seen it subscribe.
  zmq::socket_t subscribe(zmq::context_t& context) const {
    zmq::socket_t subscriber(context, zmq::socket_type::sub);
    subscriber.set(zmq::sockopt::subscribe, "article.");
    subscriber.connect(endpoint);
    EXPECT_TRUE(wait_for_log("subscription added topic=\"article.\"")) << log();
    return subscriber;
  }

  bool wait_for_log(const std::string& text, std::size_t times = 1) const {
    return test::wait_until([&] { return count(log(), text) >= times; }, 15s);
  }

  // Receives one message, or none within timeout.
  static std::vector<zmq::message_t> receive(zmq::socket_t& socket, std::chrono::milliseconds timeout) {
    std::vector<zmq::message_t> frames;
    zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, timeout) > 0) static_cast<void>(zmq::recv_multipart(socket, std::back_inserter(frames)));
    return frames;
  }

  test::TempDir dir;
  test::HttpServer server;
  const std::string seed_feed = test::read_file(kSeed / "feed.xml");
  std::atomic<bool> released{false};
  std::atomic<bool> second_item{false};
  std::atomic<int> world_requests_with_etag{0};
  std::atomic<int> world_not_modified{0};
  std::optional<test::Process> daemon;
  std::string endpoint;
};

TEST_F(EndToEnd, PublishesEachNewArticleOnceThenStopsCleanly) {
  zmq::context_t context;
  zmq::socket_t subscriber = subscribe(context);
  released = true;

  const nlohmann::json expected = test::load_json(kSeed / "expected.json");
  std::set<std::uint64_t> seqs;
  std::set<std::uint64_t> epochs;
  std::map<std::string, nlohmann::json> by_feed;
  for (int i = 0; i < 2; ++i) {
    const auto frames = receive(subscriber, 15s);
    ASSERT_EQ(frames.size(), 3U) << "no article arrived; log:\n" << log();
    ASSERT_EQ(frames[1].size(), 16U);
    const nlohmann::json article = nlohmann::json::parse(frames[2].to_string());
    const auto violations = test::schema_violations(test::article_schema(), article);
    EXPECT_TRUE(violations.empty()) << testing::PrintToString(violations);
    const std::string feed = article["feed"]["name"];
    EXPECT_EQ(frames[0].to_string(), "article." + feed + ".");
    EXPECT_EQ(test::header_of(frames[1]).seq, article["seq"].get<std::uint64_t>()) << "header seq and body seq agree";
    seqs.insert(test::header_of(frames[1]).seq);
    epochs.insert(test::header_of(frames[1]).epoch);
    by_feed[feed] = article;
  }
  EXPECT_EQ(seqs, (std::set<std::uint64_t>{1, 2}));
  EXPECT_EQ(epochs.size(), 1U);
  ASSERT_EQ(by_feed.count("world"), 1U);
  ASSERT_EQ(by_feed.count("gazette"), 1U);
  const nlohmann::json& world = by_feed["world"];
  EXPECT_EQ(world["title"], expected["title"]);
  EXPECT_EQ(world["url"], expected["url"]);
  EXPECT_EQ(world["published"], expected["published"]);
  EXPECT_EQ(world["feed"]["url"], server.url("/world.xml"));
  EXPECT_EQ(world["tags"], nlohmann::json::array({"world", "Americas", "Ecuador"}));
  EXPECT_EQ(by_feed["gazette"]["published"], "2025-02-11T06:45:00Z");

  // Re-polls: "world" answers 304 to the conditional GET, "gazette" sends the same item again.
  ASSERT_TRUE(test::wait_until([&] { return world_not_modified >= 2; }, 15s)) << log();
  EXPECT_GE(world_requests_with_etag, 2);
  ASSERT_TRUE(wait_for_log("feed parsed feed=gazette format=rss20 entries=1 new=0", 2)) << log();
  EXPECT_TRUE(receive(subscriber, 500ms).empty()) << "an article was published twice";

  // Failing feeds are reported and retried; they never stop the others.
  const std::string text = log();
  EXPECT_NE(text.find("feed fetch failed feed=broken url=" + server.url("/missing.xml") + " error=\"HTTP 404\""),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("feed not parsed feed=junk"), std::string::npos) << text;
  EXPECT_NE(text.find("error=\"a web page, not a feed, and no feed found for it: the page advertises no feed"),
            std::string::npos)
      << text;

  // `sluice status` reads where each feed stands while the daemon runs, and fails while one fails.
  const test::RunResult status =
      test::run_command({SLUICE_BINARY, "status", "-c", (dir.path() / "sluice.yaml").string(), "--json"});
  EXPECT_EQ(status.status, 1) << status.err;
  std::map<std::string, nlohmann::json> standing;
  std::istringstream lines(status.out);
  for (std::string line; std::getline(lines, line);) {
    const nlohmann::json feed = nlohmann::json::parse(line);
    standing[feed["feed"]] = feed;
  }
  ASSERT_EQ(standing.size(), 4U) << status.out;
  EXPECT_EQ(standing["world"]["state"], "ok");
  EXPECT_EQ(standing["world"]["last_status"], "304 not modified");
  EXPECT_TRUE(standing["world"]["next_poll"].is_string());
  EXPECT_EQ(standing["broken"]["state"], "failing");
  EXPECT_EQ(standing["broken"]["last_status"], "HTTP 404");
  EXPECT_GE(standing["broken"]["errors"].get<int>(), 1);
  EXPECT_TRUE(standing["gazette"]["last_status"].get<std::string>().starts_with("200, ")) << standing["gazette"];
  EXPECT_TRUE(standing["world"]["running"].get<bool>());
  const test::RunResult table = test::run_command({SLUICE_BINARY, "status", "-c", (dir.path() / "sluice.yaml").string()});
  EXPECT_NE(table.out.find("FEED"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("HTTP 404"), std::string::npos) << table.out;
  // Which daemon runs, and the port it took for "tcp://127.0.0.1:*".
  EXPECT_NE(table.out.find("runs as pid " + std::to_string(daemon->pid())), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("publishing on " + endpoint + ","), std::string::npos) << table.out;

  // Within the unit's TimeoutStopSec; how fast it stops is measured by bench/big_feed.py.
  daemon->send_signal(SIGTERM);
  EXPECT_EQ(daemon->wait_for(30s), 0) << "did not stop within 30 s; log:\n" << log();
  EXPECT_TRUE(wait_for_log("sluice stopped")) << log();

  // Stopped: status says so (exit 3), and the feeds' next polls wait for the next start.
  const test::RunResult stopped = test::run_command({SLUICE_BINARY, "status", "-c", (dir.path() / "sluice.yaml").string()});
  EXPECT_EQ(stopped.status, 3) << stopped.out << stopped.err;
  EXPECT_TRUE(stopped.out.starts_with("sluice is not running on " + (dir.path() / "state").string())) << stopped.out;
  const test::RunResult stopped_json =
      test::run_command({SLUICE_BINARY, "status", "-c", (dir.path() / "sluice.yaml").string(), "--json"});
  EXPECT_EQ(stopped_json.status, 3);
  EXPECT_FALSE(nlohmann::json::parse(stopped_json.out.substr(0, stopped_json.out.find('\n')))["running"].get<bool>())
      << stopped_json.out;
  // With no daemon to say which port "*" became, tail -c says so instead of connecting to ":*".
  const test::RunResult tail = test::run_command({SLUICE_BINARY, "tail", "-c", (dir.path() / "sluice.yaml").string()});
  EXPECT_EQ(tail.status, 2) << tail.err;
  EXPECT_NE(tail.err.find("tcp://127.0.0.1:* takes its port when sluice starts, and no sluice runs on state_dir"),
            std::string::npos)
      << tail.err;
}

TEST_F(EndToEnd, ASecondDaemonOnTheSameStateDirectoryIsRefusedNamingTheFirst) {
  const test::RunResult second = test::run_command({SLUICE_BINARY, "run", "-c", (dir.path() / "sluice.yaml").string()});
  EXPECT_EQ(second.status, 1);
  EXPECT_NE(second.err.find("is in use by sluice pid " + std::to_string(daemon->pid())), std::string::npos)
      << second.err;
  // The first one keeps running.
  EXPECT_FALSE(daemon->wait_for(0ms).has_value()) << log();
}

TEST_F(EndToEnd, RestartNeitherRefetchesNorRepublishes) {
  {
    zmq::context_t context;
    zmq::socket_t subscriber = subscribe(context);
    released = true;
    for (int i = 0; i < 2; ++i) ASSERT_EQ(receive(subscriber, 15s).size(), 3U) << log();
    // One more poll of each feed: the first document's state is committed by then.
    ASSERT_TRUE(test::wait_until([&] { return world_not_modified >= 1; }, 15s)) << log();
    ASSERT_TRUE(wait_for_log("feed parsed feed=gazette format=rss20 entries=1 new=0")) << log();
  }
  daemon->send_signal(SIGTERM);
  ASSERT_EQ(daemon->wait_for(5s), 0) << log();
  const int conditional_before = world_requests_with_etag;

  start_daemon();
  EXPECT_NE(log().find("state loaded path=" + (dir.path() / "state" / "state.db").string() + " feeds_known="),
            std::string::npos)
      << log();
  EXPECT_NE(log().find("entries_known=2"), std::string::npos) << log();
  zmq::context_t context;
  zmq::socket_t subscriber = subscribe(context);
  // The restarted daemon asks "world" conditionally with the stored ETag, and finds nothing new in
  // "gazette", whose items it remembers.
  ASSERT_TRUE(test::wait_until([&] { return world_requests_with_etag > conditional_before; }, 15s)) << log();
  ASSERT_TRUE(wait_for_log("feed parsed feed=gazette format=rss20 entries=1 new=0")) << log();
  EXPECT_TRUE(receive(subscriber, 500ms).empty()) << "an article was published again after the restart";

  // The journal carries the stream on: same epoch, the next seq after the last one published.
  second_item = true;
  const auto frames = receive(subscriber, 15s);
  ASSERT_EQ(frames.size(), 3U) << log();
  EXPECT_EQ(test::header_of(frames[1]).seq, 3U);
  EXPECT_EQ(nlohmann::json::parse(frames[2].to_string())["title"], "Lifeboat crew rescues two sailors");
  EXPECT_NE(log().find("journal opened path=" + (dir.path() / "state" / "journal").string()), std::string::npos)
      << log();
  EXPECT_NE(log().find(" head=2 stories=2"), std::string::npos) << "the story index is rebuilt from the journal\n"
                                                               << log();
}

// With -c, on a configuration whose endpoints are "tcp://127.0.0.1:*": tail finds the ports the
// daemon took in its state directory.
TEST_F(EndToEnd, TailPrintsOneArticlePerLine) {
  test::Process tail({SLUICE_BINARY, "tail", "-c", (dir.path() / "sluice.yaml").string(), "-n", "2"},
                     dir.path() / "tail.out", dir.path() / "tail.err");
  ASSERT_TRUE(wait_for_log("subscription added topic=\"article.\"")) << log();
  released = true;
  ASSERT_EQ(tail.wait_for(15s), 0) << test::read_file(dir.path() / "tail.err") << log();
  const std::string out = test::read_file(dir.path() / "tail.out");
  ASSERT_EQ(count(out, "\n"), 2U) << out;
  std::set<std::string> titles;
  for (std::size_t start = 0, end; (end = out.find('\n', start)) != std::string::npos; start = end + 1) {
    const nlohmann::json article = nlohmann::json::parse(out.substr(start, end - start));
    EXPECT_TRUE(test::schema_violations(test::article_schema(), article).empty());
    titles.insert(article["title"]);
  }
  EXPECT_EQ(titles.count("Ferry timetable changes"), 1U);
  EXPECT_EQ(test::read_file(dir.path() / "tail.err"), "");
}

TEST_F(EndToEnd, TailFollowsOneFeedByTopic) {
  test::Process tail({SLUICE_BINARY, "tail", "-e", endpoint, "-t", "article.gazette.", "-n", "1"},
                     dir.path() / "tail.out", dir.path() / "tail.err");
  ASSERT_TRUE(wait_for_log("subscription added topic=\"article.gazette.\"")) << log();
  released = true;
  ASSERT_EQ(tail.wait_for(15s), 0) << log();
  const nlohmann::json article = nlohmann::json::parse(test::read_file(dir.path() / "tail.out"));
  EXPECT_EQ(article["feed"]["name"], "gazette");
}

}  // namespace
}  // namespace sluice::daemon
