// The delivery stage's thread. It takes what the workers hand on (each document's articles, then
// its commit), has the Sequencer decide on each article, makes the admitted ones durable in the
// journal a batch at a time, publishes a batch live once it is durable, hands it to the cluster's
// stream when there is one, and only then stores the feeds' state the batch's commits carry. So a
// feed's state never runs ahead of what subscribers can get: a crash before the commit means the
// document is fetched again, and the Sequencer drops what the journal already holds.
//
// While one batch is being made durable (the journal's writer thread does the fdatasync), the next
// is gathered and appended; under load, batches grow to what the disk takes. A batch the journal
// cannot write (a full disk) goes back in front of the one gathered and is tried again every
// second, and nothing more is taken meanwhile: the queue fills and holds the workers back, so
// nothing is lost. A batch the stream did not acknowledge holds everything behind it the same way.
// Once the queue is closed and drained, the loop ends when everything taken is out; stopping with
// a disk still full (or a stream still refusing), it leaves the rest to be fetched again.
//
// It also keeps the live stream's heartbeat, and reads subscriptions between batches.
//
// Thread-safety: made on one thread and run on another (thread start is the barrier ZeroMQ asks
// for when its socket changes threads); the accessors and advertise_replay() are for any thread.
#pragma once

#include <zmq.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "pipeline/bounded_queue.h"
#include "pipeline/deliver/journal.h"
#include "pipeline/deliver/publisher.h"
#include "pipeline/deliver/sequencer.h"
#include "pipeline/deliver/stream_sink.h"
#include "pipeline/state/state_store.h"
#include "pipeline/work/work_item.h"

namespace sluice::pipeline {

class CurveServer;

// What the loop counts, for /metrics. They outlive a loop: a reload makes a new one that adds to them.
struct DeliveryCounters {
  std::atomic<std::uint64_t> published{0};
  std::atomic<std::uint64_t> repeats_dropped{0};     // already in the journal
  // Another feed (or instance) told the story, by the rule that found it (StoryMatch::Rule).
  std::atomic<std::uint64_t> same_url_dropped{0};
  std::atomic<std::uint64_t> same_text_dropped{0};
  std::atomic<std::uint64_t> same_brief_dropped{0};
};

class PublishLoop {
 public:
  struct Settings {
    std::filesystem::path journal_dir;
    JournalLimits journal;
    std::string endpoint;              // the live stream's, to bind
    int subscriber_queue = 100'000;    // messages one subscriber may have waiting
    const CurveServer* curve = nullptr;
    std::string instance;              // in a cluster, this instance's name for the heartbeats; "" otherwise
    bool announce_duplicates = false;  // PublishConfig::announce_duplicates
  };
  // Called on the loop's thread once a document's commit is stored (or failed to be; the failure
  // is logged): the commit's other consumers, such as the cluster's shared feed state.
  using Committed = std::function<void(const DocumentCommit&)>;

  // Opens the journal (rebuilding the Sequencer's indexes from it) and binds the live stream.
  // Throws std::runtime_error (or std::system_error) naming what failed. queue, store, counters
  // and stream outlive the loop; stream is null outside a cluster, and so is elsewhere.
  PublishLoop(zmq::context_t& context, Settings settings, BoundedQueue<WorkItem>& queue, StateStore& store,
              DeliveryCounters& counters, Committed committed, StreamSink* stream = nullptr,
              Sequencer::Elsewhere elsewhere = {});
  PublishLoop(const PublishLoop&) = delete;
  PublishLoop& operator=(const PublishLoop&) = delete;

  // Runs until the queue is closed and drained and what was taken is out (or, stopping with a
  // disk still full or a stream still refusing, left to be fetched again); closes the live socket.
  // Once only.
  void run();

  std::uint64_t epoch() const noexcept { return epoch_; }
  const std::string& endpoint() const noexcept { return endpoint_; }
  // The last seq the journal holds durably: the replay server serves up to it.
  const std::atomic<std::uint64_t>& durable_head() const noexcept { return durable_head_; }
  std::uint64_t journal_bytes() const noexcept { return journal_bytes_; }
  std::uint64_t journal_first() const noexcept { return journal_first_; }
  std::size_t subscribers() const noexcept { return subscribers_; }
  // Whether the journal's last write failed (a full disk): nothing goes out until one succeeds.
  bool journal_failing() const noexcept { return journal_failing_; }
  // When the loop last came round (for the watchdog).
  std::chrono::steady_clock::time_point last_turn() const noexcept;
  // Where subscribers reach this instance's replay server: in the heartbeats from the next one on.
  void advertise_replay(std::string endpoint);

