#include "feeds/fetch/http_fetcher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>

#include "feeds/urls.h"
#include "tests/support/http_server.h"
#include "tests/support/temp_dir.h"

namespace sluice::feeds {
namespace {

using namespace std::chrono_literals;

// Runs one request through a real fetcher and returns its result.
FetchResult fetch(const FetchRequest& request) {
  std::optional<FetchResult> result;
  HttpFetcher fetcher([&](std::uint64_t tag, FetchResult done) {
    EXPECT_EQ(tag, request.tag);
    result = std::move(done);
  });
  fetcher.start(request);
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (!result && std::chrono::steady_clock::now() < deadline) fetcher.poll(100ms);
  EXPECT_EQ(fetcher.active(), 0U);
  if (!result) return std::unexpected(FetchError{"test gave up waiting", 0, std::nullopt});
  return std::move(*result);
}

FetchRequest request_for(const std::string& url) {
  FetchRequest request;
  request.tag = 7;
  request.url = url;
  request.user_agent = "sluice-test/1";
  request.timeout = 5s;
  return request;
}

class HttpFetcherTest : public testing::Test {
 protected:
  test::HttpServer server;
};

TEST_F(HttpFetcherTest, FetchesBodyValidatorsAndSendsHeaders) {
  test::HttpRequest seen;
  server.route("/feed.xml", [&](const test::HttpRequest& request) {
    seen = request;
    return test::HttpReply{200, "<rss/>", {{"ETag", "\"v1\""}, {"Last-Modified", "Mon, 10 Feb 2025 14:30:00 GMT"},
                                           {"Content-Type", "application/rss+xml; charset=utf-8"}}};
  });
  FetchRequest request = request_for(server.url("/feed.xml"));
  request.headers = {{"Cookie", "consent=yes"}};
  const FetchResult result = fetch(request);
  ASSERT_TRUE(result) << result.error().reason;
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->body, "<rss/>");
  EXPECT_EQ(result->etag, "\"v1\"");
  EXPECT_EQ(result->last_modified, "Mon, 10 Feb 2025 14:30:00 GMT");
  EXPECT_EQ(result->content_type, "application/rss+xml; charset=utf-8");
  EXPECT_EQ(result->effective_url, server.url("/feed.xml"));
  EXPECT_EQ(seen.header("User-Agent"), "sluice-test/1");
  EXPECT_EQ(seen.header("Cookie"), "consent=yes");
  EXPECT_EQ(seen.header("If-None-Match"), "");
}

TEST_F(HttpFetcherTest, KeepsEveryLinkHeader) {
  server.route("/feed.xml", [](const test::HttpRequest&) {
    return test::HttpReply{200, "<rss/>", {{"Link", "<https://hub.example/>; rel=\"hub\""},
                                           {"Link", "<https://blog.example/feed.xml>; rel=\"self\""}}};
  });
  const FetchResult result = fetch(request_for(server.url("/feed.xml")));
  ASSERT_TRUE(result) << result.error().reason;
  EXPECT_EQ(result->links, "<https://hub.example/>; rel=\"hub\", <https://blog.example/feed.xml>; rel=\"self\"");
}

TEST_F(HttpFetcherTest, PostsAFormWithoutFollowingRedirects) {
  test::HttpRequest seen;
  server.route("/hub", [&](const test::HttpRequest& request) {
    seen = request;
    return test::HttpReply{202, "", {}};
  });
  server.route("/moved", [&](const test::HttpRequest&) { return test::HttpReply{307, "", {{"Location", "/hub"}}}; });
  FetchRequest request = request_for(server.url("/hub"));
  request.form = "hub.mode=subscribe&hub.topic=https%3A%2F%2Fblog.example%2Ffeed";
  const FetchResult result = fetch(request);
  ASSERT_TRUE(result) << result.error().reason;
  EXPECT_EQ(result->status, 202);
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.param("hub.topic"), "https://blog.example/feed");
  EXPECT_EQ(seen.header("Content-Type"), "application/x-www-form-urlencoded");
  request.url = server.url("/moved");
  const FetchResult moved = fetch(request);
  EXPECT_TRUE(!moved || moved->status == 307) << "a POST is not carried through a redirect";
}

