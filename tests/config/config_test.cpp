#include "config/config.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "tests/config/config_error_of.h"
#include "tests/support/temp_dir.h"

namespace sluice::config {
namespace {

using namespace std::chrono_literals;

Config parse(const std::string& yaml) { return parse_config(yaml, "sluice.yaml"); }

TEST(Config, MinimalFileGetsDefaults) {
  const Config config = parse("feeds:\n  - name: world\n    url: https://example.org/rss.xml\n");
  EXPECT_EQ(config.source, "sluice.yaml");
  EXPECT_EQ(config.state_dir, "/var/lib/sluice");
  EXPECT_EQ(config.publish.endpoint, "tcp://127.0.0.1:5556");
  EXPECT_EQ(config.user_agent, "sluice/" SLUICE_VERSION);
  EXPECT_EQ(config.workers, 0U);
  EXPECT_EQ(config.hosts.per_host, 2U);
  ASSERT_EQ(config.feeds.size(), 1U);
  const FeedConfig& feed = config.feeds[0];
  EXPECT_EQ(feed.name, "world");
  EXPECT_EQ(feed.url, "https://example.org/rss.xml");
  EXPECT_EQ(feed.poll.interval, 30min);
  EXPECT_EQ(feed.poll.min_interval, 5min);
  EXPECT_EQ(feed.poll.max_interval, 24h);
  EXPECT_EQ(feed.poll.timeout, 20s);
  EXPECT_EQ(feed.poll.max_body, 15ULL << 20);
  EXPECT_EQ(feed.position.line, 2);
  EXPECT_EQ(feed.position.column, 5);
}

TEST(Config, FeedsInheritDefaultsAndOverrideThem) {
  const Config config = parse(R"yaml(state_dir: /srv/sluice
user_agent: "probe/2 (+https://example.org/bot)"
log_level: debug
workers: 3
publish:
  endpoint: "tcp://0.0.0.0:7000"
  replay_endpoint: "ipc:///run/sluice/replay"
  curve: { secret_key_file: /etc/sluice/server.key_secret, clients_dir: /etc/sluice/clients.d }
metrics: { listen: "127.0.0.1:9464" }
defaults:
  interval: 10m
  min_interval: 1m
  timeout: 5s
  max_body: 512KiB
  per_host: 4
feeds:
  - name: world
    url: https://example.org/world.xml
    tags: [world, news, world]
    headers: { Cookie: "consent=yes", X-Token: abc }
    cookies: { consent: "yes", session: "a1b2" }
  - name: tech-2
    url: http://example.org/tech.atom
    interval: 1h30m
    max_body: 2MB
)yaml");
  EXPECT_EQ(config.state_dir, "/srv/sluice");
  EXPECT_EQ(config.user_agent, "probe/2 (+https://example.org/bot)");
  EXPECT_EQ(config.log_level, "debug");
  EXPECT_EQ(config.workers, 3U);
  EXPECT_EQ(config.publish.endpoint, "tcp://0.0.0.0:7000");
  EXPECT_EQ(config.publish.replay_endpoint, "ipc:///run/sluice/replay");
  ASSERT_TRUE(config.publish.curve);
  EXPECT_EQ(config.publish.curve->secret_key_file, "/etc/sluice/server.key_secret");
  EXPECT_EQ(config.publish.curve->clients_dir, "/etc/sluice/clients.d");
  ASSERT_TRUE(config.metrics);
  EXPECT_EQ(config.metrics->listen, "127.0.0.1:9464");
  EXPECT_EQ(config.hosts.per_host, 4U);
  ASSERT_EQ(config.feeds.size(), 2U);
  EXPECT_EQ(config.feeds[0].poll.interval, 10min);
  EXPECT_EQ(config.feeds[0].poll.timeout, 5s);
  EXPECT_EQ(config.feeds[0].poll.max_body, 512U * 1024U);
  EXPECT_EQ(config.feeds[0].tags, (std::vector<std::string>{"world", "news"}));
  ASSERT_EQ(config.feeds[0].headers.size(), 2U);
  EXPECT_EQ(config.feeds[0].headers[0], (std::pair<std::string, std::string>{"Cookie", "consent=yes"}));
  EXPECT_EQ(config.feeds[0].cookies, (std::vector<std::pair<std::string, std::string>>{{"consent", "yes"}, {"session", "a1b2"}}));
  EXPECT_TRUE(config.feeds[1].cookies.empty());
  EXPECT_EQ(config.feeds[1].poll.interval, 90min);
  EXPECT_EQ(config.feeds[1].poll.min_interval, 1min);
  EXPECT_EQ(config.feeds[1].poll.max_body, 2'000'000U);
  EXPECT_EQ(config.feeds[1].poll.timeout, 5s);
}

TEST(Config, KeyPathsTakeEnvironmentVariables) {
  ::setenv("SLUICE_TEST_CREDENTIALS", "/run/credentials/sluice.service", 1);
  ::setenv("SLUICE_TEST_STATE", "/var/lib/sluice", 1);
  const Config config = parse(R"(state_dir: ${SLUICE_TEST_STATE}/main
publish:
  curve: { secret_key_file: "${SLUICE_TEST_CREDENTIALS}/server.key_secret", clients_dir: /etc/sluice/clients.d }
feeds: []
)");
  ::unsetenv("SLUICE_TEST_CREDENTIALS");
  ::unsetenv("SLUICE_TEST_STATE");
  ASSERT_TRUE(config.publish.curve);
  EXPECT_EQ(config.publish.curve->secret_key_file, "/run/credentials/sluice.service/server.key_secret");
  EXPECT_EQ(config.state_dir, "/var/lib/sluice/main");
  // Unset, as for `sluice check-config` outside the service: the file loads, the path stays as written.
  const Config outside = parse(R"(publish:
  curve: { secret_key_file: "${SLUICE_TEST_CREDENTIALS}/server.key_secret", clients_dir: /c }
feeds: []
)");
  EXPECT_EQ(outside.publish.curve->secret_key_file, "${SLUICE_TEST_CREDENTIALS}/server.key_secret");
}

TEST(Config, WorkersAcceptsAuto) {
  EXPECT_EQ(parse("workers: auto\nfeeds: []\n").workers, 0U);
}

struct BadConfig {
  const char* name;
  const char* yaml;
  const char* message;  // the whole what(): file:line:column: key: reason
};

void PrintTo(const BadConfig& bad, std::ostream* out) { *out << bad.name; }

class ConfigErrors : public testing::TestWithParam<BadConfig> {};

TEST_P(ConfigErrors, NameFileLineColumnAndKey) {
  const BadConfig& bad = GetParam();
  EXPECT_EQ(std::string(config_error_of([&] { parse(bad.yaml); }).what()), bad.message) << bad.yaml;
}

constexpr const char* kFeed = "feeds:\n  - name: world\n    url: https://example.org/rss.xml\n";

INSTANTIATE_TEST_SUITE_P(
    Table, ConfigErrors,
    testing::Values(
        BadConfig{"UnknownTopKey", "feed:\n  - name: a\n", "sluice.yaml:1:1: feed: unknown key (did you mean 'feeds'?)"},
        BadConfig{"UnknownFeedKey",
                  "feeds:\n  - name: world\n    url: https://example.org/\n    intervall: 5m\n",
                  "sluice.yaml:4:5: feeds[0].intervall: unknown key (did you mean 'interval'?)"},
        BadConfig{"UnknownKeyWithoutHint", "feeds: []\nzzzzzz: 1\n", "sluice.yaml:2:1: zzzzzz: unknown key"},
        BadConfig{"UnknownDefaultsKey", "defaults:\n  timout: 5s\nfeeds: []\n",
                  "sluice.yaml:2:3: defaults.timout: unknown key (did you mean 'timeout'?)"},
        BadConfig{"KeyGivenTwice", "log_level: info\nlog_level: debug\nfeeds: []\n",
                  "sluice.yaml:2:1: log_level: key given twice"},
        BadConfig{"DuplicateFeedName",
                  "feeds:\n  - name: world\n    url: https://a.example/\n  - name: world\n    url: https://b.example/\n",
                  "sluice.yaml:4:11: feeds[1].name: duplicate feed name 'world' (first defined at sluice.yaml:2:5)"},
        BadConfig{"BadUrl", "feeds:\n  - name: world\n    url: \"not a url\"\n",
                  "sluice.yaml:3:10: feeds[0].url: 'not a url' is not a valid absolute URL"},
        BadConfig{"UnsupportedScheme", "feeds:\n  - name: world\n    url: ftp://example.org/rss\n",
                  "sluice.yaml:3:10: feeds[0].url: 'ftp://example.org/rss': scheme must be http, https or file"},
        BadConfig{"BadDuration", "defaults:\n  interval: 5 minutes\nfeeds: []\n",
                  "sluice.yaml:2:13: defaults.interval: '5 minutes' is not a positive duration (examples: 90s, 5m, 2h, 7d)"},
        BadConfig{"ZeroDuration", "defaults:\n  timeout: 0s\nfeeds: []\n",
                  "sluice.yaml:2:12: defaults.timeout: '0s' is not a positive duration (examples: 90s, 5m, 2h, 7d)"},
        BadConfig{"ZeroMaxItems", "defaults:\n  max_items: 0\nfeeds: []\n",
                  "sluice.yaml:2:14: defaults.max_items: '0' must be a number of items from 1 to 10000000"},
        BadConfig{"BadMaxNewPerPoll", "feeds:\n  - name: world\n    url: https://a.example/\n    max_new_per_poll: lots\n",
                  "sluice.yaml:4:23: feeds[0].max_new_per_poll: 'lots' must be a number of items from 1 to 10000000"},
        BadConfig{"BadSize", "defaults:\n  max_body: 15 megs\nfeeds: []\n",
                  "sluice.yaml:2:13: defaults.max_body: '15 megs' is not a positive size (examples: 512KiB, 15MiB, 1GB)"},
        BadConfig{"IntervalBelowMinimum", "feeds:\n  - name: world\n    url: https://a.example/\n    interval: 1m\n",
                  "sluice.yaml:4:15: feeds[0].interval: 1m is outside min_interval..max_interval (5m..1d)"},
        BadConfig{"MinimumAboveMaximum", "defaults:\n  min_interval: 2d\nfeeds: []\n",
                  "sluice.yaml:2:17: defaults.min_interval: 2d is above max_interval 1d"},
        BadConfig{"MissingUrl", "feeds:\n  - name: world\n", "sluice.yaml:2:5: feeds[0]: missing required key 'url'"},
        BadConfig{"MissingFeeds", "log_level: info\n", "sluice.yaml:1:1: feeds: missing: list the feeds to poll"},
        BadConfig{"FeedsNotAList", "feeds: world\n",
                  "sluice.yaml:1:8: feeds: expected a list of feeds (- name: ..., url: ...)"},
        BadConfig{"BadFeedName", "feeds:\n  - name: World News\n    url: https://a.example/\n",
                  "sluice.yaml:2:11: feeds[0].name: 'World News' must be lower-case letters, digits and '-', "
                  "starting with a letter or digit"},
        BadConfig{"BadLogLevel", "log_level: loud\nfeeds: []\n",
                  "sluice.yaml:1:12: log_level: 'loud' is not one of trace, debug, info, warn, error, critical, off"},
        BadConfig{"BadWorkers", "workers: many\nfeeds: []\n",
                  "sluice.yaml:1:10: workers: 'many' must be 'auto' or a number of threads from 1 to 256"},
        BadConfig{"BadEndpoint", "publish:\n  endpoint: localhost:5556\nfeeds: []\n",
                  "sluice.yaml:2:13: publish.endpoint: 'localhost:5556' is not a ZeroMQ endpoint (tcp://HOST:PORT or "
                  "ipc://PATH)"},
        BadConfig{"ReplayOnTheLiveEndpoint",
                  "publish:\n  endpoint: tcp://127.0.0.1:6000\n  replay_endpoint: tcp://127.0.0.1:6000\nfeeds: []\n",
                  "sluice.yaml:3:20: publish.replay_endpoint: 'tcp://127.0.0.1:6000' is the live endpoint too; replay "
                  "needs an endpoint of its own"},
        BadConfig{"CurveWithoutClients", "publish:\n  curve: { secret_key_file: /k }\nfeeds: []\n",
                  "sluice.yaml:2:10: publish.curve.clients_dir: missing: CURVE needs secret_key_file and clients_dir"},
        BadConfig{"MetricsWithoutPort", "metrics: { listen: localhost }\nfeeds: []\n",
                  "sluice.yaml:1:20: metrics.listen: 'localhost' is not HOST:PORT (e.g. 127.0.0.1:9464; port 0 picks a "
                  "free one)"},
        BadConfig{"BadPerHost", "defaults:\n  per_host: 0\nfeeds: []\n",
                  "sluice.yaml:2:13: defaults.per_host: '0' must be a number of requests from 1 to 64"},
        BadConfig{"PerHostIsNotPerFeed", "feeds:\n  - name: a\n    url: https://a.example/\n    per_host: 3\n",
                  "sluice.yaml:4:15: feeds[0].per_host: per_host limits a whole server, not one feed: set it under defaults"},
        BadConfig{"PasswordWithoutUser", "feeds:\n  - name: a\n    url: https://a.example/\n    password: x\n",
                  "sluice.yaml:4:15: feeds[0].password: a password needs a username"},
        BadConfig{"BadProxy", "feeds:\n  - name: a\n    url: https://a.example/\n    proxy: proxy.local:3128\n",
                  "sluice.yaml:4:12: feeds[0].proxy: 'proxy.local:3128' is not a proxy URL (http://, https://, socks5h://...)"},
        BadConfig{"BadHeaderName", "feeds:\n  - name: world\n    url: https://a.example/\n    headers: { \"Bad Name\": x }\n",
                  "sluice.yaml:4:16: feeds[0].headers.Bad Name: not a valid HTTP header name"},
        BadConfig{"BadCookieName", "feeds:\n  - name: world\n    url: https://a.example/\n    cookies: { \"a;b\": x }\n",
                  "sluice.yaml:4:16: feeds[0].cookies.a;b: not a valid cookie name"},
        BadConfig{"BadCookieValue", "feeds:\n  - name: world\n    url: https://a.example/\n    cookies: { a: \"x; y=1\" }\n",
                  "sluice.yaml:4:19: feeds[0].cookies.a: cookie values cannot contain spaces, quotes, commas, semicolons "
                  "or backslashes"},
        BadConfig{"TagsNotAList", "feeds:\n  - name: world\n    url: https://a.example/\n    tags: world\n",
                  "sluice.yaml:4:11: feeds[0].tags: expected a list such as [world, news]"},
        BadConfig{"UnknownFeedType", "feeds:\n  - name: a\n    url: https://a.example/\n    type: atom\n",
                  "sluice.yaml:4:11: feeds[0].type: 'atom' must be feed or html"},
        BadConfig{"HtmlFeedWithoutLinks", "feeds:\n  - name: a\n    url: https://a.example/\n    type: html\n",
                  "sluice.yaml:2:5: feeds[0]: a type: html feed needs links, the CSS selector of its article links "
                  "(e.g. \"article h2 a\")"},
        BadConfig{"LinksOnAFeed", "feeds:\n  - name: a\n    url: https://a.example/\n    links: a\n",
                  "sluice.yaml:4:12: feeds[0].links: links applies to type: html feeds only"},
        BadConfig{"UnsupportedSelector",
                  "feeds:\n  - name: a\n    url: https://a.example/\n    type: html\n    links: \"main + a\"\n",
                  "sluice.yaml:5:12: feeds[0].links: 'main + a': unexpected '+' at 6 (supported: tag, .class, #id, "
                  "[attr], [attr=v], [attr*=v], [attr^=v], [attr$=v], :not(...), descendants, '>', commas)"},
        BadConfig{"BadFullText", "feeds:\n  - name: a\n    url: https://a.example/\n    full_text: always\n",
                  "sluice.yaml:4:16: feeds[0].full_text: 'always' must be true or false"},
        BadConfig{"ClusterWithoutNats", "cluster: { instance: a }\nfeeds: []\n",
                  "sluice.yaml:1:10: cluster.nats: missing: the NATS server URL(s), e.g. nats://127.0.0.1:4222"},
        BadConfig{"ClusterBadNatsUrl", "cluster:\n  nats: http://127.0.0.1:4222\nfeeds: []\n",
                  "sluice.yaml:2:9: cluster.nats: 'http://127.0.0.1:4222' is not a NATS URL (nats://HOST:PORT, "
                  "tls://HOST:PORT)"},
        BadConfig{"ClusterBadInstance", "cluster:\n  nats: nats://n:4222\n  instance: \"a b\"\nfeeds: []\n",
                  "sluice.yaml:3:13: cluster.instance: 'a b' must be 1 to 64 letters, digits, '-' or '_'"},
        BadConfig{"ClusterTooManyShards", "cluster:\n  nats: nats://n:4222\n  shards: 10000\nfeeds: []\n",
                  "sluice.yaml:3:11: cluster.shards: '10000' must be a number of shards from 1 to 4096"},
        BadConfig{"ClusterShortLease", "cluster:\n  nats: nats://n:4222\n  lease_ttl: 500ms\nfeeds: []\n",
                  "sluice.yaml:3:14: cluster.lease_ttl: 500ms is outside 1s..10m"},
        BadConfig{"ClusterStreamKey", "cluster:\n  nats: nats://n:4222\n  stream: { replica: 3 }\nfeeds: []\n",
                  "sluice.yaml:3:13: cluster.stream.replica: unknown key (did you mean 'replicas'?)"},
        BadConfig{"ClusterWindowPastAge",
                  "cluster:\n  nats: nats://n:4222\n  stream: { max_age: 1m, duplicate_window: 2m }\nfeeds: []\n",
                  "sluice.yaml:3:11: cluster.stream.duplicate_window: is longer than max_age"},
        // YAML syntax errors name the key the line belongs to and say what is wrong in its terms;
        // a bracket never closed is shown where it opened.
        BadConfig{"InvalidYaml", "feeds: [\n  - name: a\n",
                  "sluice.yaml:1:8: feeds: invalid YAML: the [ opened here is not closed with ]"},
        BadConfig{"YamlUnclosedFlowMap", "publish: { endpoint: tcp://127.0.0.1:1\nfeeds: []\n",
                  "sluice.yaml:1:10: publish: invalid YAML: the { opened here is not closed with }"},
        BadConfig{"YamlKeyIndentedLess", "feeds:\n  - name: a\n    url: http://x\n   interval: 5m\n",
                  "sluice.yaml:4:4: feeds[0].interval: invalid YAML: indented 3 spaces, where the keys before it are "
                  "indented 4"},
        BadConfig{"YamlKeyIndentedAsTheItem", "feeds:\n  - name: a\n  url: http://x\n",
                  "sluice.yaml:3:3: feeds[0].url: invalid YAML: indented 2 spaces, where the keys before it are "
                  "indented 4"},
        BadConfig{"YamlListItemAmongKeys", "feeds:\n  - name: a\n    url: http://x\n    - tags: a\n",
                  "sluice.yaml:4:5: feeds[0]: invalid YAML: a list item ('- ') where a key belongs; a list goes under "
                  "its key, indented further"},
        BadConfig{"YamlTabIndent", "feeds:\n  - name: a\n\turl: http://x\n",
                  "sluice.yaml:3:1: feeds[0].url: invalid YAML: a tab indents this line; indent with spaces"},
        BadConfig{"YamlColonInValue", "defaults:\n  interval: 5m\n  timeout: 3s: 4\nfeeds: []\n",
                  "sluice.yaml:3:14: defaults.timeout: invalid YAML: ': ' inside a value; put the value in quotes "
                  "(\"...\")"},
        BadConfig{"YamlStrayBracket", "feeds:\n  - name: a\n    url: http://x\n    tags: [a, b]]\n",
                  "sluice.yaml:4:17: feeds[0].tags: invalid YAML: a ] or } that closes nothing"},
        BadConfig{"EmptyFile", "", "sluice.yaml: the file is empty; it needs at least a 'feeds' list"},
        BadConfig{"NotAMapping", "- a\n- b\n", "sluice.yaml:1:1: expected a mapping of key: value"}),
    [](const testing::TestParamInfo<BadConfig>& param) { return std::string(param.param.name); });

TEST(Config, ClusterSectionWithDefaults) {
  const Config config = parse("cluster:\n  nats: nats://10.0.0.5:4222,nats://10.0.0.6:4222\n  instance: feeds-1\n"
                              "  stream: { replicas: 3, max_bytes: 10GiB }\nfeeds: []\n");
  ASSERT_TRUE(config.cluster);
  EXPECT_EQ(config.cluster->nats, "nats://10.0.0.5:4222,nats://10.0.0.6:4222");
  EXPECT_EQ(config.cluster->instance, "feeds-1");
  EXPECT_EQ(config.cluster->name, "sluice");
  EXPECT_EQ(config.cluster->shards, 64U);
  EXPECT_EQ(config.cluster->lease_ttl, 6s);
  EXPECT_EQ(config.cluster->stream.replicas, 3);
  EXPECT_EQ(config.cluster->stream.max_bytes, 10ULL << 30);
  EXPECT_EQ(config.cluster->stream.max_age, std::chrono::hours(24 * 7));
  EXPECT_EQ(config.cluster->stream.duplicate_window, 2min);
  EXPECT_FALSE(parse("feeds: []\n").cluster);
  // Without an instance name, the host's (made a valid one).
  const Config unnamed = parse("cluster: { nats: \"nats://127.0.0.1:4222\" }\nfeeds: []\n");
  ASSERT_TRUE(unnamed.cluster);
  EXPECT_FALSE(unnamed.cluster->instance.empty());
  EXPECT_EQ(unnamed.cluster->instance.find_first_not_of(
                "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"),
            std::string::npos);
}

TEST(Config, PerFeedBrakesHaveDefaultsAndOverrides) {
  const Config config = parse(
      "defaults:\n  max_items: 500\n  min_revision_interval: 1h\nfeeds:\n  - name: a\n    url: https://a.example/\n"
      "  - name: b\n    url: https://b.example/\n    max_items: 20000\n    max_new_per_poll: 50\n"
      "    min_revision_interval: 30s\n");
  EXPECT_EQ(config.feeds[0].poll.max_items, 500U);
  EXPECT_EQ(config.feeds[0].poll.max_new_per_poll, 1000U);
  EXPECT_EQ(config.feeds[0].poll.min_revision_interval, std::chrono::hours(1));
  EXPECT_EQ(config.feeds[1].poll.max_items, 20000U);
  EXPECT_EQ(config.feeds[1].poll.max_new_per_poll, 50U);
  EXPECT_EQ(config.feeds[1].poll.min_revision_interval, std::chrono::seconds(30));
  const Config plain = parse(kFeed);
  EXPECT_EQ(plain.feeds[0].poll.max_items, 10000U);
  EXPECT_EQ(plain.feeds[0].poll.min_revision_interval, std::chrono::minutes(5));
}

TEST(Config, HtmlFeedWithSelectorAndFullText) {
  const Config config = parse(
      "feeds:\n  - name: front\n    url: https://a.example/\n    type: html\n    links: \"main h2 a, .teaser a[href*='/news/']\"\n"
      "  - name: world\n    url: https://b.example/rss\n    full_text: yes\n    allow_private: true\n");
  ASSERT_EQ(config.feeds.size(), 2U);
  EXPECT_EQ(config.feeds[0].type, FeedConfig::Type::html);
  ASSERT_EQ(config.feeds[0].links.alternatives.size(), 2U);
  EXPECT_EQ(config.feeds[0].links.alternatives[0].size(), 3U);
  const SimpleSelector& last = config.feeds[0].links.alternatives[1].back();
  EXPECT_EQ(last.tag, "a");
  ASSERT_EQ(last.attributes.size(), 1U);
  EXPECT_EQ(last.attributes[0].op, AttributeTest::Op::contains);
  EXPECT_EQ(last.attributes[0].value, "/news/");
  EXPECT_FALSE(config.feeds[0].full_text);
  EXPECT_EQ(config.feeds[1].type, FeedConfig::Type::feed);
  EXPECT_TRUE(config.feeds[1].full_text);
  EXPECT_TRUE(config.feeds[1].allow_private);
}

TEST(Selector, ParsesTheSupportedSubset) {
  const auto good = parse_selector("div#main.story.lead [data-id] a[rel=\"bookmark\"] , *[href^=https][href$='.html']");
  ASSERT_TRUE(good) << good.error();
  ASSERT_EQ(good->alternatives.size(), 2U);
  const auto& chain = good->alternatives[0];
  ASSERT_EQ(chain.size(), 3U);
  EXPECT_EQ(chain[0].tag, "div");
  EXPECT_EQ(chain[0].id, "main");
  EXPECT_EQ(chain[0].classes, (std::vector<std::string>{"story", "lead"}));
  EXPECT_EQ(chain[1].attributes[0].op, AttributeTest::Op::exists);
  EXPECT_EQ(chain[2].attributes[0].value, "bookmark");
  EXPECT_EQ(good->alternatives[1][0].attributes[1].op, AttributeTest::Op::suffix);
  for (const char* bad : {"", "a,", ".", "a[", "a[href~=x]", "a[href=\"x]", "a:hover", "> a", "a >", "a > > b", "a >, b",
                          "a + b", "a ~ b", "div:not(", "div:not()", "div:not(a b)", "div:not(a > b)", "div:not(:not(a))",
                          "div:not(.x"})
    EXPECT_FALSE(parse_selector(bad)) << bad;
}

TEST(Selector, ChildCombinatorsAndNegation) {
  const auto parsed = parse_selector("article>p, main > div:not(.ad, #promo) p:not([hidden]), :not(nav)");
  ASSERT_TRUE(parsed) << parsed.error();
  ASSERT_EQ(parsed->alternatives.size(), 3U);
  const auto& first = parsed->alternatives[0];
  ASSERT_EQ(first.size(), 2U);
  EXPECT_EQ(first[0].combinator, SimpleSelector::Combinator::descendant);
  EXPECT_EQ(first[1].combinator, SimpleSelector::Combinator::child);
  EXPECT_EQ(first[1].tag, "p");
  const auto& second = parsed->alternatives[1];
  ASSERT_EQ(second.size(), 3U);
  EXPECT_EQ(second[1].combinator, SimpleSelector::Combinator::child);
  ASSERT_EQ(second[1].exclusions.size(), 2U);
  EXPECT_EQ(second[1].exclusions[0].classes, std::vector<std::string>{"ad"});
  EXPECT_EQ(second[1].exclusions[1].id, "promo");
  EXPECT_EQ(second[2].combinator, SimpleSelector::Combinator::descendant);
  EXPECT_EQ(second[2].exclusions[0].attributes[0].name, "hidden");
  EXPECT_EQ(parsed->alternatives[2][0].exclusions[0].tag, "nav");
  EXPECT_EQ(parse_selector("a + b").error(),
            "unexpected '+' at 3 (supported: tag, .class, #id, [attr], [attr=v], [attr*=v], [attr^=v], [attr$=v], "
            ":not(...), descendants, '>', commas)");
}

TEST(ConfigPageRules, ContentAndRemoveAreSelectorsCheckedAtLoad) {
  const Config config = parse(R"(feeds:
  - name: briefs
    url: https://example.org/briefs.xml
    full_text: true
    content: "article .story-body"
    remove: [".share", "aside > .newsletter"]
  - name: plain
    url: https://example.org/plain.xml
    remove: .promo
)");
  ASSERT_TRUE(config.feeds[0].pages.content);
  EXPECT_EQ(config.feeds[0].pages.content->text, "article .story-body");
  ASSERT_EQ(config.feeds[0].pages.remove.size(), 2U);
  EXPECT_EQ(config.feeds[0].pages.remove[1].alternatives[0][1].combinator, SimpleSelector::Combinator::child);
  EXPECT_EQ(config.feeds[1].pages.remove.size(), 1U) << "remove applies to an item's own HTML too";
  EXPECT_TRUE(config.feeds[1].pages.content == std::nullopt);

  const std::string head = "feeds:\n  - name: briefs\n    url: https://example.org/briefs.xml\n";
  const ConfigError bad = config_error_of([&] { parse(head + "    full_text: true\n    remove: [\".share\", \"p:first\"]\n"); });
  EXPECT_EQ(bad.key(), "feeds[0].remove[1]");
  EXPECT_EQ(bad.position().line, 5);
  EXPECT_EQ(bad.position().column, 24);
  EXPECT_TRUE(bad.reason().starts_with("'p:first': unexpected ':' at 2")) << bad.reason();
  const ConfigError nowhere = config_error_of([&] { parse(head + "    content: article\n"); });
  EXPECT_EQ(nowhere.key(), "feeds[0].content");
  EXPECT_EQ(nowhere.reason(), "content applies to the pages a feed reads: set full_text: true, or type: html");
}

TEST(Config, ErrorCarriesPositionAndKey) {
  const ConfigError error =
      config_error_of([] { parse("feeds:\n  - name: world\n    url: https://a.example/\n    timeout: soon\n"); });
  EXPECT_EQ(error.file(), "sluice.yaml");
  EXPECT_EQ(error.position().line, 4);
  EXPECT_EQ(error.position().column, 14);
  EXPECT_EQ(error.key(), "feeds[0].timeout");
}

TEST(Config, LoadsFromFileAndNamesUnreadableOnes) {
  const test::TempDir dir;
  test::write_file(dir.path() / "ok.yaml", kFeed);
  EXPECT_EQ(load_config(dir.path() / "ok.yaml").feeds.size(), 1U);
  EXPECT_EQ(std::string(config_error_of([&] { load_config(dir.path() / "missing.yaml"); }).what()),
            (dir.path() / "missing.yaml").string() + ": cannot open: No such file or directory");
}

TEST(Config, BundledConfigsAreValid) {
  for (const char* file : {"config/demo.yaml", "config/sluice.example.yaml"}) {
    SCOPED_TRACE(file);
    EXPECT_FALSE(load_config(std::filesystem::path(SLUICE_SOURCE_DIR) / file).feeds.empty());
  }
}

}  // namespace
}  // namespace sluice::config

