#include "pipeline/state/state_store.h"

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <system_error>

namespace sluice::pipeline {
namespace {

std::filesystem::path prepare_directory(const std::filesystem::path& state_dir) {
  std::error_code error;
  std::filesystem::create_directories(state_dir, error);
  if (error) throw std::runtime_error("cannot create state_dir " + state_dir.string() + ": " + error.message());
  return state_dir / "state.db";
}

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::unordered_map<std::string, StoredFeed> select_feeds(const SqliteDatabase& db) {
  std::unordered_map<std::string, StoredFeed> feeds;
  SqliteStatement select(db.get(), R"(
    SELECT name, etag, last_modified, next_due, errors, configured_url, url, redirect_target, redirect_streak,
      cookies, last_polled, last_status
    FROM feeds)");
  while (select.step())
    feeds[select.text(0)] = StoredFeed{select.text(1),  select.text(2),  select.integer(3),
                                       static_cast<int>(select.integer(4)), select.text(5), select.text(6),
                                       select.text(7),  static_cast<int>(select.integer(8)), select.text(9),
                                       select.integer(10), select.text(11)};
  return feeds;
}

}  // namespace

StateStore::StateStore(const std::filesystem::path& state_dir, std::size_t seen_per_feed)
    : path_(prepare_directory(state_dir)), seen_per_feed_(seen_per_feed), db_(path_.string()) {
  db_.execute(R"(
    CREATE TABLE IF NOT EXISTS feeds (
      name TEXT PRIMARY KEY,
      etag TEXT NOT NULL DEFAULT '',
      last_modified TEXT NOT NULL DEFAULT '',
      next_due INTEGER NOT NULL DEFAULT 0,
      errors INTEGER NOT NULL DEFAULT 0,
      configured_url TEXT NOT NULL DEFAULT '',
      url TEXT NOT NULL DEFAULT '',
      redirect_target TEXT NOT NULL DEFAULT '',
      redirect_streak INTEGER NOT NULL DEFAULT 0,
      cookies TEXT NOT NULL DEFAULT '',
      last_polled INTEGER NOT NULL DEFAULT 0,
      last_status TEXT NOT NULL DEFAULT '');
    CREATE TABLE IF NOT EXISTS seen (
      feed TEXT NOT NULL,
      key TEXT NOT NULL,
      seen_at INTEGER NOT NULL,
      content INTEGER NOT NULL DEFAULT 0,
      text INTEGER NOT NULL DEFAULT 0,
      revision INTEGER NOT NULL DEFAULT 1,
      PRIMARY KEY (feed, key)) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS seen_by_age ON seen (feed, seen_at);
    CREATE TABLE IF NOT EXISTS subscriptions (
      feed TEXT PRIMARY KEY,
      hub TEXT NOT NULL,
      topic TEXT NOT NULL,
      callback_id TEXT NOT NULL UNIQUE,
      secret TEXT NOT NULL,
      state INTEGER NOT NULL,
      lease_end INTEGER NOT NULL DEFAULT 0,
      next_attempt INTEGER NOT NULL DEFAULT 0,
      requested INTEGER NOT NULL DEFAULT 0,
      failures INTEGER NOT NULL DEFAULT 0,
      reason TEXT NOT NULL DEFAULT '');
  )");
  // State from earlier versions gains the columns added since. Entries from before fingerprints
  // start unknown, and are learned.
  add_missing_columns("seen", {{"content", "INTEGER NOT NULL DEFAULT 0"},
                               {"text", "INTEGER NOT NULL DEFAULT 0"},
                               {"revision", "INTEGER NOT NULL DEFAULT 1"}});
  add_missing_columns("feeds", {{"cookies", "TEXT NOT NULL DEFAULT ''"},
                                {"last_polled", "INTEGER NOT NULL DEFAULT 0"},
                                {"last_status", "TEXT NOT NULL DEFAULT ''"}});
}

void StateStore::add_missing_columns(const std::string& table,
                                     std::initializer_list<std::pair<std::string_view, std::string_view>> columns) {
  std::vector<std::string> present;
  {
    SqliteStatement names(db_.get(), "SELECT name FROM pragma_table_info('" + table + "')");
    while (names.step()) present.push_back(names.text(0));
  }
  for (const auto& [name, declaration] : columns)
    if (std::find(present.begin(), present.end(), name) == present.end())
      db_.execute("ALTER TABLE " + table + " ADD COLUMN " + std::string(name) + " " + std::string(declaration));
}

std::unordered_map<std::string, StoredFeed> StateStore::load_feeds() {
  const std::lock_guard lock(mutex_);
  write_progress();
  return select_feeds(db_);
}

std::unordered_map<std::string, StoredFeed> StateStore::read_feeds(const std::filesystem::path& state_dir) {
  const std::filesystem::path path = state_dir / "state.db";
  std::error_code error;
  if (!std::filesystem::exists(path, error))
    throw std::runtime_error("no state at " + path.string() + ": sluice has not run with this state_dir yet");
  const SqliteDatabase db(path.string(), SqliteDatabase::Access::read_only);
  try {
    return select_feeds(db);
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string(e.what()) + " (state from an older sluice is upgraded when the daemon starts)");
  }
}

