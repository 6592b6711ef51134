// The worker stage in process: real documents through a real DocumentWorker, its pages fetched by
// a real Poller (its own thread, libcurl) from a real HTTP server on 127.0.0.1.
#include "pipeline/work/document_worker.h"

#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include "tests/support/http_server.h"

namespace sluice::pipeline {
namespace {

using namespace std::chrono_literals;

std::string rss(const std::vector<std::pair<std::string, std::string>>& items) {
  std::string out = R"(<?xml version="1.0"?><rss version="2.0"><channel><title>News</title><link>https://news.example/</link>)";
  for (const auto& [guid, text] : items)
    out += "<item><title>Story " + guid + "</title><link>https://news.example/" + guid + "</link><guid>" + guid +
           "</guid><description>" + text + "</description></item>";
  return out + "</channel></rss>";
}

config::FeedConfig feed_config(const std::string& name, const std::string& url) {
  config::FeedConfig feed;
  feed.name = name;
  feed.url = url;
  feed.poll.timeout = 5s;
  return feed;
}

class DocumentWorkerTest : public testing::Test {
 protected:
  // Builds the worker (and the fetch stage it asks) once the configuration is final.
  void make() {
    poller.emplace(
        config, std::vector<feeds::PollState>{}, [](feeds::PolledDocument&&) { return true; },
        [this](std::size_t, const feeds::PollState& state) {
          const std::lock_guard lock(state_mutex);
          last_state = state;
        }, feeds::Poller::Observed{},
        feeds::Clock::real(), false);
    worker.emplace(config, seen, *poller, stopping);
  }

  std::expected<DocumentOutput, DocumentError> read(const std::string& body, std::size_t feed = 0) {
    feeds::PolledDocument document;
    document.feed = feed;
    document.response.status = 200;
    document.response.body = body;
    document.response.etag = "\"v1\"";
    document.fetched = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) + shift;
    items.clear();
    return worker->process(document, [this](WorkItem&& item) {
      if (!accepting) return false;
      items.push_back(std::move(item));
      return true;
    });
  }

  std::vector<std::string> titles() const {
    std::vector<std::string> out;
    for (const WorkItem& item : items)
      if (const auto* article = std::get_if<PreparedArticle>(&item)) out.push_back(article->title);
    return out;
  }

  const DocumentCommit& commit() const { return std::get<DocumentCommit>(items.back()); }

  test::HttpServer server;  // outlives the fetch stage, whose pooled connections it would wait for
  config::Config config;
  SeenEntries seen;
  std::atomic<bool> stopping{false};
  bool accepting = true;
  std::chrono::seconds shift{0};  // how far the document's fetch time is moved on
  std::optional<feeds::Poller> poller;
  std::optional<DocumentWorker> worker;
  std::vector<WorkItem> items;
  std::mutex state_mutex;
  feeds::PollState last_state;  // what the fetch stage last reported
};

TEST_F(DocumentWorkerTest, ReadsEachEntryOnceOldestFirstThenItsCommit) {
  config.feeds = {feed_config("news", "https://news.example/rss")};
  make();
  const std::string document = rss({{"c", "Third."}, {"b", "Second."}, {"a", "First."}});
  const auto first = read(document);
  ASSERT_TRUE(first) << first.error().reason;
  EXPECT_EQ(first->format, "rss20");
  EXPECT_EQ(first->listed, 3U);
  EXPECT_EQ(first->fresh, 3U);
  EXPECT_EQ(titles(), (std::vector<std::string>{"Story a", "Story b", "Story c"}));
  EXPECT_EQ(commit().etag, "\"v1\"");
  EXPECT_EQ(commit().entries.size(), 3U);

  const auto again = read(document);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->fresh, 0U);
  EXPECT_TRUE(titles().empty());
  EXPECT_TRUE(commit().entries.empty());
}

