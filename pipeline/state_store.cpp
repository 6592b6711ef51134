#include "pipeline/state_store.h"

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
      redirect_streak INTEGER NOT NULL DEFAULT 0);
    CREATE TABLE IF NOT EXISTS seen (
      feed TEXT NOT NULL,
      key TEXT NOT NULL,
      seen_at INTEGER NOT NULL,
      content INTEGER NOT NULL DEFAULT 0,
      text INTEGER NOT NULL DEFAULT 0,
      revision INTEGER NOT NULL DEFAULT 1,
      PRIMARY KEY (feed, key)) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS seen_by_age ON seen (feed, seen_at);
  )");
  // State from before entries carried fingerprints: they start unknown, and are learned.
  bool fingerprints = false;
  {
    SqliteStatement columns(db_.get(), "SELECT name FROM pragma_table_info('seen')");
    while (columns.step()) fingerprints = fingerprints || columns.text(0) == "content";
  }
  if (!fingerprints)
    db_.execute(R"(
      ALTER TABLE seen ADD COLUMN content INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE seen ADD COLUMN text INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE seen ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
    )");
}

std::unordered_map<std::string, StoredFeed> StateStore::load_feeds() {
  const std::lock_guard lock(mutex_);
  std::unordered_map<std::string, StoredFeed> feeds;
  SqliteStatement select(db_.get(), R"(
    SELECT name, etag, last_modified, next_due, errors, configured_url, url, redirect_target, redirect_streak
    FROM feeds)");
  while (select.step())
    feeds[select.text(0)] = StoredFeed{select.text(1), select.text(2), select.integer(3),
                                       static_cast<int>(select.integer(4)), select.text(5), select.text(6),
                                       select.text(7), static_cast<int>(select.integer(8))};
  return feeds;
}

std::vector<SeenEntry> StateStore::load_seen(const std::string& feed) {
  const std::lock_guard lock(mutex_);
  std::vector<SeenEntry> entries;
  SqliteStatement select(db_.get(),
                         "SELECT key, content, text, revision FROM seen WHERE feed = ? ORDER BY seen_at, key");
  select.bind(1, feed);
  while (select.step())
    entries.push_back({select.text(0), static_cast<std::uint64_t>(select.integer(1)),
                       static_cast<std::uint64_t>(select.integer(2)),
                       static_cast<std::uint32_t>(std::max<std::int64_t>(1, select.integer(3)))});
  return entries;
}

void StateStore::save_progress(const std::string& feed, const StoredFeed& progress) {
  const std::lock_guard lock(mutex_);
  SqliteStatement upsert(db_.get(), R"(
    INSERT INTO feeds (name, next_due, errors, configured_url, url, redirect_target, redirect_streak)
    VALUES (?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (name) DO UPDATE SET next_due = excluded.next_due, errors = excluded.errors,
      configured_url = excluded.configured_url, url = excluded.url,
      redirect_target = excluded.redirect_target, redirect_streak = excluded.redirect_streak)");
  upsert.bind(1, feed).bind(2, progress.next_due).bind(3, static_cast<std::int64_t>(progress.errors));
  upsert.bind(4, progress.configured_url).bind(5, progress.url).bind(6, progress.redirect_target);
  upsert.bind(7, static_cast<std::int64_t>(progress.redirect_streak));
  upsert.step();
}

void StateStore::commit(const DocumentCommit& commit) {
  const std::lock_guard lock(mutex_);
  db_.execute("BEGIN IMMEDIATE");
  try {
    SqliteStatement validators(db_.get(), R"(
      INSERT INTO feeds (name, etag, last_modified) VALUES (?, ?, ?)
      ON CONFLICT (name) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified)");
    validators.bind(1, commit.feed).bind(2, commit.etag).bind(3, commit.last_modified);
    validators.step();
    if (!commit.entries.empty()) {
      // An edited entry keeps its place in the age order: it is the same story.
      SqliteStatement insert(db_.get(), R"(
        INSERT INTO seen (feed, key, seen_at, content, text, revision) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (feed, key) DO UPDATE SET content = excluded.content, text = excluded.text,
          revision = excluded.revision)");
      const std::int64_t now = now_seconds();
      for (const SeenEntry& entry : commit.entries) {
        insert.bind(1, commit.feed).bind(2, entry.key).bind(3, now);
        insert.bind(4, static_cast<std::int64_t>(entry.content)).bind(5, static_cast<std::int64_t>(entry.text));
        insert.bind(6, static_cast<std::int64_t>(entry.revision));
        insert.step();
        insert.reset();
      }
      // Forget the oldest identities beyond the limit: far more than any feed still lists.
      SqliteStatement prune(db_.get(), R"(
        DELETE FROM seen WHERE feed = ?1 AND key IN (
          SELECT key FROM seen WHERE feed = ?1 ORDER BY seen_at DESC, key DESC LIMIT -1 OFFSET ?2))");
      prune.bind(1, commit.feed).bind(2, static_cast<std::int64_t>(seen_per_feed_));
      prune.step();
    }
    db_.execute("COMMIT");
  } catch (...) {
    sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

}  // namespace sluice::pipeline