namespace {

std::vector<StoredSubscription> select_subscriptions(const SqliteDatabase& db) {
  std::vector<StoredSubscription> out;
  SqliteStatement select(db.get(), "SELECT feed, hub, topic, callback_id, secret, state, lease_end, next_attempt, "
                                   "requested, failures, reason FROM subscriptions ORDER BY feed");
  while (select.step()) {
    StoredSubscription subscription{select.text(0),    select.text(1),    select.text(2),
                                    select.text(3),    select.text(4),    StoredSubscription::State::subscribing,
                                    select.integer(6), select.integer(7), select.integer(8),
                                    static_cast<int>(select.integer(9)), select.text(10)};
    const std::int64_t state = select.integer(5);
    if (state >= 0 && state <= static_cast<std::int64_t>(StoredSubscription::State::unsubscribing))
      subscription.state = static_cast<StoredSubscription::State>(state);
    out.push_back(std::move(subscription));
  }
  return out;
}

}  // namespace

std::string_view state_name(StoredSubscription::State state) noexcept {
  switch (state) {
    case StoredSubscription::State::subscribing: return "subscribing";
    case StoredSubscription::State::active: return "active";
    case StoredSubscription::State::failed: return "failed";
    case StoredSubscription::State::unsubscribing: return "unsubscribing";
  }
  return "?";
}

std::vector<StoredSubscription> StateStore::load_subscriptions() {
  const std::lock_guard lock(mutex_);
  return select_subscriptions(db_);
}

std::vector<StoredSubscription> StateStore::read_subscriptions(const std::filesystem::path& state_dir) {
  const SqliteDatabase db((state_dir / "state.db").string(), SqliteDatabase::Access::read_only);
  return select_subscriptions(db);
}

void StateStore::save_subscription(const StoredSubscription& subscription) {
  const std::lock_guard lock(mutex_);
  SqliteStatement upsert(db_.get(), R"(
    INSERT INTO subscriptions (feed, hub, topic, callback_id, secret, state, lease_end, next_attempt, requested,
      failures, reason)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (feed) DO UPDATE SET hub = excluded.hub, topic = excluded.topic, callback_id = excluded.callback_id,
      secret = excluded.secret, state = excluded.state, lease_end = excluded.lease_end,
      next_attempt = excluded.next_attempt, requested = excluded.requested, failures = excluded.failures,
      reason = excluded.reason)");
  upsert.bind(1, subscription.feed).bind(2, subscription.hub).bind(3, subscription.topic);
  upsert.bind(4, subscription.callback_id).bind(5, subscription.secret);
  upsert.bind(6, static_cast<std::int64_t>(subscription.state)).bind(7, subscription.lease_end);
  upsert.bind(8, subscription.next_attempt).bind(9, subscription.requested);
  upsert.bind(10, static_cast<std::int64_t>(subscription.failures)).bind(11, subscription.reason);
  upsert.step();
}

void StateStore::forget_subscription(const std::string& feed) {
  const std::lock_guard lock(mutex_);
  SqliteStatement remove(db_.get(), "DELETE FROM subscriptions WHERE feed = ?");
  remove.bind(1, feed);
  remove.step();
}

std::vector<SeenEntry> StateStore::load_seen(const std::string& feed, std::size_t newest) {
  const std::lock_guard lock(mutex_);
  std::vector<SeenEntry> entries;
  // Newest first (as far as the limit; -1 is none), then turned around.
  SqliteStatement select(db_.get(), "SELECT key, content, text, revision FROM seen WHERE feed = ? "
                                    "ORDER BY seen_at DESC, key DESC LIMIT ?");
  select.bind(1, feed).bind(2, newest == 0 ? std::int64_t{-1} : static_cast<std::int64_t>(newest));
  while (select.step())
    entries.push_back({select.text(0), static_cast<std::uint64_t>(select.integer(1)),
                       static_cast<std::uint64_t>(select.integer(2)),
                       static_cast<std::uint32_t>(std::max<std::int64_t>(1, select.integer(3)))});
  std::reverse(entries.begin(), entries.end());
  return entries;
}

std::pair<std::string, std::string> StateStore::load_validators(const std::string& feed) {
  const std::lock_guard lock(mutex_);
  SqliteStatement select(db_.get(), "SELECT etag, last_modified FROM feeds WHERE name = ?");
  select.bind(1, feed);
  if (!select.step()) return {};
  return {select.text(0), select.text(1)};
}