 private:
  using Clock = std::chrono::steady_clock;
  // An admitted article on its way out.
  struct Outgoing {
    Sequencer::Appended record;
    std::string feed;
    std::string id;
    int revision = 1;
    // false: already in the journal (fetched again after a crash, before its feed's state
    // advanced), so it goes to the cluster stream only, which drops it if it has it.
    bool live = true;
    // The article JSON, in the buffer of its journal batch once that is durable (or, not live, a
    // copy of its own).
    std::shared_ptr<const std::string> holder;
    std::string_view body;
  };
  // Articles and the commits that follow them, in queue order.
  // An article another feed already told, announced on "duplicate.<feed>." once the batch that
  // holds the story it repeats is durable (the header's seq is that story's; 0 when another
  // instance told it).
  struct Duplicate {
    std::string topic;
    std::uint64_t repeats = 0;
    std::string body;
  };
  using Batch = std::vector<std::variant<Outgoing, DocumentCommit, Duplicate>>;

  // One turn while the stream holds a batch back; false to stop (stopping, and it still refuses).
  bool wait_for_stream(Clock::time_point now);
  // One turn of gathering, completing the batch being written and starting the next; false to stop.
  bool journal_round(Clock::time_point now);
  // Takes from the queue into batch_ until it is big enough or the gathering time is up.
  void gather(Clock::time_point now);
  // Takes one prepared article: into the batch when it goes out (or, in a cluster, when the stream
  // may lack it), or counted and logged as a repeat.
  void admit(PreparedArticle& article);
  void count_same_story(const StoryMatch& match);
  void announce_duplicate(const PreparedArticle& article, const Sequencer::Skipped& skipped);
  // Waits until the batch being written is durable and publishes it; false when it could not be
  // written (it goes back in front of the gathered one, tried again in a second).
  bool complete();
  // Publishes the batch just made durable, then commits it (in a cluster, once the stream has it).
  void publish_durable(Batch& done);
  // Sends unacked_ to the stream and commits it once acknowledged; false to try again in a second.
  bool acknowledge();
  // Stores each commit of done (then tells committed_) and empties it.
  void commit_all(Batch& done);
  // Reads subscriptions and sends the heartbeat when it is due.
  void serve_subscribers();

  Settings settings_;
  BoundedQueue<WorkItem>& queue_;
  StateStore& store_;
  DeliveryCounters& counters_;
  Committed committed_;
  StreamSink* stream_;
  Journal journal_;
  std::optional<Publisher> publisher_;  // closed when run() ends
  Sequencer sequencer_;
  std::uint64_t epoch_;
  std::string endpoint_;

  Batch batch_;    // gathered: appended to the journal, not yet being written
  Batch writing_;  // being made durable
  Batch unacked_;  // published, awaiting the stream's acknowledgement (cluster only)
  std::vector<DocumentCommit> commits_;  // being stored (commit_all)
  std::vector<WorkItem> taken_;  // from the queue, being admitted
  Clock::time_point next_heartbeat_;
  Clock::time_point retry_at_{};         // after a failed journal write
  Clock::time_point stream_retry_at_{};  // after a batch the stream did not acknowledge
  std::size_t failures_ = 0;             // journal writes failed in a row
  std::size_t stream_failures_ = 0;
  bool replay_advertised_ = false;

  std::atomic<std::uint64_t> durable_head_{0};
  std::atomic<std::uint64_t> journal_bytes_{0};
  std::atomic<std::uint64_t> journal_first_{0};
  std::atomic<std::size_t> subscribers_{0};
  std::atomic<bool> journal_failing_{false};
  std::atomic<Clock::rep> turn_{0};
  std::mutex advertise_mutex_;
  std::string replay_endpoint_;  // to advertise; "" until known
};

}  // namespace sluice::pipeline