TEST_F(DocumentWorkerTest, KeepsTheBrakesAndLeavesWhatWaitsForAFullFetch) {
  config.feeds = {feed_config("news", "https://news.example/rss")};
  config.feeds[0].poll.max_items = 3;
  config.feeds[0].poll.max_new_per_poll = 2;
  config.feeds[0].poll.min_revision_interval = 5min;
  make();
  // The first document is the backlog: max_items of it, the newest, all taken.
  const auto backlog = read(rss({{"e", "E."}, {"d", "D."}, {"c", "C."}, {"b", "B."}, {"a", "A."}}));
  ASSERT_TRUE(backlog);
  EXPECT_EQ(backlog->dropped, 2U);
  EXPECT_EQ(titles(), (std::vector<std::string>{"Story c", "Story d", "Story e"}));
  // Later, three new at once: the oldest two go, the third waits, and the document is to be fetched in full.
  const auto flood = read(rss({{"h", "H."}, {"g", "G."}, {"f", "F."}}));
  ASSERT_TRUE(flood);
  EXPECT_EQ(flood->deferred, 1U);
  EXPECT_EQ(titles(), (std::vector<std::string>{"Story f", "Story g"}));
  EXPECT_EQ(commit().etag, "") << "validators would hide what waits";
  const auto next = read(rss({{"h", "H."}, {"g", "G."}, {"f", "F."}}));
  ASSERT_TRUE(next);
  EXPECT_EQ(titles(), (std::vector<std::string>{"Story h"}));
  EXPECT_EQ(commit().etag, "\"v1\"");
  // An edit a minute after publication waits; five minutes on, its latest text is revision 2.
  shift = 60s;
  const auto soon = read(rss({{"h", "H, corrected."}, {"g", "G."}, {"f", "F."}}));
  ASSERT_TRUE(soon);
  EXPECT_EQ(soon->held, 1U);
  EXPECT_TRUE(titles().empty());
  shift = 400s;
  const auto later = read(rss({{"h", "H, corrected again."}, {"g", "G."}, {"f", "F."}}));
  ASSERT_TRUE(later);
  EXPECT_EQ(later->edited, 1U);
  ASSERT_EQ(items.size(), 2U);
  EXPECT_EQ(std::get<PreparedArticle>(items[0]).revision, 2);
  EXPECT_NE(std::get<PreparedArticle>(items[0]).json.find("H, corrected again."), std::string::npos);
}

TEST_F(DocumentWorkerTest, SaysWhyItStopped) {
  config.feeds = {feed_config("news", "https://news.example/rss")};
  make();
  const auto unreadable = read(R"(<?xml version="1.0"?><opml version="2.0"><body/></opml>)");
  ASSERT_FALSE(unreadable);
  EXPECT_EQ(unreadable.error().kind, DocumentError::Kind::unreadable);
  EXPECT_EQ(unreadable.error().reason, "not a feed: the root element is <opml>");

  accepting = false;
  const auto closed = read(rss({{"a", "A."}}));
  ASSERT_FALSE(closed);
  EXPECT_EQ(closed.error().kind, DocumentError::Kind::closed);

  accepting = true;
  stopping = true;
  const auto stopped = read(rss({{"b", "B."}}));
  ASSERT_FALSE(stopped);
  EXPECT_EQ(stopped.error().kind, DocumentError::Kind::stopping);
  EXPECT_TRUE(items.empty()) << "nothing is handed on once stopping";
}

TEST_F(DocumentWorkerTest, AListingPageHasItsLinkedPagesFetchedAndCleaned) {
  const std::string story = "<html><head><title>Harbour reopens</title></head><body><article><h1>Harbour reopens</h1>"
                            "<p>The harbour reopened on Tuesday morning after three days in which storms kept every "
                            "boat in port, and the first ferries left on time.</p><p>Crews had worked through the "
                            "night to clear the slipway, the harbour master said, and no damage was found.</p>"
                            "</article></body></html>";
  server.route("/harbour.html", [&](const test::HttpRequest&) { return test::HttpReply{200, story, {{"Content-Type", "text/html"}}}; });
  config.feeds = {feed_config("listing", server.url("/news/"))};
  config.feeds[0].type = config::FeedConfig::Type::html;
  config.feeds[0].links = *config::parse_selector("main a");
  make();
  std::jthread fetching([this](std::stop_token stop) { poller->run(stop); });
  const auto out = read("<html><body><nav><a href=\"/about\">About</a></nav><main><a href=\"/harbour.html\">Harbour</a>"
                        "<a href=\"/missing.html\">Missing</a></main></body></html>");
  ASSERT_TRUE(out) << out.error().reason;
  EXPECT_EQ(out->format, "html");
  EXPECT_EQ(out->listed, 2U);
  EXPECT_EQ(out->fresh, 1U);
  EXPECT_EQ(out->failed, 1U) << "the 404 is tried again next poll";
  EXPECT_EQ(titles(), (std::vector<std::string>{"Harbour reopens"}));
  EXPECT_EQ(commit().etag, "") << "a listing with pages left to read is fetched in full next time";
}