StateStore::~StateStore() {
  try {
    flush_progress();
  } catch (const std::exception&) {
    // Lost: those feeds' schedules are the ones stored before, and they are polled a little early.
  }
}

void StateStore::save_progress(const std::string& feed, const StoredFeed& progress) {
  const std::lock_guard lock(mutex_);
  pending_progress_.insert_or_assign(feed, progress);
  if (std::chrono::steady_clock::now() - progress_written_ >= kProgressEvery) write_progress();
}

void StateStore::flush_progress() {
  const std::lock_guard lock(mutex_);
  write_progress();
}

void StateStore::write_progress() {
  progress_written_ = std::chrono::steady_clock::now();
  if (pending_progress_.empty()) return;
  if (!store_progress_)
    store_progress_.emplace(db_.get(), R"(
      INSERT INTO feeds (name, next_due, errors, configured_url, url, redirect_target, redirect_streak, cookies,
        last_polled, last_status)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (name) DO UPDATE SET next_due = excluded.next_due, errors = excluded.errors,
        configured_url = excluded.configured_url, url = excluded.url,
        redirect_target = excluded.redirect_target, redirect_streak = excluded.redirect_streak,
        cookies = excluded.cookies, last_polled = excluded.last_polled, last_status = excluded.last_status)");
  db_.execute("BEGIN IMMEDIATE");
  try {
    SqliteStatement& upsert = *store_progress_;
    for (const auto& [feed, progress] : pending_progress_) {
      upsert.reset();
      upsert.bind(1, feed).bind(2, progress.next_due).bind(3, static_cast<std::int64_t>(progress.errors));
      upsert.bind(4, progress.configured_url).bind(5, progress.url).bind(6, progress.redirect_target);
      upsert.bind(7, static_cast<std::int64_t>(progress.redirect_streak)).bind(8, progress.cookies);
      upsert.bind(9, progress.last_polled).bind(10, progress.last_status);
      upsert.step();
    }
    db_.execute("COMMIT");
  } catch (...) {
    sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    throw;  // kept pending: written with the next
  }
  pending_progress_.clear();
}

void StateStore::commit(const DocumentCommit& commit) { this->commit(std::span(&commit, 1)); }

void StateStore::commit(std::span<const DocumentCommit> commits) {
  if (commits.empty()) return;
  const std::lock_guard lock(mutex_);
  if (!store_validators_) {
    store_validators_.emplace(db_.get(), R"(
      INSERT INTO feeds (name, etag, last_modified) VALUES (?, ?, ?)
      ON CONFLICT (name) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified)");
    // An edited entry keeps its place in the age order: it is the same story.
    store_entry_.emplace(db_.get(), R"(
      INSERT INTO seen (feed, key, seen_at, content, text, revision) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (feed, key) DO UPDATE SET content = excluded.content, text = excluded.text,
        revision = excluded.revision)");
    forget_oldest_.emplace(db_.get(), R"(
      DELETE FROM seen WHERE feed = ?1 AND key IN (
        SELECT key FROM seen WHERE feed = ?1 ORDER BY seen_at DESC, key DESC LIMIT -1 OFFSET ?2))");
  }
  db_.execute("BEGIN IMMEDIATE");
  try {
    const std::int64_t now = now_seconds();
    for (const DocumentCommit& commit : commits) write(commit, now);
    // Each feed that gained entries is pruned once.
    std::vector<std::string_view> grown;
    for (const DocumentCommit& commit : commits)
      if (!commit.entries.empty() && std::ranges::find(grown, commit.feed) == grown.end()) grown.push_back(commit.feed);
    for (const std::string_view feed : grown) prune(feed);
    db_.execute("COMMIT");
  } catch (...) {
    sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

void StateStore::write(const DocumentCommit& commit, std::int64_t now) {
  if (commit.validators) {
    SqliteStatement& validators = *store_validators_;
    validators.reset();
    validators.bind(1, commit.feed).bind(2, commit.etag).bind(3, commit.last_modified);
    validators.step();
  }
  SqliteStatement& entry = *store_entry_;
  for (const SeenEntry& seen : commit.entries) {
    entry.reset();
    entry.bind(1, commit.feed).bind(2, seen.key).bind(3, now);
    entry.bind(4, static_cast<std::int64_t>(seen.content)).bind(5, static_cast<std::int64_t>(seen.text));
    entry.bind(6, static_cast<std::int64_t>(seen.revision));
    entry.step();
  }
}

void StateStore::prune(std::string_view feed) {
  // Far more than any feed still lists are kept.
  SqliteStatement& forget = *forget_oldest_;
  forget.reset();
  forget.bind(1, feed).bind(2, static_cast<std::int64_t>(seen_per_feed_));
  forget.step();
}

}  // namespace sluice::pipeline
