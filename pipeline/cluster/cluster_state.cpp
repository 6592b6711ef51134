#include "pipeline/cluster/cluster_state.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <functional>
#include <vector>

#include "feeds/hashing.h"
#include "feeds/logging.h"
#include "pipeline/clean/simhash.h"
#include "pipeline/deliver/story_index.h"

namespace sluice::pipeline {
namespace {

// A SimHash block key keeps the latest fingerprints with that block, at most this many.
constexpr std::size_t kMaxPerBlock = 256;
// Conditional writes retried this often when other instances write the same block meanwhile.
constexpr int kWriteAttempts = 8;

std::string hex64(std::uint64_t value) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
  return text;
}

// One told story: "<feed> <instance>" for a URL, "<simhash hex> <feed> <instance>" lines for a block.
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

}  // namespace

ClusterStories::ClusterStories(const NatsClient& client, const std::string& name, std::string instance,
                               std::chrono::milliseconds keep, int replicas)
    : bucket_(client, {name + "-stories", keep, replicas}), instance_(std::move(instance)) {}

std::optional<std::string> ClusterStories::told_elsewhere(const PreparedArticle& article) {
  const std::string mine = article.feed_name + " " + instance_;
  const bool by_text = article.words >= StoryIndex::kMinWords;
  std::string keys[4];
  for (int block = 0; by_text && block < 4; ++block) {
    char text[16];
    std::snprintf(text, sizeof text, "%d-%04x", block, static_cast<unsigned>((article.simhash >> (16 * block)) & 0xFFFF));
    keys[block] = std::string("sim-") + text;
  }
  // The URL claim and the reads of the four SimHash blocks go out together.
  std::optional<std::string> told_by_url;
  std::optional<KeyValueBucket::Entry> blocks[4];
  std::vector<std::function<void()>> jobs;
  if (names_a_story(article.url))
    jobs.emplace_back([&] {
      const std::string key = "url-" + hex64(feeds::hash64(*article.url));
      for (int attempt = 0; attempt < kWriteAttempts; ++attempt) {
        if (bucket_.create(key, mine)) return;
        const auto found = bucket_.get(key);
        if (!found) continue;  // it ran out in between: try to claim it again
        const auto told = parse_told(found->value);
        if (told && told->feed != article.feed_name) told_by_url = describe(*told);
        return;
      }
    });
  for (int block = 0; by_text && block < 4; ++block)
    jobs.emplace_back([&, block] { blocks[block] = bucket_.get(keys[block]); });
  fanout_.run(jobs);
  if (told_by_url) return told_by_url;
  if (!by_text) return std::nullopt;
  // Two fingerprints within 3 bits agree on one of their four 16-bit blocks at least.
  for (const auto& found : blocks) {
    if (!found) continue;
    std::string_view lines = found->value;
    while (!lines.empty()) {
      const std::size_t end = std::min(lines.find('\n'), lines.size());
      const std::string_view line = lines.substr(0, end);
      lines.remove_prefix(std::min(end + 1, lines.size()));
      if (line.size() < 18) continue;
      const std::uint64_t other = std::strtoull(std::string(line.substr(0, 16)).c_str(), nullptr, 16);
      const auto told = parse_told(line.substr(17));
      if (told && told->feed != article.feed_name && hamming_distance(other, article.simhash) <= StoryIndex::kMaxDistance)
        return describe(*told);
    }
  }
  // Recorded under each block, the four together, each by a write conditional on the block as
  // read (read again only when another instance wrote it in between).
  const std::string line = hex64(article.simhash) + " " + mine + "\n";
  jobs.clear();
  for (int block = 0; block < 4; ++block)
    jobs.emplace_back([&, block] {
      std::optional<KeyValueBucket::Entry>& found = blocks[block];
      for (int attempt = 0; attempt < kWriteAttempts; ++attempt) {
        if (!found) {
          if (bucket_.create(keys[block], line)) return;
        } else {
          std::string value = found->value + line;
          // Oldest lines go first once the block is full.
          while (value.size() > kMaxPerBlock * line.size()) value.erase(0, value.find('\n') + 1);
          if (bucket_.update(keys[block], value, found->revision)) return;
        }
        found = bucket_.get(keys[block]);
      }
    });
  fanout_.run(jobs);
  return std::nullopt;
}

std::optional<std::string> ClusterStories::told_elsewhere_or_here(const PreparedArticle& article) {
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
  FeedSnapshot recent{snapshot.poll, {snapshot.seen.end() - static_cast<std::ptrdiff_t>(kMaxSeen), snapshot.seen.end()}};
  bucket_.put(feed, encode_snapshot(recent));
}

std::optional<FeedSnapshot> FeedHandoff::load(const std::string& feed) {
  const auto found = bucket_.get(feed);
  if (!found) return std::nullopt;
  return decode_snapshot(found->value);
}

}  // namespace sluice::pipeline
