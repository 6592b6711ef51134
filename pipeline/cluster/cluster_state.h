// What cluster instances share besides leases, in JetStream key-value buckets:
// - ClusterStories: the cross-feed identities of published stories (canonical URL, text sketch), so a
//   story syndicated into feeds that different instances poll is published once cluster-wide;
// - FeedHandoff: each feed's state (validators, cookie jar, schedule, the entries it has seen), so
//   the instance that takes a shard over neither fetches everything again nor republishes.
//
// Thread-safety: none; the publish thread uses ClusterStories and the cluster thread FeedHandoff.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "feeds/fetch/poller.h"
#include "pipeline/clean/article_json.h"
#include "pipeline/cluster/fanout.h"
#include "pipeline/cluster/nats_client.h"
#include "pipeline/deliver/sequencer.h"
#include "pipeline/state/seen_entries.h"

namespace sluice::pipeline {

class ClusterStories {
 public:
  // Stories are remembered for `keep` (the journal's retention).
  ClusterStories(const NatsClient& client, const std::string& name, std::string instance,
                 std::chrono::milliseconds keep, int replicas);

  // The same rules as StoryIndex, cluster-wide: when another feed already told the story (the same
  // canonical URL; a text sharing most of this one, found by its sketch's band keys and verified on
  // the sketch; a brief with the same headline), which one and where ("feed=NAME instance=NAME")
  // and by which rule; otherwise nullopt, and the story is recorded as this article's. Each band
  // or headline key holds the latest 256 stories' sketches (32 bytes of bits in hex, the shingle
  // count, the feed and instance), so the verification needs no other read. The SimHash block keys
  // earlier versions wrote are read too, with their rule (at most 3 bits apart), while they keep.
  // Two near-duplicates (not the same URL) admitted at the same moment by two instances may both go
  // out; the same URL never does. Throws NatsError when NATS cannot be asked.
  // About four round trips: the URL claim and the 16 key reads go out together (nine at a time),
  // then the 12 key writes.
  std::optional<Sequencer::ToldElsewhere> told_elsewhere(const PreparedArticle& article);
  // The same for the publish thread (Sequencer::ask_elsewhere): when NATS cannot be asked, the
  // failure is logged (one in a hundred in a row) and the story is judged on this instance only.
  // Published rather than held: at worst a story syndicated across instances goes out twice.
  std::optional<Sequencer::ToldElsewhere> told_elsewhere_or_here(const PreparedArticle& article);

 private:
  using Found = std::vector<std::optional<KeyValueBucket::Entry>>;
  std::optional<Sequencer::ToldElsewhere> match_text(const PreparedArticle& article, const Found& found) const;
  std::optional<Sequencer::ToldElsewhere> match_simhash(const PreparedArticle& article, const Found& found) const;
  // Writes line under each of keys (found: their entries as read).
  void record(const std::vector<std::string>& keys, Found& found, const std::string& line);

  KeyValueBucket bucket_;
  std::string instance_;
  std::size_t errors_in_a_row_ = 0;
  Fanout fanout_{8};  // with the calling thread, nine requests at once
};

// A feed's state as it travels between instances.
struct FeedSnapshot {
  feeds::PollState poll;
  std::vector<SeenEntry> seen;  // oldest first
  // The WebSub hub and topic the owner is subscribed at ("" when none), for the next owner to
  // subscribe at once.
  std::string hub;
  std::string topic;
};

std::string encode_snapshot(const FeedSnapshot& snapshot);
std::optional<FeedSnapshot> decode_snapshot(std::string_view text);

class FeedHandoff {
 public:
  FeedHandoff(const NatsClient& client, const std::string& name, int replicas);

  // At most this many seen entries travel with a feed: far more than a feed document lists.
  static constexpr std::size_t kMaxSeen = 2000;

  void save(const std::string& feed, const FeedSnapshot& snapshot);
  std::optional<FeedSnapshot> load(const std::string& feed);

 private:
  KeyValueBucket bucket_;
};

}  // namespace sluice::pipeline
