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

#include "tests/support/http_server.h"
#include "tests/support/process.h"
#include "tests/support/schema.h"
#include "tests/support/temp_dir.h"

namespace sluice::daemon {
namespace {

using namespace std::chrono_literals;

const std::filesystem::path kSeed = std::filesystem::path(SLUICE_SHARED_DIR) / "fixtures/seed";

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
      return test::HttpReply{200, std::string(kSecondStory).replace(std::string(kSecondStory).find("Harbour reopens after storm</h1>"), 27, "Late story"), {}};
    });
    // A feed whose item is only a teaser; the full story is on the page it links to.
    server.route("/teasers.xml", [this](const test::HttpRequest&) {
      const std::string item = released ? R"(<item><title>Ecuador's President Calls for International Military Support in Drug War</title>
        <link>)" + server.url("/news/ecuador.html") + R"(</link><guid isPermaLink="false">teaser-1</guid>
        <description>President Noboa asks for help.</description></item>)"
                                        : "";
      return test::HttpReply{200, R"(<?xml version="1.0"?><rss version="2.0"><channel><title>Teasers</title>)" + item +
                                      "</channel></rss>",
                             {}};
    });
    test::write_file(dir.path() / "sluice.yaml", "state_dir: " + (dir.path() / "state").string() + R"(
workers: 2
publish: { endpoint: "tcp://127.0.0.1:*" }
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
  nlohmann::json teaser;
  for (int i = 0; i < 3; ++i) {
    const nlohmann::json article = next_article(subscriber);
    ASSERT_TRUE(article.is_object()) << "no article arrived; log:\n" << log();
    const auto violations = test::schema_violations(test::article_schema(), article);
    EXPECT_TRUE(violations.empty()) << testing::PrintToString(violations);
    if (article["feed"]["name"] == "teasers") teaser = article;
    else by_title[article["title"]] = article;
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

  // The teaser item takes its body from the page and keeps its own title, guid and summary.
  ASSERT_TRUE(teaser.is_object());
  EXPECT_EQ(teaser["text"], joined_paragraphs(expected));
  EXPECT_EQ(teaser["guid"], "teaser-1");
  EXPECT_EQ(teaser["summary"], "President Noboa asks for help.");
  EXPECT_EQ(teaser["source"], "page");

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

}  // namespace
}  // namespace sluice::daemon
