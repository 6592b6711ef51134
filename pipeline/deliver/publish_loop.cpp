#include "pipeline/deliver/publish_loop.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <optional>
#include <thread>

#include "feeds/logging.h"

namespace sluice::pipeline {
namespace {

using namespace std::chrono_literals;

constexpr auto kHeartbeatInterval = 1s;
// Articles are made durable together: at most this many, gathered for at most this long.
constexpr std::size_t kJournalBatch = 1024;
// While the disk is still busy with the batch before, gathering goes on past kJournalBatch up to
// this: under load, batches grow to what the disk can take, and the loop admits instead of waiting
// for an fdatasync.
constexpr std::size_t kJournalBatchMost = 8192;
constexpr auto kJournalBatchTime = 10ms;
// The most queued items taken at once.
constexpr std::size_t kTakeMost = 256;
// After a failed journal write (a full disk) or a batch the stream did not acknowledge, how long
// before the next try.
constexpr auto kRetry = 1s;
// The longest sleep while held back, so subscriptions and heartbeats go on.
constexpr auto kLongestNap = 100ms;

}  // namespace

PublishLoop::PublishLoop(zmq::context_t& context, Settings settings, BoundedQueue<WorkItem>& queue, StateStore& store,
                         DeliveryCounters& counters, Committed committed, StreamSink* stream,
                         Sequencer::Elsewhere elsewhere)
    : settings_(std::move(settings)),
      queue_(queue),
      store_(store),
      counters_(counters),
      committed_(std::move(committed)),
      stream_(stream),
      journal_(settings_.journal_dir, settings_.journal),
      publisher_(std::in_place, context, settings_.endpoint, journal_.epoch(), journal_.head(), settings_.curve,
                 settings_.subscriber_queue),
      sequencer_(journal_),
      epoch_(journal_.epoch()),
      endpoint_(publisher_->endpoint()),
      next_heartbeat_(Clock::now() + kHeartbeatInterval),
      durable_head_(journal_.head()),
      journal_bytes_(journal_.bytes()),
      journal_first_(journal_.first()),
      turn_(Clock::now().time_since_epoch().count()) {
  static const auto log = logger("publish");
  if (elsewhere) sequencer_.ask_elsewhere(std::move(elsewhere));
  if (!settings_.instance.empty()) publisher_->advertise(settings_.instance, "");
  if (journal_.recovered_bytes() > 0)
    log->warn("journal had a torn tail path={} bytes_cut={}; it ends at seq={}", settings_.journal_dir.string(),
              journal_.recovered_bytes(), journal_.head());
  log->info("journal opened path={} epoch={} first={} head={} stories={}", settings_.journal_dir.string(), epoch_,
            journal_.first(), journal_.head(), sequencer_.stories());
}

std::chrono::steady_clock::time_point PublishLoop::last_turn() const noexcept {
  return Clock::time_point(Clock::duration(turn_.load()));
}

void PublishLoop::advertise_replay(std::string endpoint) {
  const std::lock_guard lock(advertise_mutex_);
  replay_endpoint_ = std::move(endpoint);
}

void PublishLoop::run() {
  static const auto log = logger("publish");
  while (!queue_.finished() || !batch_.empty() || !writing_.empty() || !unacked_.empty()) {
    const auto now = Clock::now();
    turn_ = now.time_since_epoch().count();
    if (!unacked_.empty()) {
      // The cluster stream holds back everything behind it, as a full disk does.
      if (!wait_for_stream(now)) break;
    } else if (now >= retry_at_) {
      if (!journal_round(now)) break;
    } else {
      std::this_thread::sleep_for(std::min<Clock::duration>(retry_at_ - now, kLongestNap));
    }
    serve_subscribers();
  }
  log->info("publisher stopped head={}", publisher_->head());
  // The live endpoint is free again once the loop ends, for a reloaded daemon to bind, and the
  // socket is closed on the thread that used it.
  publisher_.reset();
}

bool PublishLoop::wait_for_stream(Clock::time_point now) {
  if (now >= stream_retry_at_ && !acknowledge() && queue_.finished()) {
    logger("publish")->error("stopping with articles not acknowledged by the cluster stream held={}; their feeds' "
                             "state did not advance, so they are fetched again on the next start and sent again",
                             unacked_.size());
    return false;
  }
  if (!unacked_.empty())
    std::this_thread::sleep_for(std::min<Clock::duration>(std::max(stream_retry_at_ - now, Clock::duration(0)), kLongestNap));
  return true;
}

bool PublishLoop::journal_round(Clock::time_point now) {
  gather(now);
  const bool written = complete();
  if (written && unacked_.empty() && !batch_.empty()) {
    journal_.begin_sync();
    // writing_ is empty once complete; swapped, both keep their capacity for the next rounds.
    std::swap(writing_, batch_);
  }
  if (!written && queue_.finished()) {
    // Stopping with a disk that stays full: the held articles were never published and the feeds'
    // state never advanced past them, so the next start fetches them again.
    logger("publish")->error("stopping with articles not journaled held={}; they are fetched again on the next start",
                             batch_.size());
    return false;
  }
  return true;
}

void PublishLoop::gather(Clock::time_point now) {
  // A batch that could not be written waits a second between tries, and takes nothing more once it
  // holds kJournalBatch: the queue fills up and holds the workers back.
  const auto gathering_until = now + kJournalBatchTime;
  while (batch_.size() < kJournalBatchMost) {
    const bool disk_busy = !writing_.empty() && !journal_.sync_done();
    if (batch_.size() >= kJournalBatch && !disk_busy) break;
    // What is queued is taken a run at a time (one lock, one wake-up of held-back workers). Wait
    // for work only when nothing is under way; a batch being written is published first.
    const std::size_t room = (disk_busy ? kJournalBatchMost : kJournalBatch) - batch_.size();
    const auto wait = batch_.empty() && writing_.empty() ? kLongestNap : 0ms;
    if (queue_.pop_some(taken_, std::min(room, kTakeMost), wait) == 0) break;
    for (auto& item : taken_) {
      if (auto* article = std::get_if<PreparedArticle>(&item)) admit(*article);
      else batch_.emplace_back(std::move(std::get<DocumentCommit>(item)));
    }
    taken_.clear();
    if (Clock::now() >= gathering_until && (writing_.empty() || journal_.sync_done())) break;
  }
}

namespace {

// "rule=same_text similarity=0.62 of_this=0.81 of_earlier=0.74": the rule, and for a text the
// Jaccard similarity of the two and the share of each in the other.
std::string describe(const StoryMatch& match) {
  // The URL's rule, and a SimHash match recorded by an earlier version, carry no overlap.
  if (match.rule == StoryMatch::Rule::same_url || match.overlap.jaccard == 0) return "rule=" + std::string(rule_name(match.rule));
  char text[96];
  std::snprintf(text, sizeof text, "rule=%.*s similarity=%.2f of_this=%.2f of_earlier=%.2f",
                static_cast<int>(rule_name(match.rule).size()), rule_name(match.rule).data(), match.overlap.jaccard,
                match.overlap.of_first, match.overlap.of_second);
  return text;
}

}  // namespace

void PublishLoop::count_same_story(const StoryMatch& match) {
  switch (match.rule) {
    case StoryMatch::Rule::same_url: ++counters_.same_url_dropped; break;
    case StoryMatch::Rule::same_text: ++counters_.same_text_dropped; break;
    case StoryMatch::Rule::same_brief: ++counters_.same_brief_dropped; break;
  }
}

void PublishLoop::announce_duplicate(const PreparedArticle& article, const Sequencer::Skipped& skipped) {
  if (!settings_.announce_duplicates) return;
  const StoryMatch& match = *skipped.match;
  nlohmann::json body = {{"schema", 1},
                         {"duplicate_of", skipped.earlier == 0 ? nlohmann::json(nullptr) : nlohmann::json(skipped.earlier)},
                         {"feed", article.feed_name},
                         {"id", article.id},
                         {"url", article.url ? nlohmann::json(*article.url) : nlohmann::json(nullptr)},
                         {"title", article.title},
                         {"rule", rule_name(match.rule)}};
  if (match.overlap.jaccard > 0) body["similarity"] = std::round(match.overlap.jaccard * 100) / 100;
  if (!skipped.where.empty()) body["told_by"] = skipped.where;
  batch_.emplace_back(Duplicate{"duplicate." + article.feed_name + ".", skipped.earlier,
                                body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)});
}