TEST_F(HttpFetcherTest, APostToAPrivateAddressIsRefused) {
  server.route("/hub", [](const test::HttpRequest&) { return test::HttpReply{202, "", {}}; });
  FetchRequest request = request_for(server.url("/hub"));
  request.form = "hub.mode=unsubscribe";
  request.public_only = true;
  const FetchResult result = fetch(request);
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().reason.find("refused non-public address 127.0.0.1"), std::string::npos) << result.error().reason;
}

TEST_F(HttpFetcherTest, SendsBasicAuthentication) {
  test::HttpRequest seen;
  server.route("/private.xml", [&](const test::HttpRequest& request) {
    seen = request;
    return test::HttpReply{200, "<rss/>", {}};
  });
  FetchRequest request = request_for(server.url("/private.xml"));
  request.username = "reader";
  request.password = "s3cret";
  ASSERT_TRUE(fetch(request));
  EXPECT_EQ(seen.header("Authorization"), "Basic cmVhZGVyOnMzY3JldA==");
}

TEST_F(HttpFetcherTest, GoesThroughTheConfiguredProxy) {
  // The test server plays the proxy: a proxied request names the whole target URL as its path.
  test::HttpRequest seen;
  server.route("http://feeds.example.invalid/feed.xml", [&](const test::HttpRequest& request) {
    seen = request;
    return test::HttpReply{200, "<rss/>", {}};
  });
  FetchRequest request = request_for("http://feeds.example.invalid/feed.xml");
  request.proxy = server.url("");
  const FetchResult result = fetch(request);
  ASSERT_TRUE(result) << result.error().reason;
  EXPECT_EQ(seen.header("Host"), "feeds.example.invalid");
}

TEST_F(HttpFetcherTest, AnswersWithValidatorsThenGets304ByETag) {
  test::HttpRequest seen;
  server.route("/feed.xml", [&](const test::HttpRequest& request) {
    seen = request;
    if (request.header("If-None-Match") == "\"v1\"") return test::HttpReply{304, "", {{"ETag", "\"v1\""}}};
    return test::HttpReply{200, "<rss/>", {{"ETag", "\"v1\""}}};
  });
  const FetchResult first = fetch(request_for(server.url("/feed.xml")));
  ASSERT_TRUE(first) << first.error().reason;
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(seen.header("If-None-Match"), "");
  FetchRequest request = request_for(server.url("/feed.xml"));
  request.etag = first->etag;
  const FetchResult second = fetch(request);
  ASSERT_TRUE(second) << second.error().reason;
  EXPECT_TRUE(second->not_modified());
  EXPECT_TRUE(second->body.empty());
}

TEST_F(HttpFetcherTest, AnswersWithValidatorsThenGets304ByLastModified) {
  constexpr const char* kModified = "Mon, 10 Feb 2025 14:30:00 GMT";
  test::HttpRequest seen;
  server.route("/feed.xml", [&](const test::HttpRequest& request) {
    seen = request;
    if (request.header("If-Modified-Since") == kModified) return test::HttpReply{304, "", {}};
    return test::HttpReply{200, "<rss/>", {{"Last-Modified", kModified}}};
  });
  const FetchResult first = fetch(request_for(server.url("/feed.xml")));
  ASSERT_TRUE(first) << first.error().reason;
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->etag, "");
  FetchRequest request = request_for(server.url("/feed.xml"));
  request.last_modified = first->last_modified;
  const FetchResult second = fetch(request);
  ASSERT_TRUE(second) << second.error().reason;
  EXPECT_TRUE(second->not_modified());
  EXPECT_EQ(seen.header("If-Modified-Since"), kModified);
  EXPECT_EQ(seen.header("If-None-Match"), "");
}

TEST_F(HttpFetcherTest, FollowsRedirects) {
  server.route("/old", [](const test::HttpRequest&) { return test::HttpReply{301, "", {{"Location", "/new"}}}; });
  server.route("/new", [](const test::HttpRequest&) { return test::HttpReply{200, "moved", {}}; });
  const FetchResult result = fetch(request_for(server.url("/old")));
  ASSERT_TRUE(result) << result.error().reason;
  EXPECT_EQ(result->body, "moved");
  EXPECT_EQ(result->effective_url, server.url("/new"));
}

TEST_F(HttpFetcherTest, HttpErrorsAreErrors) {
  server.route("/gone", [](const test::HttpRequest&) { return test::HttpReply{410, "gone", {}}; });
  const FetchResult missing = fetch(request_for(server.url("/nothing-here")));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().reason, "HTTP 404");
  EXPECT_EQ(missing.error().status, 404);
  const FetchResult gone = fetch(request_for(server.url("/gone")));
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().status, 410);
}