config::EntryRule rule(config::EntryRule::Field field, const std::string& pattern) {
  return *config::make_rule(field, pattern);
}

TEST_F(DocumentWorkerTest, KeepAndBlockRulesChooseWhatIsPublishedAndBlockedItemsAreNotReconsidered) {
  using Field = config::EntryRule::Field;
  config.feeds = {feed_config("news", "https://news.example/rss")};
  config.feeds[0].tags = {"news"};
  config.feeds[0].rules.block = {rule(Field::title, "(?i)sponsored"), rule(Field::text, "casino")};
  config.feeds[0].rules.keep = {rule(Field::url, "/(a|b|c|d)$"), rule(Field::tags, "^never$")};
  make();
  const std::string document = "<rss version=\"2.0\"><channel><title>News</title>"
                               "<item><title>Story a</title><link>https://news.example/a</link><guid>a</guid>"
                               "<description>Harbour news.</description></item>"
                               "<item><title>SPONSORED: b</title><link>https://news.example/b</link><guid>b</guid>"
                               "<description>Buy now.</description></item>"
                               "<item><title>Story c</title><link>https://news.example/c</link><guid>c</guid>"
                               "<description>Win at the casino tonight.</description></item>"
                               "<item><title>Story e</title><link>https://news.example/e</link><guid>e</guid>"
                               "<description>Not kept: no keep rule matches.</description></item>"
                               "</channel></rss>";
  const auto first = read(document);
  ASSERT_TRUE(first) << first.error().reason;
  EXPECT_EQ(titles(), (std::vector<std::string>{"Story a"}));
  EXPECT_EQ(first->fresh, 1U);
  EXPECT_EQ(first->blocked, 3U);
  EXPECT_EQ(commit().entries.size(), 4U) << "blocked items are remembered";
  const auto again = read(document);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->blocked, 0U) << "a blocked item is not looked at again";
  EXPECT_TRUE(titles().empty());
  // An edit is a new text: it is judged again, and goes out when the rules let it (as an edit: its
  // identity was taken when it was blocked, and min_revision_interval counts from then).
  shift = 400s;
  std::string edited = document;
  edited.replace(edited.find("Win at the casino tonight."), 26, "The pier reopens tonight.");
  const auto third = read(edited);
  ASSERT_TRUE(third);
  EXPECT_EQ(titles(), (std::vector<std::string>{"Story c"}));
  EXPECT_EQ(third->edited, 1U);
  EXPECT_EQ(third->blocked, 0U);
}

TEST_F(DocumentWorkerTest, RulesSeeTagsAuthorsAndLanguageOfTheCleanedArticle) {
  using Field = config::EntryRule::Field;
  config.feeds = {feed_config("news", "https://news.example/rss")};
  config.feeds[0].rules.block = {rule(Field::author, "^Wire desk$"), rule(Field::tags, "(?i)^opinion$"),
                                 rule(Field::language, "^de")};
  make();
  const auto out = read("<rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel><title>N</title>"
                        "<language>en-us</language>"
                        "<item><title>Kept</title><guid>1</guid><dc:creator>Ana Ruiz</dc:creator><category>World</category>"
                        "<description>A.</description></item>"
                        "<item><title>Wire</title><guid>2</guid><dc:creator>Wire desk</dc:creator><description>B.</description></item>"
                        "<item><title>Column</title><guid>3</guid><category>Opinion</category><description>C.</description></item>"
                        "<item><title>German</title><guid>4</guid><dc:language>de-DE</dc:language><description>D.</description></item>"
                        "</channel></rss>");
  ASSERT_TRUE(out) << out.error().reason;
  EXPECT_EQ(titles(), (std::vector<std::string>{"Kept"}));
  EXPECT_EQ(out->blocked, 3U);
}

