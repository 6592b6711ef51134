#include "pipeline/cluster/cluster_member.h"

#include <algorithm>
#include <condition_variable>
#include <tuple>
#include <utility>

#include "config/units.h"
#include "feeds/logging.h"

namespace sluice::pipeline {

ClusterMember::ClusterMember(const config::Config& config, SeenEntries& seen, StateStore& store)
    : config_(config),
      seen_(seen),
      store_(store),
      nats_(config.cluster->nats, "sluice " + config.cluster->instance),
      leases_(nats_, ShardLeases::Settings{config.cluster->instance, config.cluster->name, config.cluster->shards,
                                           config.cluster->lease_ttl, config.cluster->stream.replicas}),
      handoff_(nats_, config.cluster->name, config.cluster->stream.replicas),
      share_handoff_(nats_, config.cluster->name, config.cluster->stream.replicas),
      stream_(nats_, config.cluster->name, config.cluster->stream, config.cluster->instance),
      stories_(nats_, config.cluster->name, config.cluster->instance, config.journal.max_age,
               config.cluster->stream.replicas),
      shard_feeds_(config.cluster->shards),
      last_poll_(config.feeds.size()) {
  const config::ClusterConfig& cluster = *config.cluster;
  for (std::size_t i = 0; i < config.feeds.size(); ++i) {
    shard_feeds_[shard_of(config.feeds[i].name, cluster.shards)].push_back(i);
    feed_index_.emplace(config.feeds[i].name, i);
  }
  logger("cluster")->info("cluster joined nats={} instance={} shards={} lease_ttl={}", cluster.nats, cluster.instance,
                          cluster.shards, config::format_duration(cluster.lease_ttl));
}

ClusterMember::~ClusterMember() { stop(); }

void ClusterMember::start(feeds::Poller& fetch, Busy busy) {
  fetch_ = &fetch;
  busy_ = std::move(busy);
  thread_ = std::jthread([this](std::stop_token stop) { keep_leases(stop); });
}

void ClusterMember::stop() {
  if (!thread_.joinable()) return;
  thread_.request_stop();
  thread_.join();
}

void ClusterMember::release_all() {
  // Once: the daemon's destructor stops it again, possibly after a reloaded daemon has joined under
  // the same instance name, whose membership a second release would erase.
  if (std::exchange(released_, true)) return;
  leases_.release_all();
}

void ClusterMember::polled(std::size_t feed, const feeds::PollState& state) {
  const std::lock_guard lock(last_poll_mutex_);
  last_poll_[feed] = state;
}

void ClusterMember::keep_leases(std::stop_token stop) {
  static const auto log = logger("cluster");
  std::mutex mutex;
  std::condition_variable_any wake;
  while (!stop.stop_requested()) {
    const auto changes =
        leases_.tick(ShardLeases::Clock::now(), [this](std::uint32_t shard) { return shard_idle(shard); });
    std::size_t feeds_lost = 0;
    std::size_t feeds_gained = 0;
    for (const std::uint32_t shard : changes.lost)
      for (const std::size_t feed : shard_feeds_[shard]) {
        fetch_->disown(feed);
        if (handed_) handed_(feed, false, {});
        ++feeds_lost;
      }
    for (const std::uint32_t shard : changes.gained)
      for (const std::size_t feed : shard_feeds_[shard]) {
        take_over(feed, *leases_.valid_until(shard));
        ++feeds_gained;
      }
    // Renewed leases let their feeds be polled for longer; a lapsed one stops them on its own.
    for (std::uint32_t shard = 0; shard < shard_feeds_.size(); ++shard)
      if (const auto until = leases_.valid_until(shard))
        for (const std::size_t feed : shard_feeds_[shard]) fetch_->extend(feed, *until);
    shards_held_ = leases_.held();
    if (!changes.gained.empty() || !changes.lost.empty())
      log->info("shards changed instance={} held={} gained={} lost={} feeds_gained={} feeds_lost={} members={}",
                leases_.instance(), leases_.held(), changes.gained.size(), changes.lost.size(), feeds_gained,
                feeds_lost, leases_.members().size());
    std::unique_lock lock(mutex);
    wake.wait_for(lock, stop, leases_.tick_interval(), [] { return false; });
  }
}

void ClusterMember::take_over(std::size_t feed, ShardLeases::Clock::time_point until) {
  const std::string& name = config_.feeds[feed].name;
  std::optional<feeds::PollState> state;
  feeds::WebSubLinks subscription;
  try {
    if (auto snapshot = handoff_.load(name)) {
      // What the previous owner published is remembered here too, so it is not published again.
      seen_.restore(name, snapshot->seen);
      store_.commit({name, snapshot->poll.etag, snapshot->poll.last_modified, snapshot->seen});
      state = std::move(snapshot->poll);
      if (!snapshot->hub.empty()) subscription = {{std::move(snapshot->hub)}, std::move(snapshot->topic)};
    }
  } catch (const std::exception& e) {
    logger("cluster")->warn("feed state not taken over feed={} error=\"{}\"; it is polled from what this instance knew",
                            name, e.what());
  }
  if (handed_) handed_(feed, true, subscription);
  fetch_->own(feed, std::move(state), until);
}

bool ClusterMember::shard_idle(std::uint32_t shard) const {
  return std::ranges::none_of(shard_feeds_[shard], [this](std::size_t feed) { return busy_(feed); });
}

void ClusterMember::shared(const DocumentCommit& commit) {
  const auto found = feed_index_.find(commit.feed);
  if (found == feed_index_.end()) return;
  try {
    FeedSnapshot snapshot;
    {
      const std::lock_guard lock(last_poll_mutex_);
      snapshot.poll = last_poll_[found->second];
    }
    if (commit.validators) {
      snapshot.poll.etag = commit.etag;
      snapshot.poll.last_modified = commit.last_modified;
    } else {
      std::tie(snapshot.poll.etag, snapshot.poll.last_modified) = store_.load_validators(commit.feed);
    }
    snapshot.seen = store_.load_seen(commit.feed, FeedHandoff::kMaxSeen);
    if (subscribed_at_)
      if (feeds::WebSubLinks subscription = subscribed_at_(found->second); !subscription.hubs.empty()) {
        snapshot.hub = std::move(subscription.hubs.front());
        snapshot.topic = std::move(subscription.self);
      }
    share_handoff_.save(commit.feed, snapshot);
  } catch (const std::exception& e) {
    // Another instance taking the feed over then fetches it in full; the stream drops the repeats.
    logger("cluster")->warn("feed state not shared feed={} error=\"{}\"", commit.feed, e.what());
  }
}

}  // namespace sluice::pipeline
