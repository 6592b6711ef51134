#include "pipeline/cluster/cluster_state.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <functional>
#include <span>
#include <vector>

#include "feeds/hashing.h"
#include "feeds/logging.h"
#include "pipeline/clean/simhash.h"
#include "pipeline/deliver/story_index.h"

namespace sluice::pipeline {
namespace {

// A key of the story index keeps the latest stories with that key, at most this many.
constexpr std::size_t kMaxPerKey = 256;
// Conditional writes retried this often when other instances write the same key meanwhile.
constexpr int kWriteAttempts = 8;

std::string hex64(std::uint64_t value) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
  return text;
}

std::string hex_bytes(std::span<const std::uint8_t> bytes) {
  std::string text;
  for (const std::uint8_t byte : bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    text += kDigits[byte >> 4];
    text += kDigits[byte & 0xF];
  }
  return text;
}

bool parse_hex_bytes(std::string_view text, std::span<std::uint8_t> bytes) {
  if (text.size() != bytes.size() * 2) return false;
  const auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const int high = digit(text[2 * i]), low = digit(text[2 * i + 1]);
    if (high < 0 || low < 0) return false;
    bytes[i] = static_cast<std::uint8_t>(high << 4 | low);
  }
  return true;
}

// One told story: "<feed> <instance>" for a URL; "<sketch bits, hex> <shingles> <feed> <instance>"
// lines for a band or brief key; "<simhash hex> <feed> <instance>" lines for the SimHash block keys
// that earlier versions wrote (read for as long as they keep).
struct Told {
  std::string feed;
  std::string instance;
};

std::optional<Told> parse_told(std::string_view line) {
  const std::size_t space = line.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  return Told{std::string(line.substr(0, space)), std::string(line.substr(space + 1))};
}

std::string describe(const Told& told) { return "feed=" + told.feed + " instance=" + told.instance; }

template <typename Visit>
void for_each_line(std::string_view lines, Visit&& visit) {
  while (!lines.empty()) {
    const std::size_t end = std::min(lines.find('\n'), lines.size());
    visit(lines.substr(0, end));
    lines.remove_prefix(std::min(end + 1, lines.size()));
  }
}

// The keys an article's text is known by: its sketch's bands (a body of substance) or its
// headline (a brief).
std::vector<std::string> text_keys(const PreparedArticle& article) {
  std::vector<std::string> keys;
  if (article.sketch.empty()) return keys;
  char text[32];
  if (article.words < StoryIndex::kMinWords) {
    const std::uint64_t headline = headline_hash(article.title);
    if (headline == 0) return keys;
    std::snprintf(text, sizeof text, "brief-%016llx", static_cast<unsigned long long>(headline));
    keys.emplace_back(text);
    return keys;
  }
  for (std::size_t band = 0; band < StorySketch::kBands; ++band) {
    std::snprintf(text, sizeof text, "band-%zu-%08x", band, static_cast<unsigned>(article.sketch.bands[band]));
    keys.emplace_back(text);
  }
  return keys;
}

// The SimHash block keys of earlier versions: two fingerprints within 3 bits share one block.
std::vector<std::string> simhash_keys(const PreparedArticle& article) {
  std::vector<std::string> keys;
  if (article.words < StoryIndex::kMinWords) return keys;
  for (int block = 0; block < 4; ++block) {
    char text[16];
    std::snprintf(text, sizeof text, "sim-%d-%04x", block, static_cast<unsigned>((article.simhash >> (16 * block)) & 0xFFFF));
    keys.emplace_back(text);
  }
  return keys;
}

}  // namespace

ClusterStories::ClusterStories(const NatsClient& client, const std::string& name, std::string instance,
                               std::chrono::milliseconds keep, int replicas)
    : bucket_(client, {name + "-stories", keep, replicas}), instance_(std::move(instance)) {}