void PublishLoop::admit(PreparedArticle& article) {
  static const auto log = logger("publish");
  const auto unix_time =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  auto admitted = sequencer_.admit(article, unix_time);
  if (auto* appended = std::get_if<Sequencer::Appended>(&admitted)) {
    batch_.emplace_back(Outgoing{std::move(*appended), std::move(article.feed_name), std::move(article.id),
                                 article.revision, true, nullptr, {}});
    return;
  }
  auto& skipped = std::get<Sequencer::Skipped>(admitted);
  using Reason = Sequencer::Skipped::Reason;
  switch (skipped.reason) {
    case Reason::in_journal:
      ++counters_.repeats_dropped;
      log->info("article not published: already in the journal feed={} id={} revision={}", article.feed_name,
                article.id, article.revision);
      if (stream_ != nullptr) {
        auto copy = std::make_shared<const std::string>(numbered_json(article.json, skipped.earlier));
        const std::string_view body = *copy;
        batch_.emplace_back(Outgoing{{sequencer_.topic(article.feed_name), skipped.earlier},
                                     std::move(article.feed_name), std::move(article.id), article.revision, false,
                                     std::move(copy), body});
      }
      break;
    case Reason::same_story:
      count_same_story(*skipped.match);
      announce_duplicate(article, skipped);
      log->info("article not published: same story as seq={} feed={} title=\"{}\" {}", skipped.earlier,
                article.feed_name, article.title, describe(*skipped.match));
      break;
    case Reason::told_elsewhere:
      count_same_story(*skipped.match);
      announce_duplicate(article, skipped);
      log->info("article not published: same story as {} in the cluster feed={} title=\"{}\" {}", skipped.where,
                article.feed_name, article.title, describe(*skipped.match));
      break;
  }
}