TEST_F(HttpFetcherTest, AbortsBodiesPastTheLimit) {
  server.route("/huge", [](const test::HttpRequest&) { return test::HttpReply{200, std::string(300'000, 'x'), {}}; });
  FetchRequest request = request_for(server.url("/huge"));
  request.max_body = 100 * 1024;
  const FetchResult result = fetch(request);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().reason, "body exceeds max_body 100KiB");
}

TEST_F(HttpFetcherTest, StopsAnEndlessBodyAtTheLimit) {
  server.route("/endless", [](const test::HttpRequest&) {
    test::HttpReply reply{200, std::string(16 * 1024, 'x'), {}};
    reply.endless = true;
    return reply;
  });
  FetchRequest request = request_for(server.url("/endless"));
  request.max_body = 1024 * 1024;
  const FetchResult result = fetch(request);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().reason, "body exceeds max_body 1MiB");
}

TEST_F(HttpFetcherTest, GivesUpOnASlowServer) {
  server.route("/slow", [](const test::HttpRequest&) { return test::HttpReply{200, "late", {}, 1500ms}; });
  FetchRequest request = request_for(server.url("/slow"));
  request.timeout = 300ms;
  const FetchResult result = fetch(request);
  ASSERT_FALSE(result);
  EXPECT_TRUE(result.error().reason.starts_with("timed out after")) << result.error().reason;
}

TEST_F(HttpFetcherTest, GivesUpOnADrippingServer) {
  server.route("/drip", [](const test::HttpRequest&) {
    test::HttpReply reply{200, std::string(200, 'x'), {}};
    reply.drip = 100ms;  // 10 bytes a second, far under the low-speed limit
    return reply;
  });
  FetchRequest request = request_for(server.url("/drip"));
  request.timeout = 4s;  // the low-speed window is half of it: 2 s
  const FetchResult result = fetch(request);
  ASSERT_FALSE(result);
  // The low-speed limit ended it, not the total timeout.
  EXPECT_TRUE(result.error().reason.starts_with("too slow: under 64 bytes/s")) << result.error().reason;
}

TEST_F(HttpFetcherTest, ReportsUnresolvableHosts) {
  const FetchResult result = fetch(request_for("http://no-such-host.invalid/feed.xml"));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().reason, "Couldn't resolve host name");
}

TEST_F(HttpFetcherTest, ReportsConnectionFailures) {
  const FetchResult result = fetch(request_for("http://127.0.0.1:1/feed.xml"));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().reason, "Couldn't connect to server");
}

TEST_F(HttpFetcherTest, ReportsRetryAfterOf429And503) {
  server.route("/busy", [](const test::HttpRequest&) { return test::HttpReply{429, "", {{"Retry-After", "2"}}}; });
  server.route("/down", [](const test::HttpRequest&) {
    return test::HttpReply{503, "", {{"Retry-After", "Fri, 31 Dec 2999 23:59:59 GMT"}}};
  });
  server.route("/gone", [](const test::HttpRequest&) { return test::HttpReply{500, "", {{"Retry-After", "5"}}}; });
  const FetchResult busy = fetch(request_for(server.url("/busy")));
  ASSERT_FALSE(busy);
  EXPECT_EQ(busy.error().retry_after, std::chrono::seconds(2));
  const FetchResult down = fetch(request_for(server.url("/down")));
  ASSERT_FALSE(down);
  EXPECT_EQ(down.error().retry_after, std::chrono::seconds(7 * 24 * 3600)) << "an absurd date is capped at a week";
  const FetchResult gone = fetch(request_for(server.url("/gone")));
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().retry_after, std::nullopt) << "only 429 and 503 ask to come back later";
}

TEST_F(HttpFetcherTest, ReportsHowLongTheAnswerStaysFresh) {
  server.route("/a", [](const test::HttpRequest&) {
    return test::HttpReply{200, "<rss/>", {{"Cache-Control", "public, max-age=600"}}};
  });
  server.route("/b", [](const test::HttpRequest&) {
    return test::HttpReply{200, "<rss/>", {{"Date", "Mon, 10 Feb 2025 14:00:00 GMT"}, {"Expires", "Mon, 10 Feb 2025 15:00:00 GMT"}}};
  });
  server.route("/c", [](const test::HttpRequest&) { return test::HttpReply{200, "<rss/>", {}}; });
  EXPECT_EQ(fetch(request_for(server.url("/a")))->fresh_for, std::chrono::seconds(600));
  EXPECT_EQ(fetch(request_for(server.url("/b")))->fresh_for, std::chrono::seconds(3600));
  EXPECT_EQ(fetch(request_for(server.url("/c")))->fresh_for, std::chrono::seconds(0));
}