std::optional<Sequencer::ToldElsewhere> ClusterStories::told_elsewhere(const PreparedArticle& article) {
  const std::string mine = article.feed_name + " " + instance_;
  const std::vector<std::string> keys = text_keys(article), legacy = simhash_keys(article);
  // The URL claim and the reads of the text's keys (and of the SimHash blocks earlier versions
  // wrote) go out together.
  std::optional<Sequencer::ToldElsewhere> told_by_url;
  std::vector<std::optional<KeyValueBucket::Entry>> found(keys.size()), found_legacy(legacy.size());
  std::vector<std::function<void()>> jobs;
  if (names_a_story(article.url))
    jobs.emplace_back([&] {
      const std::string key = "url-" + hex64(feeds::hash64(*article.url));
      for (int attempt = 0; attempt < kWriteAttempts; ++attempt) {
        if (bucket_.create(key, mine)) return;
        const auto entry = bucket_.get(key);
        if (!entry) continue;  // it ran out in between: try to claim it again
        const auto told = parse_told(entry->value);
        if (told && told->feed != article.feed_name)
          told_by_url = {describe(*told), StoryMatch{StoryMatch::Rule::same_url, 0, {}}};
        return;
      }
    });
  for (std::size_t i = 0; i < keys.size(); ++i) jobs.emplace_back([&, i] { found[i] = bucket_.get(keys[i]); });
  for (std::size_t i = 0; i < legacy.size(); ++i)
    jobs.emplace_back([&, i] { found_legacy[i] = bucket_.get(legacy[i]); });
  fanout_.run(jobs);
  if (told_by_url) return told_by_url;
  if (auto told = match_text(article, found)) return told;
  if (auto told = match_simhash(article, found_legacy)) return told;
  if (keys.empty()) return std::nullopt;
  record(keys, found, hex_bytes(article.sketch.bits) + " " + std::to_string(article.sketch.shingles) + " " + mine + "\n");
  return std::nullopt;
}

std::optional<Sequencer::ToldElsewhere> ClusterStories::match_text(
    const PreparedArticle& article, const Found& found) const {
  const bool brief = article.words < StoryIndex::kMinWords;
  std::optional<Sequencer::ToldElsewhere> best;
  for (const auto& entry : found) {
    if (!entry) continue;
    for_each_line(entry->value, [&](std::string_view line) {
      StorySketch::Bits bits;
      const std::size_t space = line.find(' ');
      if (space == std::string_view::npos || !parse_hex_bytes(line.substr(0, space), bits)) return;
      line.remove_prefix(space + 1);
      const std::size_t after_count = line.find(' ');
      if (after_count == std::string_view::npos) return;
      const auto shingles = static_cast<std::uint32_t>(std::strtoul(std::string(line.substr(0, after_count)).c_str(), nullptr, 10));
      const auto told = parse_told(line.substr(after_count + 1));
      if (!told || told->feed == article.feed_name) return;
      const Overlap overlap = estimate_overlap(article.sketch.bits, article.sketch.shingles, bits, shingles);
      const bool same = brief ? std::min(overlap.of_first, overlap.of_second) >= StoryIndex::kBriefShare
                              : StoryIndex::same_text(overlap);
      if (same && (!best || overlap.jaccard > best->match.overlap.jaccard))
        best = {describe(*told),
                StoryMatch{brief ? StoryMatch::Rule::same_brief : StoryMatch::Rule::same_text, 0, overlap}};
    });
  }
  return best;
}

std::optional<Sequencer::ToldElsewhere> ClusterStories::match_simhash(
    const PreparedArticle& article, const Found& found) const {
  std::optional<Sequencer::ToldElsewhere> told_here;
  for (const auto& entry : found) {
    if (!entry) continue;
    for_each_line(entry->value, [&](std::string_view line) {
      if (told_here || line.size() < 18) return;
      const std::uint64_t other = std::strtoull(std::string(line.substr(0, 16)).c_str(), nullptr, 16);
      const auto told = parse_told(line.substr(17));
      if (told && told->feed != article.feed_name && hamming_distance(other, article.simhash) <= 3)
        told_here = {describe(*told) + " (by the SimHash of an earlier version)",
                     StoryMatch{StoryMatch::Rule::same_text, 0, {}}};
    });
  }
  return told_here;
}

void ClusterStories::record(const std::vector<std::string>& keys, std::vector<std::optional<KeyValueBucket::Entry>>& found,
                            const std::string& line) {
  // Under each key, all together, each by a write conditional on the key as read (read again only
  // when another instance wrote it in between). Oldest lines go first once a key is full.
  std::vector<std::function<void()>> jobs;
  for (std::size_t i = 0; i < keys.size(); ++i)
    jobs.emplace_back([&, i] {
      for (int attempt = 0; attempt < kWriteAttempts; ++attempt) {
        if (!found[i]) {
          if (bucket_.create(keys[i], line)) return;
        } else {
          std::string value = found[i]->value + line;
          while (value.size() > kMaxPerKey * line.size()) value.erase(0, value.find('\n') + 1);
          if (bucket_.update(keys[i], value, found[i]->revision)) return;
        }
        found[i] = bucket_.get(keys[i]);
      }
    });
  fanout_.run(jobs);
}

