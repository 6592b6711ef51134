// The running daemon: the stages of DESIGN.md §1 on their threads, joined by bounded queues.
//
//   fetch thread ──PolledDocument──► N worker threads ──Article…, Commit──► publish thread (XPUB)
//   (Poller: scheduler + curl multi)   (parse, identity, build)             (journal, seq, frames,
//                                                                             heartbeat, state commits)
//   replay thread (ROUTER): serves the journal up to the durable head the publish thread advances
//   lease thread (in a cluster): hands the fetch thread the feeds of the shards this instance holds
//
// A document's Commit (its validators and new entry identities) follows its articles through the
// same queue, so the state store advances only once they are published. start() returns once the
// state is loaded, the publisher is bound and every thread runs; stop() stops the fetch thread,
// has the workers let go of their documents (uncommitted, so fetched again on the next start),
// lets the publisher publish what reached it, and joins every thread. The stages' logic lives in
// pipeline/ (DocumentWorker, PublishLoop, ClusterMember); the daemon wires them.
#pragma once

#include <zmq.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <expected>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "config/config.h"
#include "daemon/metrics.h"
#include "feeds/fetch/poller.h"
#include "pipeline/bounded_queue.h"
#include "pipeline/cluster/cluster_member.h"
#include "pipeline/deliver/curve.h"
#include "pipeline/deliver/publish_loop.h"
#include "pipeline/deliver/replay_server.h"
#include "pipeline/push/push_stage.h"
#include "pipeline/state/seen_entries.h"
#include "pipeline/state/state_store.h"
#include "pipeline/work/document_worker.h"

namespace sluice::daemon {

class Daemon {
 public:
  // metrics outlives the daemon (a reload makes a new one that adds to the same counters).
  Daemon(config::Config config, Metrics& metrics);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Binds the publisher and starts every thread. Throws std::runtime_error when it cannot.
  void start();
  void stop();

  // The publisher's and the replay server's bound endpoints (valid after start()).
  const std::string& endpoint() const noexcept { return publish_->endpoint(); }
  const std::string& replay_endpoint() const noexcept { return replay_->endpoint(); }

  // For the service manager: whether every thread makes progress (the fetch and publish loops
  // come round, no worker is stuck on one document), which one does not, and a STATUS= line.
  struct Health {
    bool alive = true;
    std::string stuck;  // the thread that is not making progress
    std::string status;
  };
  Health health() const;
  // Periodic upkeep, from the thread that runs the daemon: writes the feeds' poll progress the
  // state store holds (it is written once a second while polls go on; this covers a lull).
  void housekeeping();
  // What /metrics shows of the running daemon.
  Metrics::Gauges gauges() const;

 private:
  void work(std::size_t index);
  // Opens the journal, binds the live stream and starts the publish thread.
  void start_publishing();
  // The WebSub stage: bound first (a port in use fails the start before any thread runs), then
  // told what the workers and poller learn and started.
  void listen_for_pushes();
  void start_push();
  // Logs and counts what the worker made of a document; whether its commit went to the publish thread.
  bool report(const feeds::PolledDocument& document,
              const std::expected<pipeline::DocumentOutput, pipeline::DocumentError>& outcome);
  std::vector<feeds::PollState> restore_state();

  config::Config config_;
  Metrics& metrics_;
  zmq::context_t context_;
  pipeline::BoundedQueue<feeds::PolledDocument> documents_;
  // From the workers to the publish thread: each document's articles, then its feed-state commit.
  pipeline::BoundedQueue<pipeline::WorkItem> outgoing_;
  pipeline::SeenEntries seen_;
  std::unique_ptr<pipeline::StateStore> store_;
  std::unique_ptr<feeds::Poller> poller_;
  std::unique_ptr<pipeline::DocumentWorker> worker_;  // shared by the worker threads
  std::jthread fetch_thread_;
  std::vector<std::thread> workers_;
  std::unique_ptr<pipeline::PublishLoop> publish_;
  std::thread publish_thread_;
  // Progress, for health(): steady-clock ticks of when each worker took up its current document
  // (0 while it waits).
  std::unique_ptr<std::atomic<std::chrono::steady_clock::rep>[]> worker_busy_since_;
  std::size_t worker_count_ = 0;  // set before start() returns, unlike workers_, which stop() clears
  // Set by stop(): workers abandon their documents (not committed, so fetched again next start).
  std::atomic<bool> stopping_{false};
  // Per feed: documents handed to the workers whose commit the publish thread has not stored yet.
  std::unique_ptr<std::atomic<int>[]> pending_;
  // Per feed: steady-clock ticks of when the pushed document under way arrived (0: none), for the
  // push-to-publish latency.
  std::unique_ptr<std::atomic<std::chrono::steady_clock::rep>[]> pushed_at_;
  std::unordered_map<std::string_view, std::size_t> feed_index_;  // by name
  std::unique_ptr<pipeline::ClusterMember> cluster_;  // with cluster: in the config
  std::unique_ptr<pipeline::CurveServer> curve_;
  std::unique_ptr<pipeline::ReplayServer> replay_;
  std::jthread replay_thread_;
  std::unique_ptr<pipeline::PushStage> push_;  // with websub: in the config
};

// Runs the daemon until SIGTERM or SIGINT; returns the process exit code.
int run_daemon(const config::Config& config);

}  // namespace sluice::daemon