TEST_F(HttpFetcherTest, StopsAGzipBombAtTheDecodedLimit) {
  // 8 MiB of zeros compress to a few kilobytes: only the decoded size shows the bomb.
  const std::string compressed = test::gzipped(std::string(8 << 20, '\0'));
  ASSERT_LT(compressed.size(), 64U * 1024U);
  server.route("/bomb", [&](const test::HttpRequest&) {
    return test::HttpReply{200, compressed, {{"Content-Encoding", "gzip"}}};
  });
  FetchRequest request = request_for(server.url("/bomb"));
  request.max_body = 1 << 20;
  const FetchResult result = fetch(request);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().reason, "body exceeds max_body 1MiB");
}

TEST_F(HttpFetcherTest, RedirectLoopsAreErrors) {
  server.route("/a", [](const test::HttpRequest&) { return test::HttpReply{302, "", {{"Location", "/b"}}}; });
  server.route("/b", [](const test::HttpRequest&) { return test::HttpReply{302, "", {{"Location", "/a"}}}; });
  const FetchResult result = fetch(request_for(server.url("/a")));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().reason, "Number of redirects hit maximum amount");
}

TEST_F(HttpFetcherTest, GuardRefusesNonPublicAddressesAfterResolution) {
  server.route("/internal", [](const test::HttpRequest&) { return test::HttpReply{200, "secret", {}}; });
  FetchRequest request = request_for(server.url("/internal"));
  request.public_only = true;
  const FetchResult refused = fetch(request);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().reason, "refused non-public address 127.0.0.1 for " + server.url("/internal") +
                                        " (links and redirects sluice follows must lead to public servers; allow_private: true on the feed lifts this)");
  // "localhost" resolves to loopback too: the check is on the address, not the name.
  FetchRequest by_name = request_for(server.url("/internal").replace(7, 9, "localhost"));
  by_name.public_only = true;
  const FetchResult refused_by_name = fetch(by_name);
  ASSERT_FALSE(refused_by_name);
  EXPECT_TRUE(refused_by_name.error().reason.starts_with("refused non-public address")) << refused_by_name.error().reason;
  // Configured URLs are trusted: without the guard the same server answers.
  EXPECT_TRUE(fetch(request_for(server.url("/internal"))));
}

// The guard as the tests see the machine: 127.0.0.1 stands for a public server, every other
// loopback address (127.0.0.2, ::1, ::ffff:127.0.0.2) for a private one.
bool only_127_0_0_1_is_public(std::string_view address) { return address == "127.0.0.1" || is_public_ip(address); }

// Runs requests one after another through one fetcher, so connections are pooled between them.
class OneFetcher {
 public:
  explicit OneFetcher(AddressCheck check = is_public_ip)
      : fetcher_([this](std::uint64_t, FetchResult done) { result_ = std::move(done); }, check) {}

  FetchResult fetch(const FetchRequest& request) {
    result_.reset();
    fetcher_.start(request);
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (!result_ && std::chrono::steady_clock::now() < deadline) fetcher_.poll(100ms);
    if (!result_) return std::unexpected(FetchError{"test gave up waiting", 0, std::nullopt});
    return std::move(*result_);
  }

 private:
  std::optional<FetchResult> result_;
  HttpFetcher fetcher_;
};

class GuardTest : public HttpFetcherTest {
 protected:
  GuardTest() {
    internal.route("/secret", [this](const test::HttpRequest&) {
      ++secrets_served;
      return test::HttpReply{200, "secret", {}};
    });
  }

  // A request for a link found in a feed of the server at 127.0.0.1 ("public" here).
  FetchRequest link(const std::string& url) const {
    FetchRequest request = request_for(url);
    request.public_only = true;
    request.trusted_host = "127.0.0.1";
    return request;
  }

  test::HttpServer internal{"127.0.0.2"};  // a private server
  std::atomic<int> secrets_served{0};
};

