// The real `sluice` binary following links on its own: a feed with `full_text: true` whose items
// carry only a teaser, and a `type: html` feed that is a listing page, both served by a real HTTP
// server on 127.0.0.1 and observed through a real ZeroMQ subscriber.
#include <signal.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <map>
#include <regex>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "tests/support/fixtures.h"
#include "tests/support/http_server.h"
#include "tests/support/process.h"
#include "tests/support/schema.h"
#include "tests/support/sluice_daemon.h"
#include "tests/support/temp_dir.h"

namespace sluice::daemon {
namespace {

using namespace std::chrono_literals;

using test::kSeed;

std::string joined_paragraphs(const nlohmann::json& expected) {
  std::string text;
  for (const auto& paragraph : expected["paragraphs"]) text += (text.empty() ? "" : "\n\n") + paragraph.get<std::string>();
  return text;
}

constexpr const char* kSecondStory = R"(<html><head><title>Harbour reopens after storm | Gazette</title></head>
<body><nav><a href="/">Home</a></nav><article><h1>Harbour reopens after storm</h1>
<p>The harbour reopened on Tuesday morning after three days in which storms kept every boat in port, and the
first ferries left on time.</p>
<p>Crews had worked through the night to clear the slipway, the harbour master said, and no damage was found
on the outer wall.</p>
<p>Fishing boats were expected to go out again by the evening tide, weather permitting, for the first time
this week.</p></article><footer>Gazette footer</footer></body></html>)";

constexpr const char* kCouncilStory = R"(<html><head><title>Council passes its budget</title></head>
<body><article><h1>Council passes its budget</h1>
<p>The council passed its budget on Monday night, after a debate that ran past midnight and ended with a
narrow vote of twenty-one to eighteen.</p>
<p>Spending on schools rises by four percent, while road repairs get a smaller share than last year, a
choice the opposition said it would fight at the next meeting.</p>
<p>Residents will see the new rates on their bills from April, the finance office said on Tuesday.</p>
</article></body></html>)";

constexpr const char* kLateStory = R"(<html><head><title>Late story</title></head><body><article><h1>Late story</h1>
<p>The lighthouse keeper's cottage, empty for a decade, will open as a small museum in the summer, the trust
that bought it announced on Wednesday.</p>
<p>Volunteers have spent two winters repairing the roof and the lamp room, and the old logbooks will be shown
for the first time, alongside photographs lent by families from the village.</p></article></body></html>)";

