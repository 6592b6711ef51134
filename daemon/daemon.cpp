#include "daemon/daemon.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>

#include "config/units.h"
#include "feeds/logging.h"
#include "pipeline/deliver/journal.h"
#include "pipeline/deliver/sequencer.h"

namespace sluice::daemon {
namespace {

using namespace std::chrono_literals;

constexpr std::size_t kDocumentQueue = 64;
constexpr std::size_t kArticleQueue = 4096;
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
      pushed_at_(std::make_unique<std::atomic<std::chrono::steady_clock::rep>[]>(config_.feeds.size())) {
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
  if (config_.cluster) cluster_ = std::make_unique<pipeline::ClusterMember>(config_, seen_, *store_);
  if (config_.websub) listen_for_pushes();
  if (const auto& curve = config_.publish.curve)
    curve_ = std::make_unique<pipeline::CurveServer>(context_, curve->secret_key_file, curve->clients_dir);
  start_publishing();
  try {
    replay_ = std::make_unique<pipeline::ReplayServer>(context_, config_.publish.replay_endpoint,
                                                       config_.state_dir / "journal", publish_->epoch(),
                                                       publish_->durable_head(), curve_.get());
  } catch (...) {
    outgoing_.close();
    publish_thread_.join();
    throw;
  }
  replay_thread_ = std::jthread([this](std::stop_token stop) { replay_->run(stop); });
  if (config_.cluster) publish_->advertise_replay(advertised(replay_->endpoint()));
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
        if (cluster_) cluster_->polled(feed, state);
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
      feeds::Clock::real(), !cluster_);
  poller_->hold_while([this](std::size_t feed) { return pending_[feed] > 0; });
  worker_ = std::make_unique<pipeline::DocumentWorker>(config_, seen_, *poller_, stopping_);
  if (push_) start_push();
  fetch_thread_ = std::jthread([this](std::stop_token stop) { poller_->run(stop); });
  if (cluster_)
    cluster_->start(*poller_, [this](std::size_t feed) { return poller_->busy(feed) || pending_[feed] > 0; });
  if (config_.feeds.empty()) log->warn("no feeds configured config={}; sluice serves but polls nothing", config_.source);
  log->info("sluice started version={} config={} feeds={} workers={} endpoint={} replay={} epoch={} curve={}",
            SLUICE_VERSION, config_.source, config_.feeds.size(), workers, publish_->endpoint(), replay_->endpoint(),
            publish_->epoch(),
            curve_ ? "on" : "off");
}

void Daemon::listen_for_pushes() {
  push_ = std::make_unique<pipeline::PushStage>(
      config_, *store_, metrics_.push,
      [this](std::size_t feed, feeds::FetchResponse&& response, std::chrono::steady_clock::time_point arrived) {
        // One document of a feed under way at a time. The stage hands a delivery over once the
        // feed looked idle; counted as pending first, it holds back the feed's next poll, and
        // waits out a poll that started in between.
        ++pending_[feed];
        while (poller_->busy(feed) || pending_[feed].load() > 1) {
          if (stopping_) {
            --pending_[feed];
            return false;
          }
          std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        pushed_at_[feed] = arrived.time_since_epoch().count();
        const auto fetched = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
        if (documents_.push(feeds::PolledDocument{feed, std::move(response), fetched, true})) return true;
        pushed_at_[feed] = 0;
        --pending_[feed];
        return false;
      },
      [this](std::size_t feed) { return poller_->busy(feed) || pending_[feed].load() > 0; });
  push_->listen();
}

void Daemon::start_push() {
  worker_->on_websub([this](std::size_t feed, const feeds::WebSubLinks& links, std::string_view url) {
    push_->advertised(feed, links, url);
  });
  poller_->slow_while([this](std::size_t feed) { return push_->pushed(feed); });
  if (cluster_)
    cluster_->with_pushes(
        [this](std::size_t feed, bool owned, const feeds::WebSubLinks& previous) {
          if (owned)
            push_->own(feed, previous);
          else
            push_->disown(feed);
        },
        [this](std::size_t feed) { return push_->subscribed(feed); });
  push_->start();
}

void Daemon::stop() {
  // Workers let go of their documents: what they held is not committed, so it is fetched again on
  // the next start. What reached the publish thread is published.
  stopping_ = true;
  if (push_) push_->stop();
  // No shard changes hands while stopping; the leases are let go once everything is published.
  if (cluster_) cluster_->stop();
  if (fetch_thread_.joinable()) {
    fetch_thread_.request_stop();
    documents_.close();  // a fetch thread waiting for room gives up
    fetch_thread_.join();
  }
  housekeeping();  // the last polls' progress
  documents_.close();
  for (std::thread& worker : workers_) worker.join();
  workers_.clear();
  outgoing_.close();
  if (publish_thread_.joinable()) publish_thread_.join();
  if (replay_thread_.joinable()) {
    replay_thread_.request_stop();
    replay_thread_.join();
  }
  if (cluster_) cluster_->release_all();
}

void Daemon::work(std::size_t index) {
  const auto to_publish = [this](pipeline::WorkItem&& item) { return outgoing_.push(std::move(item)); };
  while (auto document = documents_.pop()) {
    if (stopping_) {
      logger("daemon")->info("document not processed feed={}: sluice is stopping; it is fetched again on the next start",
                             config_.feeds[document->feed].name);
      pushed_at_[document->feed] = 0;
      --pending_[document->feed];
      continue;
    }
    worker_busy_since_[index] = std::chrono::steady_clock::now().time_since_epoch().count();
    if (!report(*document, worker_->process(*document, to_publish))) {
      pushed_at_[document->feed] = 0;  // nothing to publish
      --pending_[document->feed];
    }
    worker_busy_since_[index] = 0;
  }
}

void Daemon::housekeeping() {
  try {
    store_->flush_progress();
  } catch (const std::exception& e) {
    logger("daemon")->error("feed schedules not saved error=\"{}\"; they are kept and written again", e.what());
  }
}

Metrics::Gauges Daemon::gauges() const {
  return {true,
          health().alive,
          documents_.size(),
          outgoing_.size(),
          publish_->journal_bytes(),
          publish_->durable_head().load(),
          publish_->journal_first(),
          publish_->subscribers(),
          replay_ ? replay_->requests() : 0,
          replay_ ? replay_->refused_busy() : 0,
          replay_ ? replay_->queued_bytes() : 0,
          cluster_ ? std::optional<std::size_t>(cluster_->shards_held()) : std::nullopt,
          publish_->endpoint(),
          replay_ ? replay_->endpoint() : std::string()};
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
  if (now - publish_->last_turn() > kLoopStuckAfter) stuck("publish");
  for (std::size_t i = 0; i < worker_count_; ++i)
    if (const auto since = worker_busy_since_[i].load(); since != 0 && now - at(since) > kWorkerStuckAfter)
      stuck("worker " + std::to_string(i));
  health.status = "feeds=" + std::to_string(config_.feeds.size()) + " failing=" + std::to_string(poller_->failing()) +
                  " queued=" + std::to_string(documents_.size()) + " published=" + std::to_string(metrics_.delivery.published.load()) +
                  " head=" + std::to_string(publish_->durable_head().load()) +
                  " subscribers=" + std::to_string(publish_->subscribers());
  if (publish_->journal_failing()) health.status += " journal=failing";
  if (cluster_) health.status += " shards=" + std::to_string(cluster_->shards_held());
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
  metrics_.articles_blocked += out.blocked;
  // Items the feed's rules left out, when there were any.
  const std::string blocked = out.blocked > 0 ? " blocked=" + std::to_string(out.blocked) : "";
  if (out.format == "html") {
    logger("clean")->info("page feed read feed={} links={} new={} failed={}{}", feed.name, out.listed, out.fresh,
                          out.failed, blocked);
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
    log->info("feed parsed feed={} format={} entries={} new={} edited={}{} repaired=\"{}\"", feed.name, out.format,
              out.listed, out.fresh, out.edited, blocked, out.repaired);
  else
    log->info("feed parsed feed={} format={} entries={} new={} edited={}{}", feed.name, out.format, out.listed,
              out.fresh, out.edited, blocked);
  return true;
}

void Daemon::start_publishing() {
  pipeline::PublishLoop::Settings settings{config_.state_dir / "journal", journal_limits(config_),
                                           config_.publish.endpoint, static_cast<int>(config_.publish.subscriber_queue),
                                           curve_.get(), config_.cluster ? config_.cluster->instance : "",
                                           config_.publish.announce_duplicates};
  pipeline::Sequencer::Elsewhere elsewhere;
  if (cluster_)
    elsewhere = [this](const pipeline::PreparedArticle& article) { return cluster_->told_elsewhere(article); };
  publish_ = std::make_unique<pipeline::PublishLoop>(
      context_, std::move(settings), outgoing_, *store_, metrics_.delivery,
      [this](const pipeline::DocumentCommit& commit) {
        if (cluster_) cluster_->shared(commit);
        const auto found = feed_index_.find(commit.feed);
        if (found == feed_index_.end()) return;
        if (const auto pushed = pushed_at_[found->second].exchange(0); pushed != 0) {
          const auto since = std::chrono::steady_clock::now().time_since_epoch().count() - pushed;
          metrics_.push_published(
              std::chrono::duration<double>(std::chrono::steady_clock::duration(since)).count());
        }
        --pending_[found->second];
      },
      cluster_ ? &cluster_->stream() : nullptr, std::move(elsewhere));
  publish_thread_ = std::thread([this] { publish_->run(); });
}

}  // namespace sluice::daemon