TEST_F(GuardTest, AFollowedLinkIsNeverAFileUrlNorRedirectedToOne) {
  const test::TempDir dir;
  test::write_file(dir.path() / "page.html", "<p>local</p>");
  const std::string file_url = "file://" + (dir.path() / "page.html").string();
  FetchRequest followed = request_for(file_url);
  const FetchResult refused = fetch(followed);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().reason, "refused " + file_url + ": links and redirects sluice follows must be http or https");
  server.route("/to-file", [&](const test::HttpRequest&) { return test::HttpReply{302, "", {{"Location", file_url}}}; });
  FetchRequest configured = request_for(server.url("/to-file"));
  configured.configured = true;
  const FetchResult redirected = fetch(configured);
  ASSERT_FALSE(redirected);
  EXPECT_EQ(redirected.error().reason, "refused " + file_url + ": links and redirects sluice follows must be http or https");
  // The operator's own file: URL is read.
  FetchRequest own = request_for(file_url);
  own.configured = true;
  const FetchResult read = fetch(own);
  ASSERT_TRUE(read) << read.error().reason;
  EXPECT_EQ(read->body, "<p>local</p>");
}

TEST_F(GuardTest, TheTrustedHostIsExemptButNotWhereItsRedirectsLead) {
  server.route("/page", [](const test::HttpRequest&) { return test::HttpReply{200, "page", {}}; });
  server.route("/open", [&](const test::HttpRequest&) {
    return test::HttpReply{302, "", {{"Location", internal.url("/secret")}}};
  });
  const std::string mapped = internal.url("/secret").replace(7, 9, "[::ffff:127.0.0.2]");
  server.route("/open-mapped", [&](const test::HttpRequest&) { return test::HttpReply{302, "", {{"Location", mapped}}}; });
  // The feed's own host is private (127.0.0.1 under the real classifier) and exempt...
  const FetchResult own = fetch(link(server.url("/page")));
  ASSERT_TRUE(own) << own.error().reason;
  EXPECT_EQ(own->body, "page");
  // ...but an open redirect on it leads nowhere private, by address or by an IPv4-mapped one.
  for (const std::string path : {"/open", "/open-mapped"}) {
    const FetchResult redirected = fetch(link(server.url(path)));
    ASSERT_FALSE(redirected) << path;
    EXPECT_TRUE(redirected.error().reason.starts_with("refused non-public address")) << redirected.error().reason;
  }
  EXPECT_EQ(secrets_served, 0);
}

TEST_F(GuardTest, AGuardedRequestNeverRidesAPooledConnectionTheGuardDidNotOpen) {
  OneFetcher fetcher(only_127_0_0_1_is_public);
  // A configured feed on the private server leaves a kept-alive connection in the pool.
  const FetchResult trusted = fetcher.fetch(request_for(internal.url("/secret")));
  ASSERT_TRUE(trusted) << trusted.error().reason;
  EXPECT_EQ(secrets_served, 1);
  // An article link to that server, directly or through a redirect from a public one, is refused.
  server.route("/open", [&](const test::HttpRequest&) {
    return test::HttpReply{302, "", {{"Location", internal.url("/secret")}}};
  });
  for (const std::string& url : {internal.url("/secret"), server.url("/open")}) {
    FetchRequest guarded = link(url);
    guarded.trusted_host = "feeds.example";
    const FetchResult refused = fetcher.fetch(guarded);
    ASSERT_FALSE(refused) << url;
    EXPECT_EQ(refused.error().reason, "refused non-public address 127.0.0.2 for " + internal.url("/secret") +
                                          " (links and redirects sluice follows must lead to public servers; allow_private: true on the feed lifts this)");
  }
  EXPECT_EQ(secrets_served, 1);
  // A public server's pooled connection serves guarded requests as before.
  server.route("/page", [](const test::HttpRequest&) { return test::HttpReply{200, "page", {}}; });
  ASSERT_TRUE(fetcher.fetch(request_for(server.url("/page"))));
  FetchRequest guarded = link(server.url("/page"));
  guarded.trusted_host = "feeds.example";
  EXPECT_TRUE(fetcher.fetch(guarded));
}

