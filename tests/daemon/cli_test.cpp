#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>

#include "config/config.h"
#include "tests/support/fixtures.h"
#include "tests/support/http_server.h"
#include "tests/support/process.h"
#include "tests/support/schema.h"
#include "tests/support/temp_dir.h"

namespace sluice::daemon {
namespace {

TEST(Cli, PrintsVersion) {
  const auto result = test::run_command({SLUICE_BINARY, "--version"});
  EXPECT_EQ(result.status, 0);
  EXPECT_EQ(result.out, "sluice " SLUICE_VERSION "\n");
}

TEST(Cli, EverySubcommandHasHelp) {
  for (const char* command :
       {"run", "tail", "parse", "extract", "check-config", "proxy", "keygen", "status", "opml", "discover"}) {
    const auto result = test::run_command({SLUICE_BINARY, command, "--help"});
    EXPECT_EQ(result.status, 0) << command;
    EXPECT_NE(result.out.find("Usage:"), std::string::npos) << command;
  }
}

TEST(Cli, UsageErrorsExitWithTwo) {
  EXPECT_EQ(test::run_command({SLUICE_BINARY}).status, 2);
  EXPECT_EQ(test::run_command({SLUICE_BINARY, "run"}).status, 2) << "-c is required";
  const auto unknown = test::run_command({SLUICE_BINARY, "frobnicate"});
  EXPECT_EQ(unknown.status, 2);
  EXPECT_NE(unknown.err.find("unknown command 'frobnicate'; the commands are run, tail,"), std::string::npos)
      << unknown.err;
  const auto from_zero = test::run_command({SLUICE_BINARY, "tail", "--from", "0"});
  EXPECT_EQ(from_zero.status, 2);
  EXPECT_NE(from_zero.err.find("--from takes a seq (the first is 1) or 'last', not '0'"), std::string::npos)
      << from_zero.err;
}

TEST(Cli, HelpNamesEveryFormatAndAnEmptyFeedListIsWarnedOf) {
  EXPECT_NE(test::run_command({SLUICE_BINARY, "--help"}).out.find("RSS, Atom and JSON Feed feeds and web pages"),
            std::string::npos);
  const test::TempDir dir;
  const auto file = (dir.path() / "empty.yaml").string();
  test::write_file(file, "state_dir: " + (dir.path() / "state").string() + "\nfeeds: []\n");
  const auto result = test::run_command({SLUICE_BINARY, "check-config", file});
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(result.err, file + ": warning: feeds is empty; sluice runs but polls nothing\n");
}

TEST(Cli, ProxyRefusesHalfACurveSetupOrKeysThatDoNotMatchItsUpstreams) {
  const test::TempDir dir;
  for (const char* name : {"server", "proxy"})
    ASSERT_EQ(test::run_command({SLUICE_BINARY, "keygen", name, "-d", dir.path().string()}).status, 0);
  const std::string server_key = (dir.path() / "server.key").string();
  const std::string proxy_key = (dir.path() / "proxy.key_secret").string();
  const auto half = test::run_command({SLUICE_BINARY, "proxy", "-u", "tcp://127.0.0.1:1", "--server-key", server_key});
  EXPECT_EQ(half.status, 2);
  EXPECT_NE(half.err.find("needs both --server-key and --key"), std::string::npos) << half.err;
  const auto counts = test::run_command({SLUICE_BINARY, "proxy", "-u", "tcp://127.0.0.1:1", "-u", "tcp://127.0.0.1:2", "-u",
                                         "tcp://127.0.0.1:3", "--server-key", server_key, "--server-key", server_key,
                                         "--key", proxy_key});
  EXPECT_EQ(counts.status, 2);
  EXPECT_NE(counts.err.find("2 --server-key for 3 --upstream"), std::string::npos) << counts.err;
  const auto public_only = test::run_command({SLUICE_BINARY, "proxy", "-u", "tcp://127.0.0.1:1", "--server-key",
                                              server_key, "--key", (dir.path() / "proxy.key").string()});
  EXPECT_EQ(public_only.status, 2);
  EXPECT_NE(public_only.err.find("holds no secret-key"), std::string::npos) << public_only.err;
}

TEST(Cli, CheckConfigAcceptsAValidFile) {
  const auto result = test::run_command({SLUICE_BINARY, "check-config", SLUICE_SOURCE_DIR "/config/demo.yaml"});
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(result.out, SLUICE_SOURCE_DIR "/config/demo.yaml: valid, 4 feeds\n");
}

TEST(Cli, CheckConfigNamesLineColumnAndKey) {
  const test::TempDir dir;
  const auto file = (dir.path() / "bad.yaml").string();
  test::write_file(file, "feeds:\n  - name: world\n    url: https://example.org/rss.xml\n    intreval: 5m\n");
  const auto result = test::run_command({SLUICE_BINARY, "check-config", file});
  EXPECT_EQ(result.status, 2);
  // FILE:LINE:COLUMN first, as compilers write it, so editors jump to the place.
  EXPECT_EQ(result.err, file + ":4:5: feeds[0].intreval: unknown key (did you mean 'interval'?)\n");
  EXPECT_EQ(result.out, "");
}

TEST(Cli, CheckConfigNamesTheRuleOrSelectorThatDoesNotCompile) {
  const test::TempDir dir;
  const auto file = (dir.path() / "bad.yaml").string();
  const std::string head = "feeds:\n  - name: world\n    url: https://example.org/rss.xml\n    full_text: true\n";
  test::write_file(file, head + "    block:\n      - text: \"(?i)(live|blog\"\n");
  const auto rule = test::run_command({SLUICE_BINARY, "check-config", file});
  EXPECT_EQ(rule.status, 2);
  EXPECT_EQ(rule.err, file + ":6:15: feeds[0].block[0].text: '(?i)(live|blog' is not a valid regular expression: "
                             "missing ): (?i)(live|blog\n");
  test::write_file(file, head + "    content: \"article >\"\n");
  const auto content = test::run_command({SLUICE_BINARY, "check-config", file});
  EXPECT_EQ(content.status, 2);
  EXPECT_EQ(content.err, file + ":5:14: feeds[0].content: 'article >': a selector must follow '>' at 10\n");
}

TEST(Cli, CheckConfigWarnsOfAHubWithoutTheWebSubSection) {
  const test::TempDir dir;
  const auto file = (dir.path() / "sluice.yaml").string();
  const std::string feeds = "state_dir: " + (dir.path() / "state").string() +
                            "\nfeeds:\n  - name: blog\n    url: https://blog.example/feed\n    hub: https://hub.example/\n";
  test::write_file(file, feeds);
  const auto hub_only = test::run_command({SLUICE_BINARY, "check-config", file});
  EXPECT_EQ(hub_only.status, 0) << hub_only.err;
  EXPECT_EQ(hub_only.err, file + ": warning: feed 'blog' names a hub but there is no websub section; it is polled only\n");
  test::write_file(file, "websub: { listen: 127.0.0.1:0, public_url: https://ingest.example/websub }\n" + feeds);
  const auto section = test::run_command({SLUICE_BINARY, "check-config", file});
  EXPECT_EQ(section.status, 0) << section.err;
  EXPECT_EQ(section.err, "");
}

TEST(Cli, ExtractTriesContentAndRemoveSelectorsOnASavedPage) {
  const test::TempDir dir;
  const auto page = (dir.path() / "page.html").string();
  std::string comments;
  for (int i = 0; i < 6; ++i)
    comments += "<p>Reader comment " + std::to_string(i) + ": about time, I have waited for this, and so have my "
                "neighbours, who walk there every morning.</p>";
  test::write_file(page, "<html><body><div class=story><p>The pier reopened on Friday after a winter of repairs.</p>"
                         "<div class=offer>Subscribe for a year, and get a free tote bag.</div>"
                         "<p>Fishing from its end is allowed again from May.</p></div><div class=thread>" +
                             comments + "</div></body></html>");
  const auto ruled = test::run_command({SLUICE_BINARY, "extract", "--content", ".story", "--remove", ".offer", page});
  ASSERT_EQ(ruled.status, 0) << ruled.err;
  EXPECT_EQ(nlohmann::json::parse(ruled.out)["text"],
            "The pier reopened on Friday after a winter of repairs.\n\nFishing from its end is allowed again from May.");
  const auto missed = test::run_command({SLUICE_BINARY, "extract", "--content", "main > .story", page});
  ASSERT_EQ(missed.status, 0);
  EXPECT_EQ(missed.err, "sluice extract: " + page + ": --content 'main > .story' matched nothing; the page was "
                        "extracted without it\n");
  const auto bad = test::run_command({SLUICE_BINARY, "extract", "--remove", "div:hover", page});
  EXPECT_EQ(bad.status, 2);
  EXPECT_TRUE(bad.err.starts_with("sluice extract: --remove 'div:hover': unexpected ':' at 4")) << bad.err;
}

TEST(Cli, RunRefusesAnInvalidConfig) {
  const test::TempDir dir;
  const auto file = (dir.path() / "bad.yaml").string();
  test::write_file(file, "feeds:\n  - name: a\n    url: https://a.example/\n  - name: a\n    url: https://b.example/\n");
  const auto result = test::run_command({SLUICE_BINARY, "run", "-c", file});
  EXPECT_EQ(result.status, 2);
  EXPECT_EQ(result.err, file + ":4:11: feeds[1].name: duplicate feed name 'a' (first defined at " + file + ":2:5)\n");
}

// What run would fail on after binding (a key others may read, a path whose variable is unset, a
// state directory it cannot make) is refused by check-config, the unit's ExecStartPre, and by
// run, both with exit 2, before anything starts.
TEST(Cli, CheckConfigRefusesWhatRunCannotStartWithAndRunRefusesItTheSameWay) {
  const test::TempDir dir;
  ASSERT_EQ(test::run_command({SLUICE_BINARY, "keygen", "server", "-d", (dir.path() / "keys").string()}).status, 0);
  std::filesystem::create_directories(dir.path() / "clients");
  const auto secret = dir.path() / "keys" / "server.key_secret";
  const auto write_config = [&](const std::string& secret_key_file, const std::string& state_dir) {
    const auto file = (dir.path() / "sluice.yaml").string();
    test::write_file(file, "state_dir: " + state_dir +
                               "\npublish:\n  endpoint: tcp://127.0.0.1:*\n  replay_endpoint: tcp://127.0.0.1:*\n"
                               "  curve:\n    secret_key_file: " + secret_key_file + "\n    clients_dir: " +
                               (dir.path() / "clients").string() + "\nfeeds:\n  - name: local\n    url: file://" +
                               (dir.path() / "feed.xml").string() + "\n");
    return file;
  };
  const auto expect_refused = [&](const std::string& file, const std::string& reason) {
    for (const char* command : {"check-config", "run"}) {
      const auto result = command == std::string("run") ? test::run_command({SLUICE_BINARY, "run", "-c", file})
                                                        : test::run_command({SLUICE_BINARY, "check-config", file});
      EXPECT_EQ(result.status, 2) << command << ": " << result.err;
      EXPECT_TRUE(result.err.starts_with(file + ": ")) << command << ": " << result.err;
      EXPECT_NE(result.err.find(reason), std::string::npos) << command << ": " << result.err;
    }
  };
  const std::string state = (dir.path() / "state").string();

  std::filesystem::permissions(secret, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                                           std::filesystem::perms::group_read | std::filesystem::perms::others_read);
  expect_refused(write_config(secret.string(), state),
                 "publish.curve.secret_key_file: secret key file " + secret.string() +
                     " may be read by group or others (mode 0644); make it private: chmod 600");
  std::filesystem::permissions(secret, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);

  expect_refused(write_config("${SLUICE_TEST_NEVER_SET}/server.key_secret", state),
                 "publish.curve.secret_key_file: ${SLUICE_TEST_NEVER_SET} is not set here");
  expect_refused(write_config((dir.path() / "keys" / "server.key").string(), state), "holds no secret-key");

  test::write_file(dir.path() / "plain-file", "");
  expect_refused(write_config(secret.string(), (dir.path() / "plain-file" / "state").string()),
                 "state_dir: " + (dir.path() / "plain-file").string() + " is not a directory");

  const auto fine = test::run_command({SLUICE_BINARY, "check-config", write_config(secret.string(), state)});
  EXPECT_EQ(fine.status, 0) << fine.err;
}

TEST(Cli, ParsePrintsTheFeedJson) {
  const auto result =
      test::run_command({SLUICE_BINARY, "parse", "--url=https://news.example.org/world/rss.xml",
                         SLUICE_FIXTURES_DIR "/seed/feed.xml"});
  EXPECT_EQ(result.status, 0) << result.err;
  const auto json = nlohmann::json::parse(result.out);
  EXPECT_EQ(json["bozo"], false);
  EXPECT_EQ(json["version"], "rss20");
  EXPECT_EQ(json["feed"]["title"], "The Daily Meridian - World");
  ASSERT_EQ(json["entries"].size(), 1U);
  EXPECT_EQ(json["entries"][0]["id"], "meridian-2025-0210-ecuador");
  EXPECT_EQ(json["entries"][0]["published"], "2025-02-10T14:30:00Z");
}

// The headers the daemon would have seen, given to parse: the same base and language.
TEST(Cli, ParseTakesTheResponseHeadersTheDaemonSaw) {
  const test::TempDir dir;
  test::write_file(dir.path() / "feed.xml", R"(<rss version="2.0"><channel><title>T</title>
    <item><title>One</title><link>posts/1</link></item></channel></rss>)");
  const auto result = test::run_command({SLUICE_BINARY, "parse", "--url", "https://cdn.example.net/feed.xml", "--header",
                                         "Content-Location: https://news.example.org/world/", "--header",
                                         "content-language: de_DE", (dir.path() / "feed.xml").string()});
  ASSERT_EQ(result.status, 0) << result.err;
  const auto json = nlohmann::json::parse(result.out);
  EXPECT_EQ(json["feed"]["language"], "de-DE") << result.out;
  EXPECT_EQ(json["entries"][0]["link"], "https://news.example.org/world/posts/1") << result.out;
  const auto unknown = test::run_command({SLUICE_BINARY, "parse", "--header", "X-Powered-By: php", (dir.path() / "feed.xml").string()});
  EXPECT_EQ(unknown.status, 2);
  EXPECT_NE(unknown.err.find("give 'Content-Type: ...', 'Content-Location: ...' or 'Content-Language: ...'"),
            std::string::npos)
      << unknown.err;
}

TEST(Cli, ParseSaysWhyADocumentIsNotAFeed) {
  const test::TempDir dir;
  const auto file = (dir.path() / "page.html").string();
  test::write_file(file, "<html><body>hello</body></html>");
  const auto result = test::run_command({SLUICE_BINARY, "parse", file});
  EXPECT_EQ(result.status, 1);
  EXPECT_EQ(result.err, "sluice parse: not a feed: the root element is <html>, a web page (to read its articles: "
                        "type: html with a links selector, or sluice extract for one page)\n");
  EXPECT_EQ(nlohmann::json::parse(result.out)["bozo"], true) << "stdout still carries one JSON object";
  const auto missing = test::run_command({SLUICE_BINARY, "parse", (dir.path() / "none.xml").string()});
  EXPECT_EQ(missing.status, 1);
  EXPECT_EQ(missing.err, "sluice parse: " + (dir.path() / "none.xml").string() + ": cannot open: No such file or directory\n");
  EXPECT_EQ(test::run_command({SLUICE_BINARY, "parse"}).status, 2) << "no FILE, URL or --batch is a usage error";
}

TEST(Cli, ExtractPrintsTheCleanedArticle) {
  const auto result = test::run_command({SLUICE_BINARY, "extract", SLUICE_FIXTURES_DIR "/seed/page.html"});
  EXPECT_EQ(result.status, 0) << result.err;
  const auto json = nlohmann::json::parse(result.out);
  const auto violations = test::schema_violations(test::article_schema(), json);
  EXPECT_TRUE(violations.empty()) << testing::PrintToString(violations);
  const auto expected = nlohmann::json::parse(test::read_file(SLUICE_FIXTURES_DIR "/seed/expected.json"));
  EXPECT_EQ(json["title"], expected["title"]);
  EXPECT_EQ(json["url"], expected["url"]);
  EXPECT_EQ(json["published"], expected["published"]);
  EXPECT_EQ(json["summary"], expected["dek"]);
  EXPECT_EQ(json["source"], "page");
  std::string text;
  for (const auto& paragraph : expected["paragraphs"]) text += (text.empty() ? "" : "\n\n") + paragraph.get<std::string>();
  EXPECT_EQ(json["text"], text);
}

TEST(Cli, ExtractReadsPlainTextFromStdin) {
  const auto result = test::run_command(
      {"/bin/sh", "-c", std::string(SLUICE_BINARY) + " extract --text - < " SLUICE_FIXTURES_DIR "/seed/scraped.txt"});
  EXPECT_EQ(result.status, 0) << result.err;
  const auto json = nlohmann::json::parse(result.out);
  const auto expected = nlohmann::json::parse(test::read_file(SLUICE_FIXTURES_DIR "/seed/expected.json"));
  EXPECT_EQ(json["title"], expected["title"]);
  for (const auto& paragraph : expected["paragraphs"]) {
    const std::string text = json["text"];
    const std::string one = paragraph.get<std::string>();
    EXPECT_NE(text.find(one), std::string::npos);
    EXPECT_EQ(text.find(one), text.rfind(one)) << "once: " << one.substr(0, 50);
  }
}

// A request names a file, or carries the page ("html") or the plain text ("text") itself.
TEST(Cli, ExtractBatchAnswersEveryLine) {
  const test::TempDir dir;
  const auto requests = (dir.path() / "requests").string();
  const nlohmann::json scraped{{"text", test::read_file(SLUICE_FIXTURES_DIR "/seed/scraped.txt")}};
  const nlohmann::json page{{"html", test::read_file(SLUICE_FIXTURES_DIR "/seed/page.html")},
                            {"url", "https://news.example.org/story"}};
  test::write_file(requests, std::string("{\"file\": \"") + SLUICE_FIXTURES_DIR "/seed/page.html\"}\n"
                             "{\"file\": \"" + (dir.path() / "none.html").string() + "\"}\n"
                             "not json\n" + scraped.dump() + "\n" + page.dump() + "\n" +
                             "{\"text\": 5}\n{\"url\": \"https://example.org/\"}\n");
  const auto result = test::run_command({"/bin/sh", "-c", std::string(SLUICE_BINARY) + " extract --batch < " + requests});
  EXPECT_EQ(result.status, 0) << result.err;
  std::vector<nlohmann::json> lines;
  for (std::size_t at = 0, end; (end = result.out.find('\n', at)) != std::string::npos; at = end + 1)
    lines.push_back(nlohmann::json::parse(result.out.substr(at, end - at)));
  ASSERT_EQ(lines.size(), 7U) << result.out;
  EXPECT_EQ(lines[0]["source"], "page");
  EXPECT_NE(lines[1]["error"].get<std::string>().find("cannot open"), std::string::npos);
  EXPECT_NE(lines[2]["error"].get<std::string>().find("bad request line"), std::string::npos);
  const auto expected = nlohmann::json::parse(test::read_file(SLUICE_FIXTURES_DIR "/seed/expected.json"));
  EXPECT_EQ(lines[3]["title"], expected["title"]) << lines[3];
  EXPECT_EQ(lines[4]["title"], expected["title"]) << lines[4];
  EXPECT_EQ(lines[4]["feed"]["url"], "https://news.example.org/story") << lines[4];
  EXPECT_NE(lines[5]["error"].get<std::string>().find("\"text\" is the plain text itself"), std::string::npos);
  EXPECT_NE(lines[6]["error"].get<std::string>().find("give one of \"file\", \"html\" or \"text\""), std::string::npos);
}

TEST(Cli, ExtractNamesAMissingFile) {
  const auto result = test::run_command({SLUICE_BINARY, "extract", "/nonexistent/page.html"});
  EXPECT_EQ(result.status, 1);
  EXPECT_EQ(result.err, "sluice extract: /nonexistent/page.html: cannot open: No such file or directory\n");
  EXPECT_EQ(test::run_command({SLUICE_BINARY, "extract"}).status, 2);
}

// tail -c with a configuration that publishes with CURVE: the client's own --key is asked for by
// name, and the server's public certificate beside the secret one is what tail reads (a
// subscriber has that one, never the secret).
TEST(Cli, TailWithTheServicesCurveConfigurationAsksForItsOwnKeyAndReadsThePublicCertificate) {
  const test::TempDir dir;
  for (const char* name : {"server", "reader"})
    ASSERT_EQ(test::run_command({SLUICE_BINARY, "keygen", name, "-d", dir.path().string()}).status, 0);
  std::filesystem::create_directories(dir.path() / "clients");
  // The subscriber's machine: the server's public certificate only.
  std::filesystem::rename(dir.path() / "server.key_secret", dir.path() / "elsewhere.key_secret");
  const auto file = (dir.path() / "sluice.yaml").string();
  test::write_file(file, "publish:\n  endpoint: tcp://127.0.0.1:1\n  replay_endpoint: tcp://127.0.0.1:2\n  curve:\n"
                         "    secret_key_file: " + (dir.path() / "server.key_secret").string() +
                         "\n    clients_dir: " + (dir.path() / "clients").string() +
                         "\nfeeds:\n  - name: a\n    url: https://a.example/feed\n");
  const auto without_key = test::run_command({SLUICE_BINARY, "tail", "-c", file});
  EXPECT_EQ(without_key.status, 2);
  EXPECT_NE(without_key.err.find(file + " publishes with CURVE: give --key with this client's secret certificate"),
            std::string::npos)
      << without_key.err;
  const auto with_key = test::run_command(
      {SLUICE_BINARY, "tail", "-c", file, "--key", (dir.path() / "reader.key_secret").string()}, std::chrono::seconds(2));
  EXPECT_EQ(with_key.status, -1) << "waiting for a daemon, the keys read: " << with_key.err;
  EXPECT_EQ(with_key.err.find("cannot read"), std::string::npos) << with_key.err;
}

// scripts/demo with one of its ports taken says which, and stops before starting anything, where
// it used to say "sluice is running" with the daemon already gone.
TEST(Cli, AThousandFeedOpmlListBecomesAValidConfigurationAndGoesBackOut) {
  const test::TempDir dir;
  std::string opml = "<?xml version=\"1.0\"?>\n<opml version=\"2.0\"><head><title>big</title></head><body>\n";
  for (int folder = 0; folder < 10; ++folder) {
    opml += "<outline text=\"Folder " + std::to_string(folder) + "\">\n";
    for (int n = 0; n < 100; ++n)
      opml += "  <outline type=\"rss\" text=\"News &amp; Views\" xmlUrl=\"https://site" + std::to_string(folder * 100 + n) +
              ".example.org/feed.xml\"/>\n";
    opml += "</outline>\n";
  }
  opml += "</body></opml>\n";
  const auto list = (dir.path() / "big.opml").string();
  test::write_file(list, opml);
  const auto config = (dir.path() / "sluice.yaml").string();
  test::write_file(config, "state_dir: " + (dir.path() / "state").string() + "\nfeeds: []\n");
  const auto imported = test::run_command({SLUICE_BINARY, "opml", "import", list, "--into", config});
  ASSERT_EQ(imported.status, 0) << imported.err;
  EXPECT_NE(imported.err.find(config + ": 1000 feeds added from " + list), std::string::npos) << imported.err;
  const auto checked = test::run_command({SLUICE_BINARY, "check-config", config});
  EXPECT_EQ(checked.status, 0) << checked.err;
  EXPECT_EQ(checked.out, config + ": valid, 1000 feeds\n");
  EXPECT_NE(test::read_file(config).find("  - name: news-views-1000  # News & Views\n"), std::string::npos);
  // Once more: every feed is configured already, and the file stays as it was.
  const std::string before = test::read_file(config);
  const auto again = test::run_command({SLUICE_BINARY, "opml", "import", list, "--into", config});
  EXPECT_EQ(again.status, 0) << again.err;
  EXPECT_NE(again.err.find("is configured already as 'news-views'"), std::string::npos);
  EXPECT_EQ(test::read_file(config), before);
  const auto exported = test::run_command({SLUICE_BINARY, "opml", "export", "-c", config});
  ASSERT_EQ(exported.status, 0) << exported.err;
  EXPECT_NE(exported.out.find("<outline text=\"folder-9\" title=\"folder-9\">"), std::string::npos);
  EXPECT_NE(exported.out.find("xmlUrl=\"https://site999.example.org/feed.xml\" category=\"/folder-9\""),
            std::string::npos);
  // Not OPML: the file and the place are named, and nothing is written.
  const auto broken = (dir.path() / "broken.opml").string();
  test::write_file(broken, "<opml>\n<body>\n<outline\n");
  const auto refused = test::run_command({SLUICE_BINARY, "opml", "import", broken, "--into", config});
  EXPECT_EQ(refused.status, 2);
  EXPECT_TRUE(refused.err.starts_with(broken + ":3:")) << refused.err;
  // Into a file that does not exist yet: a configuration of those feeds alone.
  const auto fresh = (dir.path() / "feeds.yaml").string();
  const auto created = test::run_command({SLUICE_BINARY, "opml", "import", (test::kOpml / "newsboat.opml").string(), "--into", fresh});
  EXPECT_EQ(created.status, 0) << created.err;
  EXPECT_NE(created.err.find("line 9: 'exec:~/bin/intranet-feed.sh' is not an http or https URL"), std::string::npos);
  EXPECT_EQ(config::load_config(fresh).feeds.size(), 3U);
  EXPECT_NE(refused.err.find("not well-formed XML"), std::string::npos) << refused.err;
  EXPECT_EQ(test::read_file(config), before);
}

TEST(Cli, OpmlImportIntoAnIncludedFileTakesTheWholeConfigurationsNamesAndUrls) {
  const test::TempDir dir;
  std::filesystem::create_directories(dir.path() / "feeds.d");
  const auto main = (dir.path() / "sluice.yaml").string();
  test::write_file(main, "state_dir: " + (dir.path() / "state").string() +
                             "\ninclude: [feeds.d/*.yaml]\nfeeds:\n  - name: calculated-risk\n"
                             "    url: https://example.org/other.xml\n  - name: hn\n    url: https://news.ycombinator.com/rss\n");
  const auto into = (dir.path() / "feeds.d" / "imported.yaml").string();
  const auto imported =
      test::run_command({SLUICE_BINARY, "opml", "import", (test::kOpml / "feedly.opml").string(), "--into", into, "-c", main});
  ASSERT_EQ(imported.status, 0) << imported.err;
  EXPECT_NE(imported.err.find("https://news.ycombinator.com/rss is configured already as 'hn': not added"), std::string::npos)
      << imported.err;
  EXPECT_NE(imported.err.find("'calculated-risk' is taken"), std::string::npos) << imported.err;
  const config::Config whole = config::load_config(main);
  ASSERT_EQ(whole.feeds.size(), 4U);
  EXPECT_EQ(whole.feeds[2].name, "the-verge-all-posts");
  EXPECT_EQ(whole.feeds[3].name, "calculated-risk-2");
}

TEST(Cli, DiscoverPrintsTheFeedsBehindAPageBestFirst) {
  test::HttpServer server;
  test::HttpServer other;  // a second site, without /index.xml at its root
  const auto page = [](const std::string& head) {
    return [head](const test::HttpRequest&) {
      return test::HttpReply{200, "<!DOCTYPE html><html><head>" + head + "</head><body><p>Hi</p></body></html>",
                             {{"Content-Type", "text/html"}}};
    };
  };
  const auto feed = [](const std::string& title) {
    return [title](const test::HttpRequest&) {
      return test::HttpReply{200, "<rss version=\"2.0\"><channel><title>" + title +
                                      "</title><item><guid>a</guid><title>A</title></item></channel></rss>",
                             {{"Content-Type", "application/rss+xml"}}};
    };
  };
  server.route("/", page("<link rel=\"alternate\" type=\"application/rss+xml\" title=\"Comments\" href=\"/comments/feed\">"
                         "<link rel=\"alternate\" type=\"application/rss+xml\" href=\"/posts.rss\">"
                         "<link rel=\"alternate\" type=\"application/rss+xml\" href=\"/broken.rss\">"));
  server.route("/posts.rss", feed("Posts"));
  server.route("/comments/feed", feed("Comments\tand replies"));
  server.route("/index.xml", feed("Everything"));
  other.route("/plain/", page(""));
  other.route("/plain/feed", feed("Plain"));
  other.route("/nothing/", page(""));

  const auto found = test::run_command({SLUICE_BINARY, "discover", server.url("/")});
  ASSERT_EQ(found.status, 0) << found.err;
  EXPECT_EQ(found.out, server.url("/posts.rss") + "\trss20\t1\tPosts\tadvertised\n" + server.url("/comments/feed") +
                           "\trss20\t1\tComments and replies\tadvertised\n" + server.url("/index.xml") +
                           "\trss20\t1\tEverything\twell-known path\n");
  EXPECT_EQ(found.err, "sluice discover: advertised but not read: " + server.url("/broken.rss") + ": HTTP 404\n");

  const auto path = test::run_command({SLUICE_BINARY, "discover", other.url("/plain/")});
  ASSERT_EQ(path.status, 0) << path.err;
  EXPECT_EQ(path.out, other.url("/plain/feed") + "\trss20\t1\tPlain\twell-known path\n");

  const auto itself = test::run_command({SLUICE_BINARY, "discover", server.url("/posts.rss")});
  ASSERT_EQ(itself.status, 0) << itself.err;
  EXPECT_EQ(itself.out, server.url("/posts.rss") + "\trss20\t1\tPosts\tthe URL itself\n");

  const auto none = test::run_command({SLUICE_BINARY, "discover", other.url("/nothing/")});
  EXPECT_EQ(none.status, 1);
  EXPECT_TRUE(none.out.empty());
  EXPECT_TRUE(none.err.starts_with("sluice discover: " + other.url("/nothing/") +
                                   ": no feed found: the page advertises no feed (no <link rel=\"alternate\"> with a "
                                   "feed type), and none of " + other.url("/nothing/feed") + ", "))
      << none.err;

  const auto not_http = test::run_command({SLUICE_BINARY, "discover", "/etc/passwd"});
  EXPECT_EQ(not_http.status, 2);
  EXPECT_EQ(not_http.err, "sluice discover: /etc/passwd: not an http(s) URL\n");
}

}  // namespace
}  // namespace sluice::daemon
