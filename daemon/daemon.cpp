#include "daemon/daemon.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <ranges>

#include "config/units.h"
#include "feeds/logging.h"
#include "pipeline/clean/article_json.h"
#include "pipeline/cluster/article_stream.h"
#include "pipeline/deliver/journal.h"
#include "pipeline/deliver/sequencer.h"
#include "pipeline/deliver/publisher.h"

namespace sluice::daemon {
namespace {

using namespace std::chrono_literals;

constexpr std::size_t kDocumentQueue = 64;
constexpr std::size_t kArticleQueue = 4096;
constexpr auto kHeartbeatInterval = 1s;
// Articles are made durable together: at most this many, gathered for at most this long.
constexpr std::size_t kJournalBatch = 1024;
// While the disk is still busy with the batch before, gathering goes on past kJournalBatch up to
// this: under load, batches grow to what the disk can take, and the publish thread admits instead
// of waiting for an fdatasync.
constexpr std::size_t kJournalBatchMost = 8192;
constexpr auto kJournalBatchTime = 10ms;
// The most queued items the publish thread takes at once.
constexpr std::size_t kTakeMost = 256;
// After a failed journal write (a full disk), how long before the next try.
constexpr auto kJournalRetry = 1s;
// A loop that has not come round for this long is stuck (the fetch loop turns at least once a
// second, the publish loop ten times); so is a worker on one document for longer than the other.
constexpr auto kLoopStuckAfter = 20s;
constexpr auto kWorkerStuckAfter = 10min;

pipeline::JournalLimits journal_limits(const config::Config& config) {
  pipeline::JournalLimits limits;
  limits.max_bytes = config.journal.max_size;
  limits.max_age = std::chrono::duration_cast<std::chrono::seconds>(config.journal.max_age);
  return limits;
}

// A bound endpoint as other hosts reach it: a wildcard address becomes this host's name.
std::string advertised(const std::string& bound) {
  for (const std::string wildcard : {"tcp://*:", "tcp://0.0.0.0:", "tcp://[::]:"}) {
    if (!bound.starts_with(wildcard)) continue;
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) != 0) break;
    return "tcp://" + std::string(host) + ":" + bound.substr(wildcard.size());
  }
  return bound;
}

// Entries remembered per feed: more than any feed's document may hold, so what a feed lists now
// is always remembered (a document past the memory would be published again on every poll).
std::size_t seen_per_feed(const config::Config& config) {
  std::size_t most = pipeline::SeenEntries::kDefaultPerFeed;
  for (const config::FeedConfig& feed : config.feeds) most = std::max<std::size_t>(most, 2ULL * feed.poll.max_items);
  return most;
}

unsigned worker_count(const config::Config& config) {
  if (config.workers > 0) return config.workers;
  return std::max(1U, std::thread::hardware_concurrency());
}

}  // namespace

Daemon::Daemon(config::Config config, Metrics& metrics)
    : config_(std::move(config)),
      metrics_(metrics),
      documents_(kDocumentQueue),
      outgoing_(kArticleQueue),
      seen_(seen_per_feed(config_)),
      pending_(std::make_unique<std::atomic<int>[]>(config_.feeds.size())),
      last_poll_(config_.feeds.size()) {
  for (std::size_t i = 0; i < config_.feeds.size(); ++i) feed_index_.emplace(config_.feeds[i].name, i);
}

Daemon::~Daemon() { stop(); }

