// This instance as a member of a cluster (`cluster:` in the config): everything the daemon's stages
// need from NATS, behind one object the daemon wires in.
//
// - The lease thread (start()): ticks the shard leases every third of the TTL; the feeds of a shard
//   gained go to the fetch stage with the state their previous owner shared, those of a shard lost
//   are taken away at once, and renewed leases let their feeds be polled for longer (a lapsed one
//   stops them on its own). A shard is handed over only once none of its feeds is busy (a poll in
//   flight, or a document short of its commit: the daemon's `busy`).
// - For the fetch stage: polled() keeps each feed's last poll state, to share with its commit.
// - For the publish stage: stream() is the JetStream stream every article also goes to,
//   told_elsewhere() the cluster-wide story check, and shared() puts a feed's state (validators,
//   schedule, seen entries, the WebSub hub and topic) in the shared bucket after each commit, for
//   whoever owns it next.
// - For the WebSub stage (with_pushes()): each feed gained or lost, with the hub and topic its
//   previous owner was subscribed at, so the new owner subscribes without waiting for a changed
//   document.
//
// Thread-safety: polled() from the fetch thread; stream(), told_elsewhere() and shared() from the
// publish thread; the rest from the thread that owns the daemon. Each thread has handles of its own.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "config/config.h"
#include "feeds/fetch/poller.h"
#include "feeds/parse/websub_links.h"
#include "pipeline/clean/article_json.h"
#include "pipeline/cluster/article_stream.h"
#include "pipeline/cluster/cluster_state.h"
#include "pipeline/cluster/nats_client.h"
#include "pipeline/cluster/shard_leases.h"
#include "pipeline/state/seen_entries.h"
#include "pipeline/state/state_store.h"

namespace sluice::pipeline {

class ClusterMember {
 public:
  // Connects to NATS and opens the leases, the stream and the shared buckets; throws NatsError when
  // it cannot. config (with its cluster section), seen and store outlive the member.
  ClusterMember(const config::Config& config, SeenEntries& seen, StateStore& store);
  ~ClusterMember();
  ClusterMember(const ClusterMember&) = delete;
  ClusterMember& operator=(const ClusterMember&) = delete;

  // Whether a feed has work under way (a poll in flight, a document not yet committed).
  using Busy = std::function<bool(std::size_t feed)>;
  // Starts the lease thread, which hands the feeds of the shards held to fetch; both outlive stop().
  void start(feeds::Poller& fetch, Busy busy);
  // Stops the lease thread: no shard changes hands while the daemon stops.
  void stop();
  // Lets go of every lease once everything is published, so the others take the shards at once.
  // Only the first call does anything.
  void release_all();

  std::size_t shards_held() const noexcept { return shards_held_; }

  // Called on the lease thread for each feed gained (owned, with the WebSub hub and topic its
  // previous owner was subscribed at: no hubs when none) or lost (not owned, no hubs).
  using Handed = std::function<void(std::size_t feed, bool owned, const feeds::WebSubLinks& previous)>;
  // The hub and topic this instance is subscribed to a feed at, for its commit's snapshot (no hubs
  // when none; publish thread).
  using SubscribedAt = std::function<feeds::WebSubLinks(std::size_t feed)>;
  // Before start().
  void with_pushes(Handed handed, SubscribedAt subscribed_at) {
    handed_ = std::move(handed);
    subscribed_at_ = std::move(subscribed_at);
  }

  void polled(std::size_t feed, const feeds::PollState& state);
  StreamSink& stream() noexcept { return stream_; }
  std::optional<Sequencer::ToldElsewhere> told_elsewhere(const PreparedArticle& article) {
    return stories_.told_elsewhere_or_here(article);
  }
  void shared(const DocumentCommit& commit);

 private:
  void keep_leases(std::stop_token stop);
  void take_over(std::size_t feed, ShardLeases::Clock::time_point until);
  bool shard_idle(std::uint32_t shard) const;

  const config::Config& config_;
  SeenEntries& seen_;
  StateStore& store_;
  NatsClient nats_;
  ShardLeases leases_;
  FeedHandoff handoff_;        // the lease thread's
  FeedHandoff share_handoff_;  // the publish thread's
  ArticleStream stream_;
  ClusterStories stories_;
  std::vector<std::vector<std::size_t>> shard_feeds_;
  std::unordered_map<std::string_view, std::size_t> feed_index_;  // by name
  std::mutex last_poll_mutex_;
  std::vector<feeds::PollState> last_poll_;  // per feed, as the fetch stage last reported it
  std::atomic<std::size_t> shards_held_{0};
  bool released_ = false;
  feeds::Poller* fetch_ = nullptr;
  Busy busy_;
  Handed handed_;
  SubscribedAt subscribed_at_;
  std::jthread thread_;
};

}  // namespace sluice::pipeline