class FollowingLinks : public testing::Test {
 protected:
  void SetUp() override {
    const std::string page = test::read_file(kSeed / "page.html");
    // The listing names three stories; one of them is missing (404) until `repaired`.
    server.route("/news/", [this](const test::HttpRequest&) {
      const std::string links = released ? R"(<main><h2><a href="/news/ecuador.html">Ecuador</a></h2>
        <h2><a href="harbour.html?utm_source=home">Harbour</a></h2><h2><a href="/news/late.html">Late</a></h2></main>)"
                                         : "<main></main>";
      return test::HttpReply{200, "<html><body><nav><a href=\"/about\">About</a></nav>" + links + "</body></html>",
                             {{"Content-Type", "text/html; charset=utf-8"}}};
    });
    server.route("/news/ecuador.html", [page](const test::HttpRequest&) {
      return test::HttpReply{200, page, {{"Content-Type", "text/html"}}};
    });
    server.route("/news/harbour.html", [](const test::HttpRequest&) {
      return test::HttpReply{200, kSecondStory, {{"Content-Type", "text/html"}}};
    });
    server.route("/news/late.html", [this](const test::HttpRequest&) {
      ++late_requests;
      if (!repaired) return test::HttpReply{404, "gone", {}};
      return test::HttpReply{200, kLateStory, {}};
    });
    server.route("/news/council.html", [](const test::HttpRequest&) {
      return test::HttpReply{200, kCouncilStory, {{"Content-Type", "text/html"}}};
    });
    // A feed whose items are only teasers; the full stories are on the pages they link to. The
    // second one is a story the listing has already told.
    server.route("/teasers.xml", [this](const test::HttpRequest&) {
      const std::string item = teasers_released ? R"(<item><title>Council budget</title>
        <link>)" + server.url("/news/council.html") + R"(</link><guid isPermaLink="false">teaser-1</guid>
        <description>The budget passed.</description></item>
        <item><title>Ecuador asks for help</title><link>)" + server.url("/news/ecuador.html") + R"(</link>
        <guid isPermaLink="false">teaser-2</guid><description>President Noboa asks for help.</description></item>)"
                                                : "";
      return test::HttpReply{200, R"(<?xml version="1.0"?><rss version="2.0"><channel><title>Teasers</title>)" + item +
                                      "</channel></rss>",
                             {}};
    });
    test::write_file(dir.path() / "sluice.yaml", "state_dir: " + (dir.path() / "state").string() + R"(
workers: 2
publish: { endpoint: "tcp://127.0.0.1:*", replay_endpoint: "tcp://127.0.0.1:*" }
defaults: { interval: 1s, min_interval: 1s, timeout: 5s }
feeds:
  - name: listing
    type: html
    url: )" + server.url("/news/") + R"(
    links: "main h2 a"
  - name: teasers
    url: )" + server.url("/teasers.xml") + R"(
    full_text: true
)");
    daemon.emplace(std::vector<std::string>{SLUICE_BINARY, "run", "-c", (dir.path() / "sluice.yaml").string()},
                   dir.path() / "daemon.out", dir.path() / "daemon.err");
    ASSERT_TRUE(test::wait_until([&] { return log().find("sluice started") != std::string::npos; }, 15s)) << log();
    std::smatch match;
    const std::string text = log();
    ASSERT_TRUE(std::regex_search(text, match, std::regex("endpoint=(tcp://[0-9.]+:[0-9]+)"))) << text;
    endpoint = match[1];
  }

  std::string log() const { return test::read_file(dir.path() / "daemon.err"); }

  static nlohmann::json next_article(zmq::socket_t& socket, std::chrono::milliseconds timeout = 15s) {
    zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, timeout) <= 0) return nullptr;
    std::vector<zmq::message_t> frames;
    static_cast<void>(zmq::recv_multipart(socket, std::back_inserter(frames)));
    return frames.size() == 3 ? nlohmann::json::parse(frames[2].to_string()) : nlohmann::json();
  }

  test::TempDir dir;
  test::HttpServer server;
  std::atomic<bool> released{false};
  std::atomic<bool> repaired{false};
  std::atomic<bool> teasers_released{false};
  std::atomic<int> late_requests{0};
  std::optional<test::Process> daemon;
  std::string endpoint;
};

TEST_F(FollowingLinks, ExtractsLinkedPagesAndRetriesTheOneThatFailed) {
  zmq::context_t context;
  zmq::socket_t subscriber(context, zmq::socket_type::sub);
  subscriber.set(zmq::sockopt::subscribe, "article.");
  subscriber.connect(endpoint);
  ASSERT_TRUE(test::wait_until([&] { return log().find("subscription added") != std::string::npos; }, 15s)) << log();
  released = true;

  const nlohmann::json expected = test::load_json(kSeed / "expected.json");
  std::map<std::string, nlohmann::json> by_title;
  for (int i = 0; i < 2; ++i) {
    const nlohmann::json article = next_article(subscriber);
    ASSERT_TRUE(article.is_object()) << "no article arrived; log:\n" << log();
    const auto violations = test::schema_violations(test::article_schema(), article);
    EXPECT_TRUE(violations.empty()) << testing::PrintToString(violations);
    by_title[article["title"]] = article;
  }
  // The listing's two readable stories, each extracted from its page; links outside the selector
  // (the nav) are not followed.
  ASSERT_EQ(by_title.size(), 2U) << log();
  const nlohmann::json& ecuador = by_title[expected["title"]];
  EXPECT_EQ(ecuador["url"], expected["url"]) << "the page's own canonical URL";
  EXPECT_EQ(ecuador["title"], expected["title"]);
  EXPECT_EQ(ecuador["text"], joined_paragraphs(expected));
  EXPECT_EQ(ecuador["published"], expected["published"]);
  EXPECT_EQ(ecuador["source"], "page");
  const nlohmann::json& harbour = by_title["Harbour reopens after storm"];
  EXPECT_EQ(harbour["url"], server.url("/news/harbour.html")) << "the link, without its tracking parameters";
  EXPECT_EQ(harbour["text"].get<std::string>().find("Gazette footer"), std::string::npos);

  // A teaser item takes its body from the page and keeps its own title, guid and summary; the
  // teaser of a story the listing already told is not published again.
  teasers_released = true;
  const nlohmann::json teaser = next_article(subscriber);
  ASSERT_TRUE(teaser.is_object()) << log();
  EXPECT_EQ(teaser["feed"]["name"], "teasers");
  EXPECT_EQ(teaser["title"], "Council budget");
  EXPECT_NE(teaser["text"].get<std::string>().find("narrow vote of twenty-one to eighteen"), std::string::npos);
  EXPECT_EQ(teaser["guid"], "teaser-1");
  EXPECT_EQ(teaser["summary"], "The budget passed.");
  EXPECT_EQ(teaser["source"], "page");
  ASSERT_TRUE(test::wait_until(
      [&] { return log().find("article not published: same story as seq=" + std::to_string(ecuador["seq"].get<int>()) +
                              " feed=teasers") != std::string::npos; },
      15s))
      << log();

  // The missing page is asked for again on later polls, and published once it is there.
  ASSERT_TRUE(test::wait_until([&] { return late_requests >= 2; }, 15s)) << log();
  EXPECT_NE(log().find("page fetch failed feed=listing url=" + server.url("/news/late.html") + " error=\"HTTP 404\""),
            std::string::npos)
      << log();
  repaired = true;
  const nlohmann::json late = next_article(subscriber);
  ASSERT_TRUE(late.is_object()) << log();
  EXPECT_EQ(late["title"], "Late story");
  EXPECT_TRUE(next_article(subscriber, 2500ms).is_null()) << "nothing is published twice";
  daemon->send_signal(SIGTERM);
  EXPECT_EQ(daemon->wait_for(10s), 0);
}