std::optional<Sequencer::ToldElsewhere> ClusterStories::told_elsewhere_or_here(const PreparedArticle& article) {
  try {
    auto where = told_elsewhere(article);
    errors_in_a_row_ = 0;
    return where;
  } catch (const NatsError& e) {
    if (errors_in_a_row_++ % 100 == 0)
      logger("publish")->warn("story not checked across the cluster feed={} id={} error=\"{}\"; checked on this "
                              "instance only",
                              article.feed_name, article.id, e.what());
    return std::nullopt;
  }
}

std::string encode_snapshot(const FeedSnapshot& snapshot) {
  nlohmann::json seen = nlohmann::json::array();
  for (const SeenEntry& entry : snapshot.seen)
    seen.push_back({entry.key, hex64(entry.content), hex64(entry.text), entry.revision});
  const feeds::PollState& poll = snapshot.poll;
  return nlohmann::json{{"etag", poll.etag},
                        {"last_modified", poll.last_modified},
                        {"next_due", poll.next_due},
                        {"errors", poll.errors},
                        {"url", poll.url},
                        {"redirect_target", poll.redirect_target},
                        {"redirect_streak", poll.redirect_streak},
                        {"cookies", poll.cookies},
                        {"last_polled", poll.last_polled},
                        {"last_status", poll.last_status},
                        {"hub", snapshot.hub},
                        {"topic", snapshot.topic},
                        {"seen", std::move(seen)}}
      .dump();
}

std::optional<FeedSnapshot> decode_snapshot(std::string_view text) {
  const auto json = nlohmann::json::parse(text, nullptr, false);
  if (!json.is_object()) return std::nullopt;
  try {
    FeedSnapshot snapshot;
    feeds::PollState& poll = snapshot.poll;
    poll.etag = json.value("etag", "");
    poll.last_modified = json.value("last_modified", "");
    poll.next_due = json.value("next_due", std::int64_t{0});
    poll.errors = json.value("errors", 0);
    poll.url = json.value("url", "");
    poll.redirect_target = json.value("redirect_target", "");
    poll.redirect_streak = json.value("redirect_streak", 0);
    poll.cookies = json.value("cookies", "");
    poll.last_polled = json.value("last_polled", std::int64_t{0});
    poll.last_status = json.value("last_status", "");
    snapshot.hub = json.value("hub", "");
    snapshot.topic = json.value("topic", "");
    for (const auto& entry : json.value("seen", nlohmann::json::array())) {
      if (!entry.is_array() || entry.size() != 4) return std::nullopt;
      snapshot.seen.push_back({entry[0].get<std::string>(),
                               std::strtoull(entry[1].get<std::string>().c_str(), nullptr, 16),
                               std::strtoull(entry[2].get<std::string>().c_str(), nullptr, 16),
                               entry[3].get<std::uint32_t>()});
    }
    return snapshot;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

FeedHandoff::FeedHandoff(const NatsClient& client, const std::string& name, int replicas)
    : bucket_(client, {name + "-feeds", std::chrono::milliseconds(0), replicas}) {}

void FeedHandoff::save(const std::string& feed, const FeedSnapshot& snapshot) {
  if (snapshot.seen.size() <= kMaxSeen) {
    bucket_.put(feed, encode_snapshot(snapshot));
    return;
  }
  FeedSnapshot recent{snapshot.poll,
                      {snapshot.seen.end() - static_cast<std::ptrdiff_t>(kMaxSeen), snapshot.seen.end()},
                      snapshot.hub,
                      snapshot.topic};
  bucket_.put(feed, encode_snapshot(recent));
}

std::optional<FeedSnapshot> FeedHandoff::load(const std::string& feed) {
  const auto found = bucket_.get(feed);
  if (!found) return std::nullopt;
  return decode_snapshot(found->value);
}

}  // namespace sluice::pipeline
