// What sluice remembers across restarts, in SQLite (WAL) at STATE_DIR/state.db: per feed its HTTP
// validators, next due time, error count, current URL and redirect streak, cookie jar and last
// outcome, the entries it has published (identity, fingerprints, revision), and its WebSub
// subscription.
//
// Validators and entry identities only advance through commit(), which the publish thread calls
// after every article of the document has gone out: a crash before that refetches and republishes
// (at least once), never skips. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <unordered_map>
#include <vector>

#include "pipeline/state/seen_entries.h"
#include "pipeline/state/sqlite.h"

namespace sluice::pipeline {

struct StoredFeed {
  std::string etag;
  std::string last_modified;
  std::int64_t next_due = 0;  // Unix seconds; 0 when never scheduled
  int errors = 0;
  std::string configured_url;   // the URL in the configuration when this was stored
  std::string url;              // where the feed is fetched now (a permanent redirect adopted)
  std::string redirect_target;  // a permanent redirect seen on the last polls
  int redirect_streak = 0;
  std::string cookies;          // the feed's cookie jar, Netscape cookie-file lines
  std::int64_t last_polled = 0;  // Unix seconds; 0 when never polled
  std::string last_status;       // the last poll's outcome in words
};

// A feed's WebSub subscription: with which hub, for which topic, at which callback, under which
// secret, and where it stands.
struct StoredSubscription {
  enum class State { subscribing, active, failed, unsubscribing };
  std::string feed;
  std::string hub;
  std::string topic;
  std::string callback_id;  // the last path segment of its callback URL: random, never guessed
  std::string secret;       // the HMAC key of its deliveries
  State state = State::subscribing;
  std::int64_t lease_end = 0;     // Unix seconds; active only
  std::int64_t next_attempt = 0;  // Unix seconds: when to ask the hub (again): renewal, retry
  std::int64_t requested = 0;     // Unix seconds: a request went to the hub, its verification awaited; 0 when none
  int failures = 0;               // refused or failed requests in a row
  std::string reason;             // why the last one failed; "" when none
};

std::string_view state_name(StoredSubscription::State state) noexcept;

// What one fetched document leaves behind once its articles are published.
struct DocumentCommit {
  std::string feed;
  std::string etag;
  std::string last_modified;
  std::vector<SeenEntry> entries;  // entries first seen in it, or edited, with their fingerprints
  // false: etag and last_modified say nothing (a pushed document), and the feed's stay as they are
  bool validators = true;
};

class StateStore {
 public:
  // Creates state_dir (mode 0700) when missing and opens state.db in it. Throws std::runtime_error
  // naming the path when it cannot.
  explicit StateStore(const std::filesystem::path& state_dir, std::size_t seen_per_feed = 20'000);
  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  std::unordered_map<std::string, StoredFeed> load_feeds();

  // What a state directory holds about its feeds, read without writing anything (for `sluice
  // status`, while the daemon may be running). Throws std::runtime_error when there is no state
  // there or it cannot be read.
  static std::unordered_map<std::string, StoredFeed> read_feeds(const std::filesystem::path& state_dir);

  // The entries remembered for a feed, oldest first: all of them, or the newest `newest`.
  std::vector<SeenEntry> load_seen(const std::string& feed, std::size_t newest = 0);
  // The validators a feed's last polled document was committed with: etag and last_modified ("" for
  // none).
  std::pair<std::string, std::string> load_validators(const std::string& feed);

  // Stores a feed's schedule, error count, URL, redirect streak, cookies and last outcome (not its
  // validators). Kept in memory and written with every other feed's in one transaction at most
  // once per kProgressEvery, and by flush_progress(): a poll costs no write of its own, and a crash
  // loses the last second of schedules at most (those feeds are polled a little early).
  void save_progress(const std::string& feed, const StoredFeed& progress);
  // Writes the progress save_progress() holds. Also done on destruction.
  void flush_progress();
  static constexpr std::chrono::milliseconds kProgressEvery{1000};

  // Stores the document's validators and entry identities in one transaction.
  void commit(const DocumentCommit& commit);
  // Stores several documents' in one transaction: all of them or, when it throws, none.
  void commit(std::span<const DocumentCommit> commits);

  // WebSub subscriptions, one per feed at most.
  std::vector<StoredSubscription> load_subscriptions();
  static std::vector<StoredSubscription> read_subscriptions(const std::filesystem::path& state_dir);
  void save_subscription(const StoredSubscription& subscription);
  void forget_subscription(const std::string& feed);

  const std::filesystem::path& path() const noexcept { return path_; }

 private:
  void add_missing_columns(const std::string& table,
                           std::initializer_list<std::pair<std::string_view, std::string_view>> columns);

  std::filesystem::path path_;
  std::size_t seen_per_feed_;
  // Stores one document's state in the open transaction.
  void write(const DocumentCommit& commit, std::int64_t now);
  // Forgets a feed's oldest identities beyond seen_per_feed_, in the open transaction.
  void prune(std::string_view feed);
  // Writes pending_progress_ in one transaction (mutex_ held).
  void write_progress();

  std::mutex mutex_;
  SqliteDatabase db_;
  // The statements commit() runs, prepared once (on the first commit).
  std::optional<SqliteStatement> store_validators_;
  std::optional<SqliteStatement> store_entry_;
  std::optional<SqliteStatement> forget_oldest_;
  // Progress not yet written, by feed, and when progress was last written.
  std::unordered_map<std::string, StoredFeed> pending_progress_;
  std::chrono::steady_clock::time_point progress_written_;
  std::optional<SqliteStatement> store_progress_;
};

}  // namespace sluice::pipeline
