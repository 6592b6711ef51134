#include "config/config.h"

#include <curl/curl.h>
#include <glob.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <span>
#include <sstream>
#include <string_view>

#include "config/units.h"
#include "config/yaml_syntax.h"

namespace sluice::config {
namespace {

using Keys = std::span<const std::string_view>;

constexpr std::string_view kTopKeys[] = {"state_dir", "user_agent", "log_level", "workers", "publish", "journal",
                                         "metrics",   "defaults",   "feeds",     "include", "cluster", "websub"};
constexpr std::string_view kWebSubKeys[] = {"listen", "public_url", "lease", "allow_sha1"};
// What an included file may hold.
constexpr std::string_view kIncludedKeys[] = {"feeds"};
constexpr std::string_view kClusterKeys[] = {"nats", "instance", "name", "shards", "lease_ttl", "stream"};
constexpr std::string_view kStreamKeys[] = {"replicas", "max_age", "max_bytes", "duplicate_window"};
constexpr std::string_view kMetricsKeys[] = {"listen"};
constexpr std::string_view kJournalKeys[] = {"max_size", "max_age"};
constexpr std::string_view kPublishKeys[] = {"endpoint", "replay_endpoint", "subscriber_queue", "curve",
                                             "announce_duplicates"};
constexpr std::string_view kCurveKeys[] = {"secret_key_file", "clients_dir"};
constexpr std::string_view kDefaultsKeys[] = {"interval", "min_interval", "max_interval",     "timeout",
                                              "max_body", "max_items",    "max_new_per_poll", "min_revision_interval",
                                              "per_host", "keep",         "block",            "websub_interval"};
constexpr std::string_view kFeedKeys[] = {"name",          "url",          "tags",      "headers",          "interval",
                                          "min_interval",  "max_interval", "timeout",   "max_body",         "max_items",
                                          "max_new_per_poll", "min_revision_interval", "username", "password", "proxy",
                                          "type",          "links",        "full_text", "allow_private",    "cookies",
                                          "keep",          "block",        "content",   "remove",          "websub",
                                          "hub",           "websub_interval"};
constexpr std::string_view kLogLevels[] = {"trace", "debug", "info", "warn", "error", "critical", "off"};

Position position_of(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  if (mark.is_null()) return {};
  return {mark.line + 1, mark.column + 1};
}

std::string read_text(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ConfigError(file, {}, "", "cannot open: " + std::string(std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw ConfigError(file, {}, "", "cannot read: " + std::string(std::strerror(errno)));
  return text.str();
}

YAML::Node parse_yaml(const std::string& yaml, const std::string& source) {
  try {
    return YAML::Load(yaml);
  } catch (const YAML::ParserException& e) {
    throw yaml_syntax_error(yaml, source, e);
  }
}

YAML::Node load_yaml(const std::string& file) { return parse_yaml(read_text(file), file); }

// Walks the YAML tree with the file name at hand, so every failure becomes a ConfigError.
class Loader {
 public:
  explicit Loader(std::string source) : source_(std::move(source)) {}

  [[noreturn]] void fail(const YAML::Node& at, const std::string& key, const std::string& reason) const {
    throw ConfigError(source_, position_of(at), key, reason);
  }

  // Rejects keys outside `allowed` (with a did-you-mean hint) and keys given twice.
  void check_keys(const YAML::Node& map, const std::string& path, Keys allowed) const {
    std::set<std::string> seen;
    for (const auto& entry : map) {
      const YAML::Node& key_node = entry.first;
      if (!key_node.IsScalar()) fail(key_node, path, "keys must be plain words");
      const std::string key = key_node.Scalar();
      const std::string name = path.empty() ? key : path + "." + key;
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        const std::string hint = closest_match(key, allowed);
        fail(key_node, name,
             "unknown key" + (hint.empty() ? std::string() : " (did you mean '" + hint + "'?)"));
      }
      if (!seen.insert(key).second) fail(key_node, name, "key given twice");
    }
  }

  // The node of `key` in map, for positions; the map itself when the key is inherited.
  static YAML::Node key_or_map(const YAML::Node& map, std::string_view key) {
    for (const auto& entry : map)
      if (entry.first.Scalar() == key) return entry.second;
    return map;
  }

  void expect_map(const YAML::Node& node, const std::string& key) const {
    if (!node.IsMap()) fail(node, key, "expected a mapping of key: value");
  }

  std::string scalar(const YAML::Node& node, const std::string& key) const {
    if (!node.IsScalar() || node.Scalar().empty()) fail(node, key, "expected a non-empty value");
    return node.Scalar();
  }

  bool boolean(const YAML::Node& node, const std::string& key) const {
    const std::string text = scalar(node, key);
    if (text == "true" || text == "yes" || text == "on") return true;
    if (text == "false" || text == "no" || text == "off") return false;
    fail(node, key, "'" + text + "' must be true or false");
  }

  std::chrono::milliseconds duration(const YAML::Node& node, const std::string& key) const {
    const std::string text = scalar(node, key);
    const auto value = parse_duration(text);
    if (!value || value->count() == 0)
      fail(node, key, "'" + text + "' is not a positive duration (examples: 90s, 5m, 2h, 7d)");
    return *value;
  }

  std::uint64_t size(const YAML::Node& node, const std::string& key) const {
    const std::string text = scalar(node, key);
    const auto value = parse_size(text);
    if (!value || *value == 0)
      fail(node, key, "'" + text + "' is not a positive size (examples: 512KiB, 15MiB, 1GB)");
    return *value;
  }

  void poll_overrides(const YAML::Node& map, const std::string& path, PollSettings& poll) const {
    for (const auto& entry : map) {
      const std::string key = entry.first.Scalar();
      const std::string name = path + "." + key;
      const YAML::Node& value = entry.second;
      if (key == "interval") poll.interval = duration(value, name);
      else if (key == "min_interval") poll.min_interval = duration(value, name);
      else if (key == "max_interval") poll.max_interval = duration(value, name);
      else if (key == "timeout") poll.timeout = duration(value, name);
      else if (key == "max_body") poll.max_body = size(value, name);
      else if (key == "max_items")
        poll.max_items = static_cast<std::uint32_t>(count(value, name, 1, 10'000'000, "a number of items"));
      else if (key == "max_new_per_poll")
        poll.max_new_per_poll = static_cast<std::uint32_t>(count(value, name, 1, 10'000'000, "a number of items"));
      else if (key == "min_revision_interval") poll.min_revision_interval = duration(value, name);
      else if (key == "websub_interval") poll.websub_interval = duration(value, name);
    }
    if (poll.min_interval > poll.max_interval)
      fail(key_or_map(map, "min_interval"), path + ".min_interval",
           format_duration(poll.min_interval) + " is above max_interval " +
               format_duration(poll.max_interval));
    if (poll.interval < poll.min_interval || poll.interval > poll.max_interval)
      fail(key_or_map(map, "interval"), path + ".interval",
           format_duration(poll.interval) + " is outside min_interval..max_interval (" +
               format_duration(poll.min_interval) + ".." + format_duration(poll.max_interval) + ")");
  }

  std::vector<std::string> tags(const YAML::Node& node, const std::string& key) const {
    if (!node.IsSequence()) fail(node, key, "expected a list such as [world, news]");
    std::vector<std::string> out;
    for (const auto& item : node) {
      const std::string tag = scalar(item, key);
      if (std::find(out.begin(), out.end(), tag) == out.end()) out.push_back(tag);
    }
    return out;
  }

  // A map of names to values, in file order: HTTP headers or cookies. A name must be an HTTP
  // token; `bad_value` says what is wrong with a value, or returns null when it is fine.
  std::vector<std::pair<std::string, std::string>> name_values(const YAML::Node& node, const std::string& key,
                                                               const char* what,
                                                               const char* (*bad_value)(std::string_view)) const {
    expect_map(node, key);
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& entry : node) {
      const std::string name = scalar(entry.first, key);
      const bool token = !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) {
        return std::isalnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) !=
                                      std::string_view::npos;
      });
      if (!token) fail(entry.first, key + "." + name, std::string("not a valid ") + what + " name");
      const std::string value = entry.second.IsNull() ? std::string() : scalar(entry.second, key + "." + name);
      if (const char* problem = bad_value(value)) fail(entry.second, key + "." + name, problem);
      out.emplace_back(name, value);
    }
    return out;
  }

  static const char* bad_header_value(std::string_view value) {
    return value.find_first_of("\r\n") != std::string_view::npos ? "header values cannot contain line breaks" : nullptr;
  }

  // RFC 6265 cookie-octets: no spaces, quotes, commas, semicolons, backslashes or controls.
  static const char* bad_cookie_value(std::string_view value) {
    const bool octets = std::all_of(value.begin(), value.end(), [](unsigned char c) {
      return c > 0x20 && c < 0x7F && c != '"' && c != ',' && c != ';' && c != '\\';
    });
    return octets ? nullptr : "cookie values cannot contain spaces, quotes, commas, semicolons or backslashes";
  }

  void check_url(const YAML::Node& node, const std::string& key, const std::string& url) const {
    std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> handle(curl_url(), &curl_url_cleanup);
    if (!handle) throw std::bad_alloc();
    if (curl_url_set(handle.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK)
      fail(node, key, "'" + url + "' is not a valid absolute URL");
    char* scheme = nullptr;
    curl_url_get(handle.get(), CURLUPART_SCHEME, &scheme, 0);
    const std::string scheme_name = scheme ? scheme : "";
    curl_free(scheme);
    if (scheme_name != "http" && scheme_name != "https" && scheme_name != "file")
      fail(node, key, "'" + url + "': scheme must be http, https or file");
  }

  // The `keep` and `block` lists of map, added to `rules`. A rule is a one-key mapping, the field
  // and its regular expression: `- title: "(?i)sponsored"`.
  void entry_rules(const YAML::Node& map, const std::string& path, EntryRules& rules) const {
    for (auto [kind, list] : {std::pair{"keep", &rules.keep}, std::pair{"block", &rules.block}}) {
      const YAML::Node node = map[kind];
      if (!node) continue;
      const std::string key = path + "." + kind;
      if (!node.IsSequence()) fail(node, key, "expected a list of rules such as - title: \"(?i)sponsored\"");
      for (std::size_t i = 0; i < node.size(); ++i) {
        const YAML::Node item = node[i];
        const std::string name = key + "[" + std::to_string(i) + "]";
        if (!item.IsMap() || item.size() != 1)
          fail(item, name, "a rule is one field and its regular expression, such as title: \"(?i)sponsored\"");
        const auto entry = item.begin();
        const std::string field = scalar(entry->first, name);
        const auto known = rule_field(field);
        if (!known) fail(entry->first, name + "." + field, known.error());
        if (!entry->second.IsScalar() || entry->second.Scalar().empty())
          fail(entry->second, name + "." + field, "expected a regular expression (an empty one would match every item)");
        auto rule = make_rule(*known, entry->second.Scalar());
        if (!rule) fail(entry->second, name + "." + field, rule.error());
        rule->position = position_of(entry->second);
        list->push_back(std::move(*rule));
      }
    }
  }

  Selector selector(const YAML::Node& node, const std::string& key) const {
    const std::string text = scalar(node, key);
    auto parsed = parse_selector(text);
    if (!parsed) fail(node, key, "'" + text + "': " + parsed.error());
    return std::move(*parsed);
  }

  FeedConfig feed(const YAML::Node& node, std::size_t index, const PollSettings& defaults,
                  const EntryRules& default_rules) const {
    const std::string path = "feeds[" + std::to_string(index) + "]";
    expect_map(node, path);
    if (const auto per_host = node["per_host"]; per_host)
      fail(key_or_map(node, "per_host"), path + ".per_host",
           "per_host limits a whole server, not one feed: set it under defaults");
    check_keys(node, path, kFeedKeys);
    FeedConfig feed;
    feed.position = position_of(node);
    feed.poll = defaults;
    if (!node["name"]) fail(node, path, "missing required key 'name'");
    if (!node["url"]) fail(node, path, "missing required key 'url'");
    feed.name = scalar(node["name"], path + ".name");
    const bool valid_name =
        std::isalnum(static_cast<unsigned char>(feed.name[0])) &&
        std::all_of(feed.name.begin(), feed.name.end(), [](unsigned char c) {
          return (std::islower(c) || std::isdigit(c) || c == '-');
        });
    if (!valid_name)
      fail(node["name"], path + ".name",
           "'" + feed.name + "' must be lower-case letters, digits and '-', starting with a letter or digit");
    feed.url = scalar(node["url"], path + ".url");
    check_url(node["url"], path + ".url", feed.url);
    if (node["tags"]) feed.tags = tags(node["tags"], path + ".tags");
    if (node["headers"]) feed.headers = name_values(node["headers"], path + ".headers", "HTTP header", bad_header_value);
    if (node["cookies"]) feed.cookies = name_values(node["cookies"], path + ".cookies", "cookie", bad_cookie_value);
    if (node["username"]) feed.username = scalar(node["username"], path + ".username");
    if (node["password"]) feed.password = scalar(node["password"], path + ".password");
    if (!feed.password.empty() && feed.username.empty())
      fail(node["password"], path + ".password", "a password needs a username");
    if (node["proxy"]) {
      feed.proxy = scalar(node["proxy"], path + ".proxy");
      const bool known = std::ranges::any_of(std::initializer_list<std::string_view>{"http://", "https://", "socks4://",
                                                                                     "socks4a://", "socks5://", "socks5h://"},
                                             [&](std::string_view scheme) { return feed.proxy.starts_with(scheme); });
      if (!known) fail(node["proxy"], path + ".proxy", "'" + feed.proxy + "' is not a proxy URL (http://, https://, socks5h://...)");
    }
    if (node["type"]) {
      const std::string type = scalar(node["type"], path + ".type");
      if (type == "html") feed.type = FeedConfig::Type::html;
      else if (type != "feed") fail(node["type"], path + ".type", "'" + type + "' must be feed or html");
    }
    if (node["links"]) {
      if (feed.type != FeedConfig::Type::html)
        fail(key_or_map(node, "links"), path + ".links", "links applies to type: html feeds only");
      feed.links = selector(node["links"], path + ".links");
    } else if (feed.type == FeedConfig::Type::html) {
      fail(node, path, "a type: html feed needs links, the CSS selector of its article links (e.g. \"article h2 a\")");
    }
    if (node["full_text"]) feed.full_text = boolean(node["full_text"], path + ".full_text");
    if (const auto content = node["content"]) {
      if (feed.type != FeedConfig::Type::html && !feed.full_text)
        fail(key_or_map(node, "content"), path + ".content",
             "content applies to the pages a feed reads: set full_text: true, or type: html");
      feed.pages.content = selector(content, path + ".content");
    }
    if (const auto remove = node["remove"]) {
      if (remove.IsSequence()) {
        for (std::size_t i = 0; i < remove.size(); ++i)
          feed.pages.remove.push_back(selector(remove[i], path + ".remove[" + std::to_string(i) + "]"));
      } else {
        feed.pages.remove.push_back(selector(remove, path + ".remove"));
      }
    }
    if (node["allow_private"]) feed.allow_private = boolean(node["allow_private"], path + ".allow_private");
    if (const auto websub = node["websub"]) {
      const std::string mode = scalar(websub, path + ".websub");
      if (mode == "off") feed.websub = FeedConfig::WebSub::off;
      else if (mode != "auto") fail(websub, path + ".websub", "'" + mode + "' must be auto or off");
    }
    if (const auto hub = node["hub"]) {
      feed.hub = scalar(hub, path + ".hub");
      check_url(hub, path + ".hub", feed.hub);
      if (!feed.hub.starts_with("http://") && !feed.hub.starts_with("https://"))
        fail(hub, path + ".hub", "'" + feed.hub + "': a hub is an http or https URL");
      if (feed.websub == FeedConfig::WebSub::off)
        fail(hub, path + ".hub", "a hub for a feed with websub: off is never used");
    }
    feed.rules = default_rules;
    entry_rules(node, path, feed.rules);
    poll_overrides(node, path, feed.poll);
    return feed;
  }

  Config load(const YAML::Node& root) const {
    Config config;
    config.source = source_;
    if (!root.IsDefined() || root.IsNull()) fail(root, "", "the file is empty; it needs at least a 'feeds' list");
    expect_map(root, "");
    check_keys(root, "", kTopKeys);
    if (const auto node = root["state_dir"]) config.state_dir = with_environment(node, "state_dir");
    if (const auto node = root["user_agent"]) config.user_agent = scalar(node, "user_agent");
    if (const auto node = root["log_level"]) {
      config.log_level = scalar(node, "log_level");
      if (std::ranges::find(kLogLevels, config.log_level) == std::end(kLogLevels))
        fail(node, "log_level", "'" + config.log_level + "' is not one of trace, debug, info, warn, error, critical, off");
    }
    if (const auto node = root["workers"]) config.workers = workers(node);
    if (const auto node = root["journal"]) {
      expect_map(node, "journal");
      check_keys(node, "journal", kJournalKeys);
      if (const auto max_size = node["max_size"]) config.journal.max_size = size(max_size, "journal.max_size");
      if (const auto max_age = node["max_age"]) config.journal.max_age = duration(max_age, "journal.max_age");
    }
    if (const auto node = root["publish"]) config.publish = publish(node);
    if (const auto node = root["metrics"]) config.metrics = metrics(node);
    if (const auto node = root["cluster"]) config.cluster = cluster(node);
    if (const auto node = root["websub"]) config.websub = websub(node, config.cluster);
    if (const auto node = root["defaults"]) {
      expect_map(node, "defaults");
      check_keys(node, "defaults", kDefaultsKeys);
      poll_overrides(node, "defaults", config.defaults);
      entry_rules(node, "defaults", config.default_rules);
      if (const auto per_host = node["per_host"]) {
        const std::string text = scalar(per_host, "defaults.per_host");
        const auto value = parse_size(text);
        if (!value || text.find_first_not_of("0123456789") != std::string::npos || *value == 0 || *value > 64)
          fail(per_host, "defaults.per_host", "'" + text + "' must be a number of requests from 1 to 64");
        config.hosts.per_host = static_cast<unsigned>(*value);
      }
    }
    const auto feeds = root["feeds"];
    if (!feeds && !root["include"]) fail(root, "feeds", "missing: list the feeds to poll");
    std::map<std::string, std::string> places;  // feed name: where it is defined
    if (feeds) add_feeds(feeds, config, places);
    if (const auto include = root["include"]) {
      for (const std::string& file : included_files(include)) {
        const Loader loader(file);
        const YAML::Node included = load_yaml(file);
        if (!included.IsDefined() || included.IsNull()) continue;  // an empty file adds nothing
        loader.expect_map(included, "");
        loader.check_keys(included, "", kIncludedKeys);
        if (const auto more = included["feeds"]) loader.add_feeds(more, config, places);
      }
    }
    return config;
  }

  // Parses the feeds in `feeds` (a list) into config; places holds where each name was defined,
  // in this file or another one, and a name defined twice is an error naming both places.
  void add_feeds(const YAML::Node& feeds, Config& config, std::map<std::string, std::string>& places) const {
    if (!feeds.IsSequence()) fail(feeds, "feeds", "expected a list of feeds (- name: ..., url: ...)");
    for (std::size_t i = 0; i < feeds.size(); ++i) {
      FeedConfig feed = this->feed(feeds[i], i, config.defaults, config.default_rules);
      const std::string place =
          source_ + ":" + std::to_string(feed.position.line) + ":" + std::to_string(feed.position.column);
      if (const auto [earlier, added] = places.emplace(feed.name, place); !added)
        fail(feeds[i]["name"], "feeds[" + std::to_string(i) + "].name",
             "duplicate feed name '" + feed.name + "' (first defined at " + earlier->second + ")");
      config.feeds.push_back(std::move(feed));
    }
  }

  // The files `include` names: glob patterns (one, or a list) relative to this file's directory,
  // each pattern's matches in name order. A pattern without wildcards must name a file; one with
  // wildcards may match none (an empty feeds.d/).
  std::vector<std::string> included_files(const YAML::Node& include) const {
    std::vector<YAML::Node> patterns;
    if (include.IsSequence()) {
      for (const auto& item : include) patterns.push_back(item);
    } else {
      patterns.push_back(include);
    }
    const std::filesystem::path base = std::filesystem::path(source_).parent_path();
    std::vector<std::string> files;
    for (const YAML::Node& node : patterns) {
      const std::string pattern = scalar(node, "include");
      if (pattern.empty()) fail(node, "include", "an empty pattern names no file");
      const std::string full = std::filesystem::path(pattern).is_absolute() ? pattern : (base / pattern).string();
      glob_t found{};
      // A directory that is missing matches nothing; one that cannot be read is an error.
      static thread_local std::string unreadable;
      unreadable.clear();
      const int result = ::glob(full.c_str(), 0, [](const char* path, int error) {
        if (error != ENOENT && error != ENOTDIR) unreadable = std::string(path) + ": " + std::strerror(error);
        return 0;
      }, &found);
      const std::unique_ptr<glob_t, decltype(&globfree)> owner(&found, &globfree);
      if (!unreadable.empty()) fail(node, "include", "'" + full + "': cannot list " + unreadable);
      if (result == GLOB_NOMATCH) {
        if (full.find_first_of("*?[") == std::string::npos)
          fail(node, "include", "'" + full + "': no such file");
        continue;
      }
      if (result != 0) fail(node, "include", "'" + full + "': cannot be listed");
      for (std::size_t i = 0; i < found.gl_pathc; ++i) {
        const std::string file = found.gl_pathv[i];
        if (file == source_ || std::find(files.begin(), files.end(), file) != files.end()) continue;
        files.push_back(file);
      }
    }
    return files;
  }

 private:
  PublishConfig publish(const YAML::Node& node) const {
    PublishConfig publish;
    expect_map(node, "publish");
    check_keys(node, "publish", kPublishKeys);
    if (const auto endpoint = node["endpoint"]) publish.endpoint = this->endpoint(endpoint, "publish.endpoint");
    if (const auto endpoint = node["replay_endpoint"])
      publish.replay_endpoint = this->endpoint(endpoint, "publish.replay_endpoint");
    // A wildcard port ("tcp://HOST:*") picks a free port for each, so only a fixed one can clash.
    const bool wildcard = publish.endpoint.ends_with(":*") || publish.endpoint.ends_with(":0");
    if (publish.replay_endpoint == publish.endpoint && !wildcard)
      fail(node["replay_endpoint"] ? node["replay_endpoint"] : node, "publish.replay_endpoint",
           "'" + publish.replay_endpoint + "' is the live endpoint too; replay needs an endpoint of its own");
    if (const auto queue = node["subscriber_queue"]) {
      const std::string text = scalar(queue, "publish.subscriber_queue");
      const auto value = parse_size(text);
      if (!value || text.find_first_not_of("0123456789") != std::string::npos || *value < 10 || *value > 10'000'000)
        fail(queue, "publish.subscriber_queue", "'" + text + "' must be a number of articles from 10 to 10000000");
      publish.subscriber_queue = static_cast<std::uint32_t>(*value);
    }
    if (const auto announce = node["announce_duplicates"])
      publish.announce_duplicates = boolean(announce, "publish.announce_duplicates");
    if (const auto curve = node["curve"]) {
      expect_map(curve, "publish.curve");
      check_keys(curve, "publish.curve", kCurveKeys);
      CurveConfig keys;
      for (const auto& [field, target] : {std::pair{"secret_key_file", &keys.secret_key_file}, std::pair{"clients_dir", &keys.clients_dir}}) {
        const auto value = curve[field];
        if (!value) fail(curve, std::string("publish.curve.") + field, "missing: CURVE needs secret_key_file and clients_dir");
        *target = with_environment(value, std::string("publish.curve.") + field);
      }
      publish.curve = std::move(keys);
    }
    return publish;
  }

  // A HOST:PORT to listen on; `example` shows one in the message.
  std::string host_port(const YAML::Node& node, const std::string& key, const char* example) const {
    const std::string text = scalar(node, key);
    const std::size_t colon = text.rfind(':');
    const std::string port = colon == std::string::npos ? "" : text.substr(colon + 1);
    if (colon == 0 || colon == std::string::npos || port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string::npos || std::stoul(port) > 65535)
      fail(node, key, "'" + text + "' is not HOST:PORT (e.g. " + example + "; port 0 picks a free one)");
    return text;
  }

  MetricsConfig metrics(const YAML::Node& node) const {
    expect_map(node, "metrics");
    check_keys(node, "metrics", kMetricsKeys);
    const auto listen = node["listen"];
    if (!listen) fail(node, "metrics.listen", "missing: where to serve /metrics, e.g. 127.0.0.1:9464");
    return MetricsConfig{host_port(listen, "metrics.listen", "127.0.0.1:9464")};
  }

  // In a cluster each instance subscribes to the feeds it owns on a callback URL of its own:
  // public_url's {instance} is this instance's name.
  WebSubConfig websub(const YAML::Node& node, const std::optional<ClusterConfig>& cluster) const {
    expect_map(node, "websub");
    check_keys(node, "websub", kWebSubKeys);
    WebSubConfig websub;
    websub.position = position_of(node);
    const auto listen = node["listen"];
    if (!listen) fail(node, "websub.listen", "missing: where the callback server listens, e.g. 127.0.0.1:8090");
    websub.listen = host_port(listen, "websub.listen", "127.0.0.1:8090");
    const auto public_url = node["public_url"];
    if (!public_url)
      fail(node, "websub.public_url", "missing: the address hubs reach the callback server at, e.g. "
                                      "https://ingest.example.org/websub");
    websub.public_url = scalar(public_url, "websub.public_url");
    if (const std::size_t at = websub.public_url.find("{instance}"); at != std::string::npos) {
      if (!cluster)
        fail(public_url, "websub.public_url", "{instance} names a cluster instance, and there is no cluster: section");
      websub.public_url.replace(at, std::string_view("{instance}").size(), cluster->instance);
    }
    check_url(public_url, "websub.public_url", websub.public_url);
    if (!websub.public_url.starts_with("http://") && !websub.public_url.starts_with("https://"))
      fail(public_url, "websub.public_url", "'" + websub.public_url + "': hubs call an http or https URL");
    while (websub.public_url.ends_with('/')) websub.public_url.pop_back();
    if (const auto lease = node["lease"]) {
      const auto value = duration(lease, "websub.lease");
      if (value < std::chrono::hours(1) || value > std::chrono::hours(24 * 365))
        fail(lease, "websub.lease", "'" + lease.Scalar() + "' must lie within 1h..365d");
      websub.lease = std::chrono::duration_cast<std::chrono::seconds>(value);
    }
    if (const auto sha1 = node["allow_sha1"]) websub.allow_sha1 = boolean(sha1, "websub.allow_sha1");
    return websub;
  }

  unsigned workers(const YAML::Node& node) const {
    const std::string text = scalar(node, "workers");
    if (text == "auto") return 0;
    const auto value = parse_size(text);
    if (!value || text.find_first_not_of("0123456789") != std::string::npos || *value == 0 || *value > 256)
      fail(node, "workers", "'" + text + "' must be 'auto' or a number of threads from 1 to 256");
    return static_cast<unsigned>(*value);
  }

  // The scalar with each ${NAME} replaced by that environment variable when it is set: under
  // systemd, ${CREDENTIALS_DIRECTORY} is where LoadCredential= put the secret key and
  // ${STATE_DIRECTORY} the directory StateDirectory= made.
  std::string with_environment(const YAML::Node& node, const std::string& key) const {
    const std::string text = scalar(node, key);
    std::string out;
    for (std::size_t at = 0; at < text.size();) {
      const std::size_t open = text.find("${", at);
      if (open == std::string::npos) {
        out += text.substr(at);
        break;
      }
      const std::size_t close = text.find('}', open);
      if (close == std::string::npos) fail(node, key, "'" + text + "' has a ${ without its }");
      const std::string name = text.substr(open + 2, close - open - 2);
      // Unset (check-config or tail outside the service): kept as written, so the file still
      // loads and the daemon, if it gets there, names the path it could not open.
      const char* value = std::getenv(name.c_str());
      out += text.substr(at, open - at);
      out += value ? std::string(value) : text.substr(open, close - open + 1);
      at = close + 1;
    }
    return out;
  }

  // A number in [low, high], written in digits.
  std::uint64_t count(const YAML::Node& node, const std::string& key, std::uint64_t low, std::uint64_t high,
                      const std::string& what) const {
    const std::string text = scalar(node, key);
    const auto value = parse_size(text);
    if (!value || text.find_first_not_of("0123456789") != std::string::npos || *value < low || *value > high)
      fail(node, key, "'" + text + "' must be " + what + " from " + std::to_string(low) + " to " + std::to_string(high));
    return *value;
  }

  // Letters, digits, '-' and '_': what NATS allows in bucket and stream names and subject tokens.
  std::string token(const YAML::Node& node, const std::string& key) const {
    std::string text = with_environment(node, key);
    const bool valid = !text.empty() && text.size() <= 64 && std::ranges::all_of(text, [](unsigned char c) {
      return std::isalnum(c) || c == '-' || c == '_';
    });
    if (!valid) fail(node, key, "'" + text + "' must be 1 to 64 letters, digits, '-' or '_'");
    return text;
  }

  ClusterConfig cluster(const YAML::Node& node) const {
    expect_map(node, "cluster");
    check_keys(node, "cluster", kClusterKeys);
    ClusterConfig cluster;
    cluster.position = position_of(node);
    const auto nats = node["nats"];
    if (!nats) fail(node, "cluster.nats", "missing: the NATS server URL(s), e.g. nats://127.0.0.1:4222");
    cluster.nats = with_environment(nats, "cluster.nats");
    std::istringstream urls(cluster.nats);
    for (std::string url; std::getline(urls, url, ',');)
      if (!url.starts_with("nats://") && !url.starts_with("tls://"))
        fail(nats, "cluster.nats", "'" + url + "' is not a NATS URL (nats://HOST:PORT, tls://HOST:PORT)");
    if (const auto instance = node["instance"]) {
      cluster.instance = token(instance, "cluster.instance");
    } else {
      char host[256] = {};
      if (gethostname(host, sizeof host - 1) != 0 || host[0] == '\0')
        fail(node, "cluster.instance", "missing, and the host name is unknown: name this instance");
      cluster.instance = host;
      std::ranges::replace_if(cluster.instance, [](unsigned char c) { return !std::isalnum(c) && c != '-' && c != '_'; }, '-');
    }
    if (const auto name = node["name"]) cluster.name = token(name, "cluster.name");
    if (const auto shards = node["shards"])
      cluster.shards = static_cast<std::uint32_t>(count(shards, "cluster.shards", 1, 4096, "a number of shards"));
    if (const auto ttl = node["lease_ttl"]) {
      cluster.lease_ttl = duration(ttl, "cluster.lease_ttl");
      if (cluster.lease_ttl < 1s || cluster.lease_ttl > 10min)
        fail(ttl, "cluster.lease_ttl", format_duration(cluster.lease_ttl) + " is outside 1s..10m");
    }
    if (const auto stream = node["stream"]) {
      expect_map(stream, "cluster.stream");
      check_keys(stream, "cluster.stream", kStreamKeys);
      if (const auto replicas = stream["replicas"])
        cluster.stream.replicas = static_cast<int>(count(replicas, "cluster.stream.replicas", 1, 5, "a number of replicas"));
      if (const auto age = stream["max_age"]) cluster.stream.max_age = duration(age, "cluster.stream.max_age");
      if (const auto bytes = stream["max_bytes"]) cluster.stream.max_bytes = size(bytes, "cluster.stream.max_bytes");
      if (const auto window = stream["duplicate_window"])
        cluster.stream.duplicate_window = duration(window, "cluster.stream.duplicate_window");
      if (cluster.stream.duplicate_window > cluster.stream.max_age)
        fail(stream, "cluster.stream.duplicate_window", "is longer than max_age");
    }
    return cluster;
  }

  std::string endpoint(const YAML::Node& node, const std::string& key) const {
    const std::string text = scalar(node, key);
    for (std::string_view transport : {"tcp://", "ipc://", "inproc://"})
      if (text.starts_with(transport) && text.size() > transport.size()) return text;
    fail(node, key, "'" + text + "' is not a ZeroMQ endpoint (tcp://HOST:PORT or ipc://PATH)");
  }

  std::string source_;
};

}  // namespace

Config parse_config(const std::string& yaml, const std::string& source) {
  const Loader loader(source);
  const YAML::Node root = parse_yaml(yaml, source);
  try {
    return loader.load(root);
  } catch (const YAML::Exception& e) {  // a conversion the loader did not foresee
    throw ConfigError(source, {e.mark.line + 1, e.mark.column + 1}, "", e.msg);
  }
}

Config load_config(const std::filesystem::path& file) { return parse_config(read_text(file.string()), file.string()); }

}  // namespace sluice::config