TEST_F(DocumentWorkerTest, AListingPagesBlockedArticlesAreRememberedNotPublished) {
  const auto story = [](const std::string& title) {
    return "<html><head><title>" + title + "</title></head><body><article><h1>" + title +
           "</h1><p>The harbour reopened on Tuesday morning after three days in which storms kept every boat in port, "
           "and the first ferries left on time.</p><p>Crews had worked through the night to clear the slipway, the "
           "harbour master said, and no damage was found.</p></article></body></html>";
  };
  server.route("/one.html", [&](const test::HttpRequest&) { return test::HttpReply{200, story("Harbour reopens"), {{"Content-Type", "text/html"}}}; });
  server.route("/two.html", [&](const test::HttpRequest&) { return test::HttpReply{200, story("Advertorial: ferries"), {{"Content-Type", "text/html"}}}; });
  config.feeds = {feed_config("listing", server.url("/news/"))};
  config.feeds[0].type = config::FeedConfig::Type::html;
  config.feeds[0].links = *config::parse_selector("main a");
  config.feeds[0].rules.block = {rule(config::EntryRule::Field::title, "^Advertorial")};
  make();
  std::jthread fetching([this](std::stop_token stop) { poller->run(stop); });
  const std::string listing = "<html><body><main><a href=\"/one.html\">One</a><a href=\"/two.html\">Two</a></main></body></html>";
  const auto out = read(listing);
  ASSERT_TRUE(out) << out.error().reason;
  EXPECT_EQ(titles(), (std::vector<std::string>{"Harbour reopens"}));
  EXPECT_EQ(out->blocked, 1U);
  EXPECT_EQ(commit().entries.size(), 2U);
  const auto again = read(listing);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->blocked, 0U);
  EXPECT_TRUE(titles().empty());
}

TEST_F(DocumentWorkerTest, FullTextPagesAreReadWhereTheFeedsContentRuleSays) {
  std::string comments;
  for (int i = 0; i < 6; ++i)
    comments += "<p>Reader comment " + std::to_string(i) + ": about time, I have waited for this, and so have my "
                "neighbours, who walk there every morning with their dogs, whatever the weather.</p>";
  const std::string page = "<html><head><title>Pier reopens</title></head><body><div class=story><h1>Pier reopens</h1>"
                           "<p>The pier reopened on Friday after a winter of repairs, the council said.</p>"
                           "<div class=offer>Subscribe for a year, and get a free tote bag with the paper.</div>"
                           "<p>Fishing from its end is allowed again from May, under a new licence.</p>"
                           "<p>The café at the far end opens at Easter, and the lifeboat station will hold an open day "
                           "for families in the first week of the summer holidays.</p></div>"
                           "<div class=thread>" + comments + "</div></body></html>";
  server.route("/pier.html", [&](const test::HttpRequest&) { return test::HttpReply{200, page, {{"Content-Type", "text/html"}}}; });
  config.feeds = {feed_config("news", server.url("/rss"))};  // the page is on the feed's own server
  config.feeds[0].full_text = true;
  config.feeds[0].pages.content = *config::parse_selector("div.story");
  config.feeds[0].pages.remove = {*config::parse_selector(".offer")};
  make();
  std::jthread fetching([this](std::stop_token stop) { poller->run(stop); });
  const auto out = read("<rss version=\"2.0\"><channel><title>N</title><item><title>Pier reopens</title><link>" +
                        server.url("/pier.html") + "</link><guid>pier</guid><description>The pier reopened.</description>"
                        "</item></channel></rss>");
  ASSERT_TRUE(out) << out.error().reason;
  ASSERT_EQ(items.size(), 2U);
  const std::string& json = std::get<PreparedArticle>(items[0]).json;
  EXPECT_NE(json.find("Fishing from its end"), std::string::npos) << json;
  EXPECT_EQ(json.find("Reader comment"), std::string::npos) << json;
  EXPECT_EQ(json.find("tote bag"), std::string::npos) << json;
}

class FeedDiscoveryTest : public DocumentWorkerTest {
 protected:
  FeedDiscoveryTest() {
    server.route("/", [this](const test::HttpRequest&) { return test::HttpReply{200, home, {{"Content-Type", "text/html"}}}; });
    config.feeds = {feed_config("site", server.url("/"))};
    make();
    fetching = std::jthread([this](std::stop_token stop) { poller->run(stop); });
  }

