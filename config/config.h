// The typed configuration of sluice (DESIGN.md §5). Loaded and validated once; a Config that exists
// is valid, so the rest of the daemon never re-checks it.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/config_error.h"
#include "config/entry_rules.h"
#include "config/selector.h"

namespace sluice::config {

using namespace std::chrono_literals;

// Polling settings: the `defaults` section, which every feed inherits and may override.
struct PollSettings {
  std::chrono::milliseconds interval = 30min;
  std::chrono::milliseconds min_interval = 5min;
  std::chrono::milliseconds max_interval = 24h;
  std::chrono::milliseconds timeout = 20s;
  std::uint64_t max_body = 15ULL << 20;
  // Brakes on what one document may cost. Items of a document past max_items are dropped, the
  // newest kept. New items past max_new_per_poll wait for the next poll (the document is fetched
  // in full again), oldest published first; a feed's first document, its backlog, is read whole. An item edited again within min_revision_interval of
  // its last publication waits until the interval has passed; its latest text goes out then.
  std::uint32_t max_items = 10'000;
  std::uint32_t max_new_per_poll = 1'000;
  std::chrono::milliseconds min_revision_interval = 5min;
  // The interval of a feed a WebSub hub pushes: polls only catch what a push missed.
  std::chrono::milliseconds websub_interval = 6h;
};

// Politeness towards each server (scheme://host:port), whatever feeds it serves.
struct HostSettings {
  unsigned per_host = 2;  // concurrent requests at most
};

struct FeedConfig {
  std::string name;  // [a-z0-9][a-z0-9-]*, unique; the topic is article.<name>.
  std::string url;   // http, https or file
  PollSettings poll;  // defaults merged with this feed's overrides
  std::vector<std::string> tags;
  std::vector<std::pair<std::string, std::string>> headers;  // in file order
  // Cookies sent to the feed's server from the first request on (a consent cookie, a session),
  // beside those the server sets, which sluice keeps per feed.
  std::vector<std::pair<std::string, std::string>> cookies;
  std::string username;  // HTTP basic authentication, when set
  std::string password;
  std::string proxy;     // e.g. http://proxy.internal:3128 or socks5h://127.0.0.1:1080
  // `type: feed` (RSS, Atom, JSON Feed) or `type: html`: a web page whose article links (found by
  // `links`, a CSS selector) are each fetched and extracted.
  enum class Type { feed, html } type = Type::feed;
  Selector links;
  // Fetch each new item's link and use the extracted page when it holds more of the story than the
  // feed does.
  bool full_text = false;
  // Links sluice follows on its own (full text, HTML feeds) may lead to private or loopback
  // addresses only on the feed's own server, unless this is set.
  bool allow_private = false;
  // WebSub: `auto` subscribes to the hub the feed advertises (when the configuration has a
  // `websub` section), `off` never does; `hub` names a hub for a feed that uses one without
  // advertising it.
  enum class WebSub { automatic, off } websub = WebSub::automatic;
  std::string hub;
  // Where the article is on the feed's pages (`content`) and what to drop first (`remove`, which
  // applies to items' own HTML too).
  PageRules pages;
  // Which items are published: the defaults' rules, then the feed's own.
  EntryRules rules;
  Position position;  // where the feed is defined, for messages
};

// CURVE for both publisher sockets: the server's secret certificate (zcert format, as `sluice
// keygen` writes it) and a directory of the client public certificates allowed in.
struct CurveConfig {
  std::filesystem::path secret_key_file;
  std::filesystem::path clients_dir;
};

struct PublishConfig {
  std::string endpoint = "tcp://127.0.0.1:5556";
  std::string replay_endpoint = "tcp://127.0.0.1:5557";
  // Articles queued for one subscriber before the stream drops for that subscriber only (it
  // recovers them through replay): a bound on the memory a stalled subscriber costs.
  std::uint32_t subscriber_queue = 100'000;
  std::optional<CurveConfig> curve;
  // Whether an article not published because another feed told the story goes out as a notice on
  // "duplicate.<feed>." (its URL and the seq of the story it repeats), for subscribers who want
  // every outlet's link.
  bool announce_duplicates = false;
};

// The journal of published articles (state_dir/journal): what replay can serve, kept until it is
// older than max_age or the journal grows past max_size, oldest first.
struct JournalConfig {
  std::uint64_t max_size = 1ULL << 30;
  std::chrono::milliseconds max_age = std::chrono::hours(24 * 7);
};

// Prometheus metrics over HTTP at listen (HOST:PORT); absent: no metrics endpoint.
struct MetricsConfig {
  std::string listen;
};

// A JetStream stream every article also goes to (subjects sluice.article.<feed>), for consumers that
// want a durable, replayable stream shared across a cluster.
struct StreamConfig {
  int replicas = 1;
  std::chrono::milliseconds max_age = std::chrono::hours(24 * 7);
  std::uint64_t max_bytes = 0;  // 0: no limit but max_age
  // Repeats of one article (same id and revision) within this window are dropped by JetStream.
  std::chrono::milliseconds duplicate_window = 2min;
};

// Several instances sharing one feed list through NATS JetStream: the feeds are split into shards,
// each owned by one instance at a time through a lease in a key-value bucket.
struct ClusterConfig {
  std::string nats;      // server URL(s), comma-separated
  std::string instance;  // this instance's name, unique in the cluster; default: the host name
  std::string name = "sluice";  // prefix of the buckets and the stream
  std::uint32_t shards = 64;
  std::chrono::milliseconds lease_ttl = 6s;
  StreamConfig stream;
  Position position;  // where the section is, for messages
};

// The WebSub callback server: where it listens, and the address hubs reach it at (sluice is
// usually behind a reverse proxy); each subscription's callback is public_url/<random id>.
struct WebSubConfig {
  std::string listen;      // HOST:PORT
  std::string public_url;  // http(s)
  std::chrono::seconds lease = std::chrono::hours(24 * 10);  // hub.lease_seconds asked for
  bool allow_sha1 = false;  // accept deliveries signed with HMAC-SHA1 (the specification's oldest method)
  Position position;
};

struct Config {
  std::string source;  // the file it came from
  std::filesystem::path state_dir = "/var/lib/sluice";
  std::string user_agent = "sluice/" SLUICE_VERSION;
  std::string log_level = "info";
  unsigned workers = 0;  // parse threads; 0 means one per core
  PublishConfig publish;
  JournalConfig journal;
  std::optional<MetricsConfig> metrics;
  std::optional<ClusterConfig> cluster;
  std::optional<WebSubConfig> websub;
  PollSettings defaults;
  HostSettings hosts;  // set in `defaults` too
  EntryRules default_rules;  // `keep` and `block` in `defaults`: every feed's rules start with them
  std::vector<FeedConfig> feeds;
};

// Reads and validates a configuration file. Throws ConfigError naming file:line:column and key.
Config load_config(const std::filesystem::path& file);

// Same, from text; `source` names it in messages.
Config parse_config(const std::string& yaml, const std::string& source);

}  // namespace sluice::config