std::vector<feeds::PollState> Daemon::restore_state() {
  static const auto log = logger("daemon");
  store_ = std::make_unique<pipeline::StateStore>(config_.state_dir, seen_per_feed(config_));
  const auto stored = store_->load_feeds();
  std::vector<feeds::PollState> initial(config_.feeds.size());
  std::size_t remembered = 0;
  for (std::size_t i = 0; i < config_.feeds.size(); ++i) {
    const std::string& name = config_.feeds[i].name;
    if (const auto found = stored.find(name); found != stored.end()) {
      const pipeline::StoredFeed& kept = found->second;
      initial[i].etag = kept.etag;
      initial[i].last_modified = kept.last_modified;
      initial[i].next_due = kept.next_due;
      initial[i].errors = kept.errors;
      initial[i].cookies = kept.cookies;
      // An adopted redirect holds only while the operator keeps the URL it was adopted from.
      if (kept.configured_url == config_.feeds[i].url) {
        initial[i].url = kept.url;
        initial[i].redirect_target = kept.redirect_target;
        initial[i].redirect_streak = kept.redirect_streak;
      }
    }
    const auto keys = store_->load_seen(name);
    seen_.restore(name, keys);
    remembered += keys.size();
  }
  log->info("state loaded path={} feeds_known={} entries_known={}", store_->path().string(), stored.size(), remembered);
  return initial;
}

void Daemon::start() {
  static const auto log = logger("daemon");
  std::vector<feeds::PollState> initial = restore_state();
  if (const auto& cluster = config_.cluster) {
    nats_ = std::make_unique<pipeline::NatsClient>(cluster->nats, "sluice " + cluster->instance);
    leases_ = std::make_unique<pipeline::ShardLeases>(
        *nats_, pipeline::ShardLeases::Settings{cluster->instance, cluster->name, cluster->shards, cluster->lease_ttl,
                                                cluster->stream.replicas});
    handoff_ = std::make_unique<pipeline::FeedHandoff>(*nats_, cluster->name, cluster->stream.replicas);
    shard_feeds_.resize(cluster->shards);
    for (std::size_t i = 0; i < config_.feeds.size(); ++i)
      shard_feeds_[pipeline::shard_of(config_.feeds[i].name, cluster->shards)].push_back(i);
    log->info("cluster joined nats={} instance={} shards={} lease_ttl={}", cluster->nats, cluster->instance,
              cluster->shards, config::format_duration(cluster->lease_ttl));
  }
  if (const auto& curve = config_.publish.curve)
    curve_ = std::make_unique<pipeline::CurveServer>(context_, curve->secret_key_file, curve->clients_dir);
  std::promise<std::string> bound;
  std::future<std::string> bound_endpoint = bound.get_future();
  publish_thread_ = std::thread(&Daemon::publish, this, std::move(bound));
  try {
    endpoint_ = bound_endpoint.get();
    replay_ = std::make_unique<pipeline::ReplayServer>(context_, config_.publish.replay_endpoint,
                                                       config_.state_dir / "journal", epoch_, durable_head_, curve_.get());
  } catch (...) {
    outgoing_.close();
    publish_thread_.join();
    throw;
  }
  replay_thread_ = std::jthread([this](std::stop_token stop) { replay_->run(stop); });
  if (config_.cluster) {
    const std::lock_guard lock(advertise_mutex_);
    advertised_replay_ = advertised(replay_->endpoint());
  }
  const unsigned workers = worker_count(config_);
  worker_busy_since_ = std::make_unique<std::atomic<std::chrono::steady_clock::rep>[]>(workers);
  worker_count_ = workers;
  for (unsigned i = 0; i < workers; ++i) workers_.emplace_back(&Daemon::work, this, i);
  poller_ = std::make_unique<feeds::Poller>(
      config_, std::move(initial),
      [this](feeds::PolledDocument&& document) {
        const std::size_t feed = document.feed;
        ++pending_[feed];
        if (documents_.push(std::move(document))) return true;
        --pending_[feed];
        return false;
      },
      [this](std::size_t feed, const feeds::PollState& state) {
        if (nats_) {
          const std::lock_guard lock(last_poll_mutex_);
          last_poll_[feed] = state;
        }
        try {
          const config::FeedConfig& source = config_.feeds[feed];
          store_->save_progress(source.name, {"", "", state.next_due, state.errors, source.url,
                                              state.url == source.url ? "" : state.url, state.redirect_target,
                                              state.redirect_streak, state.cookies, state.last_polled,
                                              state.last_status});
        } catch (const std::exception& e) {
          logger("fetch")->error("schedule not saved feed={} error=\"{}\"", config_.feeds[feed].name, e.what());
        }
        metrics_.scheduled(config_.feeds[feed].name, state.next_due, state.errors);
      },
      [this](std::size_t feed, const feeds::FetchResult& result) {
        const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch()).count();
        metrics_.fetched(config_.feeds[feed].name, result, now);
      },
      feeds::Clock::real(), !leases_);
  poller_->hold_while([this](std::size_t feed) { return pending_[feed] > 0; });
  worker_ = std::make_unique<pipeline::DocumentWorker>(config_, seen_, *poller_, stopping_);
  fetch_thread_ = std::jthread([this](std::stop_token stop) { poller_->run(stop); });
  if (leases_) cluster_thread_ = std::jthread([this](std::stop_token stop) { keep_leases(stop); });
  log->info("sluice started version={} config={} feeds={} workers={} endpoint={} replay={} epoch={} curve={}",
            SLUICE_VERSION, config_.source, config_.feeds.size(), workers, endpoint_, replay_->endpoint(), epoch_,
            curve_ ? "on" : "off");
}