  void serve_feed(const std::string& path) {
    server.route(path, [this, path](const test::HttpRequest&) {
      ++feed_requests;
      return test::HttpReply{200, rss({{"b", "Second."}, {"a", "First."}}),
                             {{"Content-Type", "application/rss+xml"}, {"ETag", "\"feed-1\""}}};
    });
  }

  // The page as the poll brought it.
  std::expected<DocumentOutput, DocumentError> poll_page() {
    feeds::PolledDocument document;
    document.response.status = 200;
    document.response.body = home;
    document.response.content_type = "text/html; charset=utf-8";
    document.response.effective_url = server.url("/");
    document.response.etag = "\"page-1\"";
    document.fetched = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    items.clear();
    return worker->process(document, [this](WorkItem&& item) {
      items.push_back(std::move(item));
      return true;
    });
  }

  // Where the fetch stage polls the feed from next, once the worker's word reached it.
  std::string polled_url() {
    std::string url;
    for (int i = 0; i < 100 && (url.empty() || url == server.url("/")); ++i) {
      std::this_thread::sleep_for(20ms);
      const std::lock_guard lock(state_mutex);
      url = last_state.url;
    }
    return url;
  }

  std::string home;
  std::atomic<int> feed_requests{0};
  std::jthread fetching;
};

TEST_F(FeedDiscoveryTest, APageAdvertisingItsFeedIsReadAsThatFeed) {
  home = "<!DOCTYPE html><html><head><title>Site</title>"
         "<link rel=\"alternate\" type=\"application/rss+xml\" title=\"Comments\" href=\"/comments.xml\">"
         "<link rel=\"alternate\" type=\"application/rss+xml\" title=\"Posts\" href=\"/posts.xml\">"
         "</head><body><p>Welcome</p></body></html>";
  serve_feed("/posts.xml");
  serve_feed("/comments.xml");
  serve_feed("/feed");
  const auto out = poll_page();
  ASSERT_TRUE(out) << out.error().reason;
  EXPECT_EQ(out->format, "rss20");
  EXPECT_EQ(titles(), (std::vector<std::string>{"Story a", "Story b"}));
  EXPECT_EQ(commit().etag, "\"feed-1\"") << "the validators are the feed's, not the page's";
  EXPECT_EQ(feed_requests, 1) << "the posts feed, not the comments, nor the well-known path";
  EXPECT_EQ(polled_url(), server.url("/posts.xml"));
}

TEST_F(FeedDiscoveryTest, APageWithoutALinkIsServedByAWellKnownPath) {
  home = "<!DOCTYPE html><html><head><title>Site</title></head><body><p>Welcome</p></body></html>";
  serve_feed("/index.xml");
  const auto out = poll_page();
  ASSERT_TRUE(out) << out.error().reason;
  EXPECT_EQ(out->fresh, 2U);
  EXPECT_EQ(polled_url(), server.url("/index.xml"));
}

TEST_F(FeedDiscoveryTest, APageWithNeitherIsAnErrorThatSaysWhatWasTried) {
  home = "<!DOCTYPE html><html><head><link rel=\"alternate\" type=\"application/atom+xml\" href=\"/atom\"></head>"
         "<body><p>Welcome</p></body></html>";
  // A soft 404: a page where the feed would be.
  server.route("/feed", [](const test::HttpRequest&) {
    return test::HttpReply{200, "<!DOCTYPE html><html><body>Not here</body></html>", {{"Content-Type", "text/html"}}};
  });
  const auto out = poll_page();
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().kind, DocumentError::Kind::unreadable);
  const std::string& reason = out.error().reason;
  EXPECT_TRUE(reason.starts_with("a web page, not a feed, and no feed found for it: the feeds the page advertises "
                                 "cannot be read (" + server.url("/atom") + ": HTTP 404)"))
      << reason;
  EXPECT_NE(reason.find("none of " + server.url("/feed") + ", " + server.url("/rss.xml")), std::string::npos) << reason;
  EXPECT_TRUE(reason.ends_with("(to read the page's articles instead: type: html with a links selector)")) << reason;
  EXPECT_TRUE(items.empty());
}

}  // namespace
}  // namespace sluice::pipeline