namespace sluice::config {
namespace {

TEST(ConfigIncludes, FeedsOfIncludedFilesFollowTheMainFileInNameOrderWithItsDefaults) {
  const test::TempDir dir;
  std::filesystem::create_directories(dir.path() / "feeds.d");
  test::write_file(dir.path() / "feeds.d" / "20-tech.yaml",
                   "feeds:\n  - name: tech\n    url: https://example.org/tech.xml\n");
  test::write_file(dir.path() / "feeds.d" / "10-world.yaml",
                   "feeds:\n  - name: world\n    url: https://example.org/world.xml\n    interval: 10m\n");
  test::write_file(dir.path() / "feeds.d" / "30-empty.yaml", "");
  test::write_file(dir.path() / "feeds.d" / "notes.txt", "not a configuration");
  test::write_file(dir.path() / "sluice.yaml",
                   "defaults:\n  interval: 45m\ninclude: [feeds.d/*.yaml]\nfeeds:\n  - name: own\n    url: https://example.org/own.xml\n");
  const Config config = load_config(dir.path() / "sluice.yaml");
  ASSERT_EQ(config.feeds.size(), 3U);
  EXPECT_EQ(config.feeds[0].name, "own");
  EXPECT_EQ(config.feeds[1].name, "world");
  EXPECT_EQ(config.feeds[1].poll.interval, 10min);
  EXPECT_EQ(config.feeds[2].name, "tech");
  EXPECT_EQ(config.feeds[2].poll.interval, 45min) << "the main file's defaults";
  // A main file may hold no feeds of its own, and a pattern may match nothing yet.
  test::write_file(dir.path() / "only.yaml", "include:\n  - feeds.d/1*.yaml\n  - conf.d/*.yaml\n");
  const Config only = load_config(dir.path() / "only.yaml");
  ASSERT_EQ(only.feeds.size(), 1U);
  EXPECT_EQ(only.feeds[0].name, "world");
}

TEST(ConfigIncludes, ErrorsNameTheIncludedFileAndDuplicatesNameBothPlaces) {
  const test::TempDir dir;
  const auto main = dir.path() / "sluice.yaml";
  const auto extra = dir.path() / "extra.yaml";
  test::write_file(main, "include: extra.yaml\nfeeds:\n  - name: own\n    url: https://example.org/own.xml\n");
  test::write_file(extra, "feeds:\n  - name: more\n    url: gopher://example.org/\n");
  const ConfigError bad_url = config_error_of([&] { load_config(main); });
  EXPECT_EQ(bad_url.file(), extra.string());
  EXPECT_EQ(bad_url.position().line, 3);
  EXPECT_EQ(bad_url.key(), "feeds[0].url");
  test::write_file(extra, "feeds:\n  - name: other\n    url: https://example.org/other.xml\n  - name: own\n    url: https://example.org/x.xml\n");
  const ConfigError twice = config_error_of([&] { load_config(main); });
  EXPECT_EQ(twice.file(), extra.string());
  EXPECT_EQ(twice.position().line, 4);
  EXPECT_NE(std::string(twice.what()).find("duplicate feed name 'own' (first defined at " + main.string() + ":3:5)"),
            std::string::npos)
      << twice.what();
  test::write_file(extra, "defaults:\n  interval: 5m\n");
  EXPECT_THROW(load_config(main), ConfigError) << "an included file holds feeds only";
  test::write_file(main, "include: [missing.yaml]\n");
  const ConfigError missing = config_error_of([&] { load_config(main); });
  EXPECT_EQ(missing.file(), main.string());
  EXPECT_EQ(missing.key(), "include");
  EXPECT_NE(std::string(missing.what()).find("no such file"), std::string::npos) << missing.what();
}

TEST(ConfigRules, FeedsTakeTheDefaultRulesThenTheirOwn) {
  const Config config = parse(R"(defaults:
  block:
    - title: "(?i)\\bsponsored\\b"
feeds:
  - name: world
    url: https://example.org/world.xml
    keep:
      - tags: ^(world|europe)$
      - language: ^en
    block:
      - url: /video/
      - author: "(?i)staff"
  - name: tech
    url: https://example.org/tech.xml
)");
  ASSERT_EQ(config.default_rules.block.size(), 1U);
  const EntryRules& world = config.feeds[0].rules;
  ASSERT_EQ(world.block.size(), 3U);
  EXPECT_EQ(world.block[0].pattern, "(?i)\\bsponsored\\b");
  EXPECT_EQ(world.block[1].field, EntryRule::Field::url);
  EXPECT_EQ(world.block[2].field, EntryRule::Field::author);
  EXPECT_EQ(world.block[2].position.line, 12);
  ASSERT_EQ(world.keep.size(), 2U);
  EXPECT_EQ(world.keep[0].field, EntryRule::Field::tags);
  EXPECT_TRUE(world.keep[1].found_in("en-GB"));
  EXPECT_FALSE(world.keep[1].found_in("fr"));
  EXPECT_TRUE(world.block[0].found_in("A Sponsored story"));
  EXPECT_FALSE(world.block[0].found_in("Unsponsored"));
  const EntryRules& tech = config.feeds[1].rules;
  EXPECT_EQ(tech.block.size(), 1U);
  EXPECT_TRUE(tech.keep.empty());
}

TEST(ConfigRules, ARuleThatDoesNotCompileIsAnErrorAtItsPlace) {
  const std::string head = "feeds:\n  - name: world\n    url: https://example.org/world.xml\n";
  const ConfigError unclosed = config_error_of([&] { parse(head + "    block:\n      - title: \"(?i)sale(\"\n"); });
  EXPECT_EQ(unclosed.position().line, 5);
  EXPECT_EQ(unclosed.position().column, 16);
  EXPECT_EQ(unclosed.key(), "feeds[0].block[0].title");
  EXPECT_EQ(unclosed.reason(), "'(?i)sale(' is not a valid regular expression: missing ): (?i)sale(");
  const ConfigError backreference = config_error_of([&] { parse(head + "    keep:\n      - text: \"(a)\\\\1\"\n"); });
  EXPECT_NE(backreference.reason().find("is not a valid regular expression: invalid escape sequence"), std::string::npos)
      << backreference.reason() << ": RE2 has no backreferences, which is what keeps matching linear";
  const ConfigError field = config_error_of([&] { parse(head + "    block:\n      - titel: sale\n"); });
  EXPECT_EQ(field.position().line, 5);
  EXPECT_EQ(field.position().column, 9);
  EXPECT_EQ(field.reason(), "unknown field 'titel' (did you mean 'title'?); a rule's field is one of title, text, url, "
                            "author, tags, language");
  const ConfigError two = config_error_of([&] { parse(head + "    block:\n      - title: a\n        url: b\n"); });
  EXPECT_EQ(two.key(), "feeds[0].block[0]");
  EXPECT_EQ(two.reason(), "a rule is one field and its regular expression, such as title: \"(?i)sponsored\"");
  const ConfigError empty = config_error_of([&] { parse(head + "    block:\n      - title: \"\"\n"); });
  EXPECT_EQ(empty.reason(), "expected a regular expression (an empty one would match every item)");
  const ConfigError not_list = config_error_of([&] { parse(head + "    keep: { title: a }\n"); });
  EXPECT_EQ(not_list.key(), "feeds[0].keep");
  const ConfigError in_defaults =
      config_error_of([&] { parse("defaults:\n  block:\n    - url: \"[\"\n" + head); });
  EXPECT_EQ(in_defaults.key(), "defaults.block[0].url");
  EXPECT_EQ(in_defaults.position().line, 3);
}

TEST(ConfigWebSub, TheCallbackServerAndPerFeedChoices) {
  const Config config = parse(R"(websub:
  listen: 0.0.0.0:8090
  public_url: https://ingest.example.org/websub/
  lease: 2d
defaults:
  websub_interval: 12h
feeds:
  - name: blog
    url: https://blog.example/feed
  - name: quiet
    url: https://quiet.example/feed
    websub: off
  - name: hidden-hub
    url: https://h.example/feed
    hub: https://hub.example/
    websub_interval: 1d
)");
  ASSERT_TRUE(config.websub);
  EXPECT_EQ(config.websub->listen, "0.0.0.0:8090");
  EXPECT_EQ(config.websub->public_url, "https://ingest.example.org/websub") << "the trailing slash goes";
  EXPECT_EQ(config.websub->lease, std::chrono::hours(48));
  EXPECT_FALSE(config.websub->allow_sha1);
  EXPECT_EQ(config.feeds[0].websub, FeedConfig::WebSub::automatic);
  EXPECT_EQ(config.feeds[0].poll.websub_interval, std::chrono::hours(12));
  EXPECT_EQ(config.feeds[1].websub, FeedConfig::WebSub::off);
  EXPECT_EQ(config.feeds[2].hub, "https://hub.example/");
  EXPECT_EQ(config.feeds[2].poll.websub_interval, std::chrono::hours(24));
  EXPECT_FALSE(parse("feeds: []\n").websub);
  EXPECT_EQ(parse("feeds: []\n").defaults.websub_interval, std::chrono::hours(6));
}

TEST(ConfigWebSub, ErrorsNameTheKey) {
  const auto error_of = [](const std::string& yaml) { return config_error_of([&] { parse(yaml); }); };
  EXPECT_EQ(error_of("websub: { listen: 127.0.0.1:8090 }\nfeeds: []\n").key(), "websub.public_url");
  EXPECT_EQ(error_of("websub: { listen: nowhere, public_url: https://a.example/ }\nfeeds: []\n").reason(),
            "'nowhere' is not HOST:PORT (e.g. 127.0.0.1:8090; port 0 picks a free one)");
  EXPECT_EQ(error_of("websub: { listen: ':1', public_url: 'file:///x' }\nfeeds: []\n").key(), "websub.listen");
  EXPECT_EQ(error_of("websub: { listen: 'a:1', public_url: 'file:///x' }\nfeeds: []\n").reason(),
            "'file:///x': hubs call an http or https URL");
  EXPECT_EQ(error_of("websub: { listen: 'a:1', public_url: 'https://a.example/', lease: 5m }\nfeeds: []\n").reason(),
            "'5m' must lie within 1h..365d");
  const std::string feed = "feeds:\n  - name: a\n    url: https://a.example/\n";
  const ConfigError mode = error_of(feed + "    websub: sometimes\n");
  EXPECT_EQ(mode.key(), "feeds[0].websub");
  EXPECT_EQ(mode.reason(), "'sometimes' must be auto or off");
  EXPECT_EQ(error_of(feed + "    hub: ftp://hub.example/\n").key(), "feeds[0].hub");
  EXPECT_EQ(error_of(feed + "    websub: off\n    hub: https://hub.example/\n").reason(),
            "a hub for a feed with websub: off is never used");
  const ConfigError placeholder = error_of("websub: { listen: 'a:1', public_url: 'https://a.example/{instance}' }\nfeeds: []\n");
  EXPECT_EQ(placeholder.key(), "websub.public_url");
  EXPECT_EQ(placeholder.reason(), "{instance} names a cluster instance, and there is no cluster: section");
}

TEST(ConfigWebSub, EachClusterInstanceHasACallbackURLOfItsOwn) {
  const Config config = parse("cluster: { nats: 'nats://127.0.0.1:4222', instance: feeds-2 }\n"
                              "websub: { listen: '0.0.0.0:8090', public_url: 'https://ingest.example.org/websub/{instance}/' }\n"
                              "feeds: []\n");
  ASSERT_TRUE(config.websub);
  EXPECT_EQ(config.websub->public_url, "https://ingest.example.org/websub/feeds-2");
}

}  // namespace
}  // namespace sluice::config