bool PublishLoop::complete() {
  if (writing_.empty()) return true;
  try {
    journal_.finish_sync();
  } catch (const std::system_error& e) {
    writing_.insert(writing_.end(), std::make_move_iterator(batch_.begin()), std::make_move_iterator(batch_.end()));
    batch_ = std::move(writing_);
    writing_.clear();
    if (failures_++ % 60 == 0)
      logger("publish")->error("journal not written error=\"{}\" held={}; nothing is published until it is (free "
                               "space or fix permissions under {}), retrying every second",
                               e.what(), batch_.size(), settings_.journal_dir.parent_path().string());
    retry_at_ = Clock::now() + kRetry;
    journal_failing_ = true;
    return false;
  }
  journal_failing_ = false;
  durable_head_.store(journal_.durable_head(), std::memory_order_release);
  journal_bytes_ = journal_.bytes();
  journal_first_ = journal_.first();
  if (failures_ > 0) logger("publish")->info("journal written again after failures={}", failures_);
  failures_ = 0;
  publish_durable(writing_);
  return true;
}

void PublishLoop::publish_durable(Batch& done) {
  static const auto log = logger("publish");
  // The live articles of the batch are the records of the journal batch just made durable, in
  // order; their bodies go out from its buffer, which ZeroMQ (and the stream) hold until sent.
  const auto written = journal_.written();
  std::vector<Journal::Record> records;
  if (written) Journal::for_each_written(*written, [&](const Journal::Record& record) {
    records.push_back(record);
    return true;
  });
  for (auto& item : done) {
    if (const auto* duplicate = std::get_if<Duplicate>(&item)) {
      publisher_->notice(duplicate->topic, duplicate->repeats, duplicate->body);
      continue;
    }
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
    publisher_->publish_record(out->record.topic, out->record.seq, written, out->body);
    ++counters_.published;
    log->debug("article published topic={} seq={}", out->record.topic, out->record.seq);
  }
  if (stream_ == nullptr) return commit_all(done);
  unacked_ = std::move(done);
  done.clear();
  acknowledge();
}

bool PublishLoop::acknowledge() {
  static const auto log = logger("publish");
  std::vector<StreamSink::Message> messages;
  for (const auto& item : unacked_)
    if (const auto* out = std::get_if<Outgoing>(&item))
      messages.push_back({out->feed, out->id, out->revision, out->record.seq, out->body});
  try {
    if (!messages.empty()) stream_->publish(messages);
  } catch (const std::runtime_error& e) {
    if (stream_failures_++ % 30 == 0)
      log->error("articles not acknowledged by the cluster stream error=\"{}\" held={}; their feeds' state waits, "
                 "retrying every second",
                 e.what(), messages.size());
    stream_retry_at_ = Clock::now() + kRetry;
    return false;
  }
  if (stream_failures_ > 0) log->info("cluster stream acknowledges again after failures={}", stream_failures_);
  stream_failures_ = 0;
  commit_all(unacked_);
  return true;
}

void PublishLoop::commit_all(Batch& done) {
  // One transaction for the round's documents; should it fail, each is tried alone, so that one
  // document the store refuses costs only its own state.
  for (auto& item : done)
    if (auto* commit = std::get_if<DocumentCommit>(&item)) commits_.push_back(std::move(*commit));
  done.clear();
  try {
    store_.commit(commits_);
  } catch (const std::exception&) {
    for (const DocumentCommit& commit : commits_) {
      try {
        store_.commit(commit);
      } catch (const std::exception& e) {
        // The articles are out; only their memory across a restart is lost, so they may repeat then.
        logger("publish")->error("state not saved feed={} entries={} error=\"{}\"", commit.feed, commit.entries.size(),
                                 e.what());
      }
    }
  }
  if (committed_)
    for (const DocumentCommit& commit : commits_) committed_(commit);
  commits_.clear();
}

void PublishLoop::serve_subscribers() {
  publisher_->read_subscriptions();
  subscribers_ = publisher_->subscribers();
  const auto now = Clock::now();
  if (now < next_heartbeat_) return;
  if (!settings_.instance.empty() && !replay_advertised_) {
    const std::lock_guard lock(advertise_mutex_);
    if (!replay_endpoint_.empty()) {
      publisher_->advertise(settings_.instance, replay_endpoint_);
      replay_advertised_ = true;
    }
  }
  publisher_->heartbeat();
  next_heartbeat_ = now + kHeartbeatInterval;
}

}  // namespace sluice::pipeline