void Daemon::stop() {
  // Workers let go of their documents: what they held is not committed, so it is fetched again on
  // the next start. What reached the publish thread is published.
  stopping_ = true;
  // No shard changes hands while stopping; the leases are let go once everything is published.
  if (cluster_thread_.joinable()) {
    cluster_thread_.request_stop();
    cluster_thread_.join();
  }
  if (fetch_thread_.joinable()) {
    fetch_thread_.request_stop();
    documents_.close();  // a fetch thread waiting for room gives up
    fetch_thread_.join();
  }
  documents_.close();
  for (std::thread& worker : workers_) worker.join();
  workers_.clear();
  outgoing_.close();
  if (publish_thread_.joinable()) publish_thread_.join();
  if (replay_thread_.joinable()) {
    replay_thread_.request_stop();
    replay_thread_.join();
  }
  if (leases_) {
    leases_->release_all();
    leases_.reset();
  }
}

void Daemon::keep_leases(std::stop_token stop) {
  static const auto log = logger("cluster");
  std::mutex mutex;
  std::condition_variable_any wake;
  while (!stop.stop_requested()) {
    const auto changes =
        leases_->tick(std::chrono::steady_clock::now(), [this](std::uint32_t shard) { return shard_idle(shard); });
    std::size_t feeds_lost = 0;
    std::size_t feeds_gained = 0;
    for (const std::uint32_t shard : changes.lost)
      for (const std::size_t feed : shard_feeds_[shard]) {
        poller_->disown(feed);
        ++feeds_lost;
      }
    for (const std::uint32_t shard : changes.gained)
      for (const std::size_t feed : shard_feeds_[shard]) {
        take_over(feed, *leases_->valid_until(shard));
        ++feeds_gained;
      }
    // Renewed leases let their feeds be polled for longer; a lapsed one stops them on its own.
    for (std::uint32_t shard = 0; shard < shard_feeds_.size(); ++shard)
      if (const auto until = leases_->valid_until(shard))
        for (const std::size_t feed : shard_feeds_[shard]) poller_->extend(feed, *until);
    shards_held_ = leases_->held();
    if (!changes.gained.empty() || !changes.lost.empty())
      log->info("shards changed instance={} held={} gained={} lost={} feeds_gained={} feeds_lost={} members={}",
                leases_->instance(), leases_->held(), changes.gained.size(), changes.lost.size(), feeds_gained,
                feeds_lost, leases_->members().size());
    std::unique_lock lock(mutex);
    wake.wait_for(lock, stop, leases_->tick_interval(), [] { return false; });
  }
}