TEST_F(HttpFetcherTest, CarriesCookiesThroughAConsentRedirectAndHandsBackTheJar) {
  std::vector<std::string> asked;
  std::mutex mutex;
  server.route("/feed", [&](const test::HttpRequest& request) {
    const std::lock_guard lock(mutex);
    asked.push_back("/feed " + request.header("Cookie"));
    if (request.header("Cookie").find("consent=yes") == std::string::npos)
      return test::HttpReply{302, "", {{"Location", "/consent"}}};
    return test::HttpReply{200, "<rss/>", {}};
  });
  server.route("/consent", [&](const test::HttpRequest&) {
    const std::lock_guard lock(mutex);
    asked.push_back("/consent");
    return test::HttpReply{302, "", {{"Location", "/feed"}, {"Set-Cookie", "consent=yes; Path=/; Max-Age=3600"}}};
  });
  const FetchResult walled = fetch(request_for(server.url("/feed")));
  ASSERT_TRUE(walled) << walled.error().reason;
  EXPECT_EQ(walled->body, "<rss/>");
  EXPECT_EQ(asked, (std::vector<std::string>{"/feed ", "/consent", "/feed consent=yes"}));
  EXPECT_NE(walled->cookies.find("\tconsent\tyes"), std::string::npos) << walled->cookies;

  // The jar handed back opens the wall at once next time.
  asked.clear();
  FetchRequest again = request_for(server.url("/feed"));
  again.cookies = walled->cookies;
  const FetchResult direct = fetch(again);
  ASSERT_TRUE(direct);
  EXPECT_EQ(asked, (std::vector<std::string>{"/feed consent=yes"}));
}

TEST_F(HttpFetcherTest, SendsACookieOnlyToItsHost) {
  std::string cookie = "unset";
  server.route("/feed", [&](const test::HttpRequest& request) {
    cookie = request.header("Cookie");
    return test::HttpReply{200, "<rss/>", {}};
  });
  FetchRequest same = request_for(server.url("/feed"));
  same.cookies = cookie_line("127.0.0.1", "session", "abc") + "\n";
  ASSERT_TRUE(fetch(same));
  EXPECT_EQ(cookie, "session=abc");
  FetchRequest other = request_for(server.url("/feed").replace(7, 9, "localhost"));
  other.cookies = same.cookies;
  ASSERT_TRUE(fetch(other));
  EXPECT_EQ(cookie, "") << "a cookie for 127.0.0.1 went to localhost";
}

TEST(HttpFetcher, TellsPublicAddressesFromTheRest) {
  for (const char* address : {"8.8.8.8", "93.184.216.34", "2001:4860:4860::8888", "::ffff:8.8.8.8", "64:ff9b::808:808"})
    EXPECT_TRUE(is_public_ip(address)) << address;
  for (const char* address : {"127.0.0.1", "10.1.2.3", "172.20.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
                              "0.0.0.0", "224.0.0.1", "255.255.255.255", "::1", "::", "fe80::1", "fd00::1", "ff02::1",
                              "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::127.0.0.1", "64:ff9b::a9fe:a9fe", "fec0::1",
                              "198.18.0.1", "not an address"})
    EXPECT_FALSE(is_public_ip(address)) << address;
}

TEST(HttpFetcher, ReadsFileUrls) {
  const test::TempDir dir;
  test::write_file(dir.path() / "feed.xml", "<rss/>");
  // As the poller asks for a configured feed: file: allowed, the guard on for anything followed.
  FetchRequest request = request_for("file://" + (dir.path() / "feed.xml").string());
  request.configured = true;
  request.public_only = true;
  request.trusted_host = host_name(request.url);
  const FetchResult result = fetch(request);
  ASSERT_TRUE(result) << result.error().reason;
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->body, "<rss/>");
}

TEST_F(HttpFetcherTest, RunsManyTransfersAtOnce) {
  server.route("/a", [](const test::HttpRequest&) { return test::HttpReply{200, "a", {}, 200ms}; });
  server.route("/b", [](const test::HttpRequest&) { return test::HttpReply{200, "b", {}, 200ms}; });
  std::map<std::uint64_t, std::string> bodies;
  HttpFetcher fetcher([&](std::uint64_t tag, FetchResult result) {
    ASSERT_TRUE(result) << result.error().reason;
    bodies[tag] = result->body;
  });
  FetchRequest a = request_for(server.url("/a"));
  a.tag = 1;
  FetchRequest b = request_for(server.url("/b"));
  b.tag = 2;
  fetcher.start(a);
  fetcher.start(b);
  EXPECT_EQ(fetcher.active(), 2U);
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (bodies.size() < 2 && std::chrono::steady_clock::now() < deadline) fetcher.poll(100ms);
  EXPECT_EQ(bodies, (std::map<std::uint64_t, std::string>{{1, "a"}, {2, "b"}}));
}

}  // namespace
}  // namespace sluice::feeds