// A feed configured by a site's address: the daemon reads the feed the page advertises, says so
// once, and polls the feed from then on, across a restart too.
TEST(DiscoveringFeeds, ASiteAddressIsPolledAsTheFeedItAdvertises) {
  const test::TempDir dir;
  test::HttpServer server;
  std::atomic<int> page_requests{0};
  server.route("/", [&](const test::HttpRequest&) {
    ++page_requests;
    return test::HttpReply{200,
                           "<!DOCTYPE html><html><head><title>Gazette</title><link rel=\"alternate\" "
                           "type=\"application/atom+xml\" href=\"/atom.xml\"></head><body><p>Front page</p></body></html>",
                           {{"Content-Type", "text/html; charset=utf-8"}}};
  });
  server.route("/atom.xml", [](const test::HttpRequest&) {
    return test::HttpReply{200, R"(<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
      <title>Gazette</title><id>urn:gazette</id><updated>2026-12-01T10:00:00Z</updated>
      <entry><title>Harbour reopens</title><id>urn:gazette:1</id><updated>2026-12-01T10:00:00Z</updated>
      <link href="https://gazette.example/harbour"/><summary>The harbour reopened on Tuesday.</summary></entry>
      </feed>)",
                           {{"Content-Type", "application/atom+xml"}}};
  });
  test::SluiceDaemon daemon(dir.path(), "defaults: { interval: 1s, min_interval: 1s, timeout: 5s }\nfeeds:\n"
                                        "  - name: gazette\n    url: " + server.url("/") + "\n");
  ASSERT_TRUE(daemon.start()) << daemon.log();
  ASSERT_TRUE(daemon.wait_for_log("feed parsed feed=gazette format=atom10 entries=1 new=1")) << daemon.log();
  EXPECT_TRUE(daemon.wait_for_log("feed fetched feed=gazette", 3)) << daemon.log();
  EXPECT_EQ(test::count_of(daemon.log(), "feed discovered feed=gazette page=" + server.url("/") +
                                             " url=" + server.url("/atom.xml") + " via=\"advertised\""),
            1U)
      << daemon.log();
  EXPECT_EQ(page_requests, 1) << "the page is read once; the feed is polled from then on";
  ASSERT_EQ(daemon.stop(SIGTERM), 0);

  ASSERT_TRUE(daemon.start()) << daemon.log();
  EXPECT_TRUE(daemon.wait_for_log("feed fetched feed=gazette", 2)) << daemon.log();
  EXPECT_EQ(page_requests, 1) << "the discovered feed is kept in the state";
  EXPECT_EQ(test::count_of(daemon.log(), "feed discovered"), 0U) << daemon.log();
  EXPECT_EQ(test::count_of(daemon.log(), "new=1"), 0U) << "nothing published twice\n" << daemon.log();
  ASSERT_EQ(daemon.stop(SIGTERM), 0);
}

}  // namespace
}  // namespace sluice::daemon