void Daemon::take_over(std::size_t feed, std::chrono::steady_clock::time_point until) {
  static const auto log = logger("cluster");
  const std::string& name = config_.feeds[feed].name;
  std::optional<feeds::PollState> state;
  try {
    if (auto snapshot = handoff_->load(name)) {
      // What the previous owner published is remembered here too, so it is not published again.
      seen_.restore(name, snapshot->seen);
      store_->commit({name, snapshot->poll.etag, snapshot->poll.last_modified, snapshot->seen});
      state = std::move(snapshot->poll);
    }
  } catch (const std::exception& e) {
    log->warn("feed state not taken over feed={} error=\"{}\"; it is polled from what this instance knew", name,
              e.what());
  }
  poller_->own(feed, std::move(state), until);
}

bool Daemon::shard_idle(std::uint32_t shard) const {
  return std::ranges::none_of(shard_feeds_[shard],
                              [this](std::size_t feed) { return poller_->busy(feed) || pending_[feed] > 0; });
}

void Daemon::share_feed_state(pipeline::FeedHandoff& handoff, const pipeline::DocumentCommit& commit) {
  static const auto log = logger("cluster");
  const auto found = feed_index_.find(commit.feed);
  if (found == feed_index_.end()) return;
  try {
    pipeline::FeedSnapshot snapshot;
    {
      const std::lock_guard lock(last_poll_mutex_);
      snapshot.poll = last_poll_[found->second];
    }
    snapshot.poll.etag = commit.etag;
    snapshot.poll.last_modified = commit.last_modified;
    snapshot.seen = store_->load_seen(commit.feed, pipeline::FeedHandoff::kMaxSeen);
    handoff.save(commit.feed, snapshot);
  } catch (const std::exception& e) {
    // Another instance taking the feed over then fetches it in full; the stream drops the repeats.
    log->warn("feed state not shared feed={} error=\"{}\"", commit.feed, e.what());
  }
}

void Daemon::work(std::size_t index) {
  const auto to_publish = [this](pipeline::WorkItem&& item) { return outgoing_.push(std::move(item)); };
  while (auto document = documents_.pop()) {
    if (stopping_) {
      logger("daemon")->info("document not processed feed={}: sluice is stopping; it is fetched again on the next start",
                             config_.feeds[document->feed].name);
      --pending_[document->feed];
      continue;
    }
    worker_busy_since_[index] = std::chrono::steady_clock::now().time_since_epoch().count();
    if (!report(*document, worker_->process(*document, to_publish))) --pending_[document->feed];
    worker_busy_since_[index] = 0;
  }
}

Metrics::Gauges Daemon::gauges() const {
  return {true,
          health().alive,
          documents_.size(),
          outgoing_.size(),
          journal_bytes_.load(),
          durable_head_.load(),
          journal_first_.load(),
          subscribers_.load(),
          replay_ ? replay_->requests() : 0,
          replay_ ? replay_->refused_busy() : 0,
          replay_ ? replay_->queued_bytes() : 0,
          leases_ ? std::optional<std::size_t>(shards_held_.load()) : std::nullopt};
}

Daemon::Health Daemon::health() const {
  using Clock = std::chrono::steady_clock;
  const auto now = Clock::now();
  const auto at = [](Clock::rep ticks) { return Clock::time_point(Clock::duration(ticks)); };
  Health health;
  const auto stuck = [&](std::string which) {
    health.alive = false;
    if (health.stuck.empty()) health.stuck = std::move(which);
  };
  if (now - poller_->last_turn() > kLoopStuckAfter) stuck("fetch");
  if (now - at(publish_turn_) > kLoopStuckAfter) stuck("publish");
  for (std::size_t i = 0; i < worker_count_; ++i)
    if (const auto since = worker_busy_since_[i].load(); since != 0 && now - at(since) > kWorkerStuckAfter)
      stuck("worker " + std::to_string(i));
  health.status = "feeds=" + std::to_string(config_.feeds.size()) + " failing=" + std::to_string(poller_->failing()) +
                  " queued=" + std::to_string(documents_.size()) + " published=" + std::to_string(metrics_.published.load()) +
                  " head=" + std::to_string(durable_head_.load()) + " subscribers=" + std::to_string(subscribers_.load());
  if (config_.cluster) health.status += " shards=" + std::to_string(shards_held_.load());
  if (!health.alive) health.status += " stuck=" + health.stuck;
  return health;
}

bool Daemon::report(const feeds::PolledDocument& document,
                    const std::expected<pipeline::DocumentOutput, pipeline::DocumentError>& outcome) {
  const config::FeedConfig& feed = config_.feeds[document.feed];
  const std::string& url = document.response.effective_url.empty() ? feed.url : document.response.effective_url;
  if (!outcome) {
    using Kind = pipeline::DocumentError::Kind;
    if (outcome.error().kind == Kind::unreadable) {
      ++metrics_.feed_parse_errors;
      logger("parse")->warn("feed not parsed feed={} url={} error=\"{}\"; polling goes on and a changed document is "
                            "read again",
                            feed.name, url, outcome.error().reason);
    } else if (outcome.error().kind == Kind::stopping) {
      logger("parse")->info("document not finished feed={}: sluice is stopping; it is fetched again on the next start",
                            feed.name);
    }
    return false;
  }
  const pipeline::DocumentOutput& out = *outcome;
  metrics_.articles_built += out.fresh + out.edited;
  if (out.format == "html") {
    logger("clean")->info("page feed read feed={} links={} new={} failed={}", feed.name, out.listed, out.fresh,
                          out.failed);
    return true;
  }
  static const auto log = logger("parse");
  metrics_.entries_parsed += out.listed;
  metrics_.entries_over_max_items += out.dropped;
  metrics_.entries_deferred += out.deferred;
  metrics_.revisions_held += out.held;
  if (out.dropped > 0)
    log->warn("feed lists more items than max_items feed={} items={} max_items={}; the newest were read, {} dropped",
              feed.name, out.listed, feed.poll.max_items, out.dropped);
  if (out.deferred > 0)
    log->warn("feed has more new items than max_new_per_poll feed={} new={} max_new_per_poll={}; the oldest {} go out "
              "now, the rest on the next polls",
              feed.name, out.fresh + out.deferred, feed.poll.max_new_per_poll, out.most_new);
  if (out.held > 0)
    log->info("edits held feed={} items={} min_revision_interval={}; each goes out once its item's interval has passed",
              feed.name, out.held, config::format_duration(feed.poll.min_revision_interval));
  // A malformed feed that still reads is not a failure: what was wrong goes with the summary.
  if (!out.repaired.empty())
    log->info("feed parsed feed={} format={} entries={} new={} edited={} repaired=\"{}\"", feed.name, out.format,
              out.listed, out.fresh, out.edited, out.repaired);
  else
    log->info("feed parsed feed={} format={} entries={} new={} edited={}", feed.name, out.format, out.listed,
              out.fresh, out.edited);
  return true;
}

void Daemon::publish(std::promise<std::string> bound) {
  static const auto log = logger("publish");
  std::optional<pipeline::Journal> journal;
  std::optional<pipeline::Publisher> publisher;
  // In a cluster: the JetStream stream, the cluster-wide story identities, the shared feed state.
  std::optional<pipeline::ArticleStream> stream;
  std::optional<pipeline::ClusterStories> stories;
  std::optional<pipeline::FeedHandoff> handoff;
  try {
    publish_turn_ = std::chrono::steady_clock::now().time_since_epoch().count();
    journal.emplace(config_.state_dir / "journal", journal_limits(config_));
    epoch_ = journal->epoch();
    durable_head_ = journal->head();
    journal_bytes_ = journal->bytes();
    journal_first_ = journal->first();
    publisher.emplace(context_, config_.publish.endpoint, epoch_, journal->head(), curve_.get(),
                      static_cast<int>(config_.publish.subscriber_queue));
    if (const auto& cluster = config_.cluster) {
      stream.emplace(*nats_, cluster->name, cluster->stream, cluster->instance);
      stories.emplace(*nats_, cluster->name, cluster->instance, config_.journal.max_age, cluster->stream.replicas);
      handoff.emplace(*nats_, cluster->name, cluster->stream.replicas);
      publisher->advertise(cluster->instance, "");
    }
  } catch (...) {
    bound.set_exception(std::current_exception());
    return;
  }
  // What is already published, rebuilt from the journal, so a repeat is caught across restarts too.
  pipeline::Sequencer sequencer(*journal);
  std::size_t cluster_errors = 0;
  if (stories)
    sequencer.ask_elsewhere([&](const pipeline::PreparedArticle& article) -> std::optional<std::string> {
      try {
        auto where = stories->told_elsewhere(article);
        cluster_errors = 0;
        return where;
      } catch (const pipeline::NatsError& e) {
        // Published rather than held: at worst a story syndicated across instances goes out twice.
        if (cluster_errors++ % 100 == 0)
          log->warn("story not checked across the cluster feed={} id={} error=\"{}\"; checked on this instance only",
                    article.feed_name, article.id, e.what());
        return std::nullopt;
      }
    });
  if (journal->recovered_bytes() > 0)
    log->warn("journal had a torn tail path={} bytes_cut={}; it ends at seq={}", (config_.state_dir / "journal").string(),
              journal->recovered_bytes(), journal->head());
  log->info("journal opened path={} epoch={} first={} head={} stories={}", (config_.state_dir / "journal").string(),
            epoch_, journal->first(), journal->head(), sequencer.stories());
  bound.set_value(publisher->endpoint());

  // A batch holds articles and the feed-state commits that follow them, in queue order. While one
  // batch is being made durable (a writer thread does the fdatasync), the next is gathered and
  // appended; a batch is published only once it is durable. In a cluster it then goes to the
  // JetStream stream, and the feeds' state advances only once JetStream has acknowledged it all.
  struct Outgoing {
    pipeline::Sequencer::Appended record;
    std::string feed;
    std::string id;
    int revision = 1;
    // false: already in the journal (fetched again after a crash, before its feed's state
    // advanced), so it goes to the JetStream stream only, which drops it if it has it.
    bool live = true;
    // The article JSON, in the buffer of its journal batch once that is durable (or, not live, a
    // copy of its own).
    std::shared_ptr<const std::string> holder;
    std::string_view body;
  };
  using Batch = std::vector<std::variant<Outgoing, pipeline::DocumentCommit>>;
  Batch batch;    // gathered: appended to the journal, not yet being written
  Batch writing;  // being made durable
  Batch unacked;  // published, awaiting JetStream's acknowledgement (cluster only)
  std::vector<Queued> taken;  // from the queue, being admitted
  auto next_heartbeat = std::chrono::steady_clock::now() + kHeartbeatInterval;
  auto retry_at = std::chrono::steady_clock::time_point{};
  auto stream_retry_at = std::chrono::steady_clock::time_point{};
  std::size_t failures = 0;
  std::size_t stream_failures = 0;
  bool replay_advertised = false;

  auto commit_all = [&](Batch& done) {
    for (auto& item : done) {
      const auto* commit = std::get_if<pipeline::DocumentCommit>(&item);
      if (commit == nullptr) continue;
      try {
        store_->commit(*commit);
      } catch (const std::exception& e) {
        // The articles are out; only their memory across a restart is lost, so they may repeat then.
        log->error("state not saved feed={} entries={} error=\"{}\"", commit->feed, commit->entries.size(), e.what());
      }
      if (handoff) share_feed_state(*handoff, *commit);
      if (const auto found = feed_index_.find(commit->feed); found != feed_index_.end()) --pending_[found->second];
    }
    done.clear();
  };

  // Sends the unacknowledged batch to JetStream; commits it once acknowledged, or tries again in a
  // second (the stream drops what it already has).
  auto acknowledge = [&]() -> bool {
    std::vector<pipeline::ArticleStream::Message> messages;
    for (const auto& item : unacked)
      if (const auto* out = std::get_if<Outgoing>(&item))
        messages.push_back({out->feed, out->id, out->revision, out->record.seq, out->body});
    try {
      if (!messages.empty()) stream->publish(messages);
    } catch (const pipeline::NatsError& e) {
      if (stream_failures++ % 30 == 0)
        log->error("articles not acknowledged by the cluster stream error=\"{}\" held={}; their feeds' state waits, "
                   "retrying every second",
                   e.what(), messages.size());
      stream_retry_at = std::chrono::steady_clock::now() + kJournalRetry;
      return false;
    }
    if (stream_failures > 0) log->info("cluster stream acknowledges again after failures={}", stream_failures);
    stream_failures = 0;
    commit_all(unacked);
    return true;
  };

  auto publish_durable = [&](Batch& done) {
    // The live articles of the batch are the records of the journal batch just made durable, in
    // order; their bodies go out from its buffer, which ZeroMQ (and the stream) hold until sent.
    const auto written = journal->written();
    std::vector<pipeline::Journal::Record> records;
    if (written) pipeline::Journal::for_each_written(*written, [&](const pipeline::Journal::Record& record) {
      records.push_back(record);
      return true;
    });
    for (auto& item : done) {
      auto* out = std::get_if<Outgoing>(&item);
      if (out == nullptr || !out->live) continue;
      const std::uint64_t at = records.empty() ? 0 : out->record.seq - records.front().seq;
      if (records.empty() || out->record.seq < records.front().seq || at >= records.size()) {
        log->error("article not published: seq={} is not in the journal batch written; it is served by replay",
                   out->record.seq);
        continue;
      }
      out->holder = written;
      out->body = records[at].body;
      publisher->publish_record(out->record.topic, out->record.seq, written, out->body);
      ++metrics_.published;
      log->debug("article published topic={} seq={}", out->record.topic, out->record.seq);
    }
    if (!stream) return commit_all(done);
    unacked = std::move(done);
    done.clear();
    acknowledge();
  };

  // Waits until the batch being written is durable and publishes it. When it cannot be written
  // (a full disk), it goes back in front of the gathered one and is tried again in a second.
  auto complete = [&]() -> bool {
    if (writing.empty()) return true;
    try {
      journal->finish_sync();
    } catch (const std::system_error& e) {
      writing.insert(writing.end(), std::make_move_iterator(batch.begin()), std::make_move_iterator(batch.end()));
      batch = std::move(writing);
      writing.clear();
      if (failures++ % 60 == 0)
        log->error("journal not written error=\"{}\" held={}; nothing is published until it is (free space or fix "
                   "permissions under {}), retrying every second",
                   e.what(), batch.size(), config_.state_dir.string());
      retry_at = std::chrono::steady_clock::now() + kJournalRetry;
      return false;
    }
    durable_head_.store(journal->durable_head(), std::memory_order_release);
    journal_bytes_ = journal->bytes();
    journal_first_ = journal->first();
    if (failures > 0) log->info("journal written again after failures={}", failures);
    failures = 0;
    publish_durable(writing);
    return true;
  };

  // Takes one prepared article: into the batch when it goes out (or, in a cluster, when the stream
  // may lack it), or counted and logged as a repeat.
  auto admit = [&](pipeline::PreparedArticle& article) {
    const auto unix_time = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch()).count();
    auto admitted = sequencer.admit(article, unix_time);
    if (auto* appended = std::get_if<pipeline::Sequencer::Appended>(&admitted)) {
      batch.emplace_back(Outgoing{std::move(*appended), std::move(article.feed_name), std::move(article.id),
                                  article.revision, true, nullptr, {}});
      return;
    }
    auto& skipped = std::get<pipeline::Sequencer::Skipped>(admitted);
    using Reason = pipeline::Sequencer::Skipped::Reason;
    switch (skipped.reason) {
      case Reason::in_journal:
        ++metrics_.repeats_dropped;
        log->info("article not published: already in the journal feed={} id={} revision={}", article.feed_name,
                  article.id, article.revision);
        if (stream) {
          auto copy = std::make_shared<const std::string>(pipeline::numbered_json(article.json, skipped.earlier));
          const std::string_view body = *copy;
          batch.emplace_back(Outgoing{{sequencer.topic(article.feed_name), skipped.earlier},
                                      std::move(article.feed_name), std::move(article.id), article.revision, false,
                                      std::move(copy), body});
        }
        break;
      case Reason::same_story:
        ++metrics_.same_story_dropped;
        log->info("article not published: same story as seq={} feed={} title=\"{}\"", skipped.earlier,
                  article.feed_name, article.title);
        break;
      case Reason::told_elsewhere:
        ++metrics_.same_story_dropped;
        log->info("article not published: same story as {} in the cluster feed={} title=\"{}\"", skipped.where,
                  article.feed_name, article.title);
        break;
    }
  };

  while (!outgoing_.finished() || !batch.empty() || !writing.empty() || !unacked.empty()) {
    const auto now = std::chrono::steady_clock::now();
    publish_turn_ = now.time_since_epoch().count();
    if (!unacked.empty()) {
      // The cluster stream holds back everything behind it, as a full disk does.
      if (now >= stream_retry_at && !acknowledge() && outgoing_.finished()) {
        log->error("stopping with articles not acknowledged by the cluster stream held={}; their feeds' state did not "
                   "advance, so they are fetched again on the next start and sent again",
                   unacked.size());
        break;
      }
      if (!unacked.empty()) std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
                                std::max(stream_retry_at - now, std::chrono::steady_clock::duration(0)), 100ms));
    } else if (now >= retry_at) {
      // A batch that could not be written waits a second between tries, and takes nothing more
      // once it holds kJournalBatch: the queue fills up and holds the workers back, so nothing is
      // lost while the disk is full.
      const auto gathering_until = now + kJournalBatchTime;
      while (batch.size() < kJournalBatchMost) {
        const bool disk_busy = !writing.empty() && !journal->sync_done();
        if (batch.size() >= kJournalBatch && !disk_busy) break;
        // What is queued is taken a run at a time (one lock, one wake-up of held-back workers).
        // Wait for work only when nothing is under way; a batch being written is published first.
        const std::size_t room = (disk_busy ? kJournalBatchMost : kJournalBatch) - batch.size();
        if (outgoing_.pop_some(taken, std::min(room, kTakeMost), batch.empty() && writing.empty() ? 100ms : 0ms) == 0)
          break;
        for (auto& item : taken) {
          if (auto* article = std::get_if<pipeline::PreparedArticle>(&item)) admit(*article);
          else batch.emplace_back(std::move(std::get<pipeline::DocumentCommit>(item)));
        }
        taken.clear();
        if (std::chrono::steady_clock::now() >= gathering_until && (writing.empty() || journal->sync_done())) break;
      }
      const bool written = complete();
      if (written && unacked.empty() && !batch.empty()) {
        journal->begin_sync();
        // writing is empty once complete; swapped, both keep their capacity for the next rounds.
        std::swap(writing, batch);
      }
      if (!written && outgoing_.finished()) {
        // Stopping with a disk that stays full: the held articles were never published and the
        // feeds' state never advanced past them, so the next start fetches them again.
        log->error("stopping with articles not journaled held={}; they are fetched again on the next start",
                   batch.size());
        break;
      }
    } else {
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(retry_at - now, 100ms));
    }
    publisher->read_subscriptions();
    subscribers_ = publisher->subscribers();
    if (const auto tick = std::chrono::steady_clock::now(); tick >= next_heartbeat) {
      if (config_.cluster && !replay_advertised) {
        const std::lock_guard lock(advertise_mutex_);
        if (!advertised_replay_.empty()) {
          publisher->advertise(config_.cluster->instance, advertised_replay_);
          replay_advertised = true;
        }
      }
      publisher->heartbeat();
      next_heartbeat = tick + kHeartbeatInterval;
    }
  }
  log->info("publisher stopped head={}", publisher->head());
}

}  // namespace sluice::daemon
