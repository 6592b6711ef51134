#include "pipeline/state/state_store.h"

#include <gtest/gtest.h>

#include <thread>
#include <algorithm>

#include "tests/support/temp_dir.h"

namespace sluice::pipeline {
namespace {

TEST(StateStore, KeepsValidatorsScheduleAndEntriesAcrossReopening) {
  const test::TempDir dir;
  {
    StateStore store(dir.path() / "state");
    store.save_progress("world", {"", "", 1'900'000'000, 2, "https://a.example/rss", "https://b.example/rss",
                                  "https://c.example/rss", 1, "a.example\tFALSE\t/\tFALSE\t0\tsid\t7\n",
                                  1'899'999'000, "HTTP 503"});
    store.commit({"world", "\"v1\"", "Mon, 10 Feb 2025 14:30:00 GMT", {{"a", 11, 12, 1}, {"b", 21, 22, 1}}});
    store.commit({"world", "\"v2\"", "", {{"c", 31, 0xFFFF'FFFF'FFFF'FFF0ULL, 1}, {"a", 13, 14, 2}}});
    store.commit({"science", "", "", {{"x"}}});
  }
  StateStore store(dir.path() / "state");
  const auto feeds = store.load_feeds();
  ASSERT_EQ(feeds.size(), 2U);
  const StoredFeed& world = feeds.at("world");
  EXPECT_EQ(world.etag, "\"v2\"") << "the newest commit wins";
  EXPECT_EQ(world.last_modified, "");
  EXPECT_EQ(world.next_due, 1'900'000'000);
  EXPECT_EQ(world.errors, 2);
  EXPECT_EQ(world.configured_url, "https://a.example/rss");
  EXPECT_EQ(world.url, "https://b.example/rss");
  EXPECT_EQ(world.redirect_target, "https://c.example/rss");
  EXPECT_EQ(world.redirect_streak, 1);
  EXPECT_EQ(world.cookies, "a.example\tFALSE\t/\tFALSE\t0\tsid\t7\n");
  EXPECT_EQ(world.last_polled, 1'899'999'000);
  EXPECT_EQ(world.last_status, "HTTP 503");
  EXPECT_EQ(feeds.at("science").next_due, 0);
  // An edited entry keeps its place; fingerprints keep all 64 bits.
  EXPECT_EQ(store.load_seen("world"), (std::vector<SeenEntry>{{"a", 13, 14, 2}, {"b", 21, 22, 1},
                                                              {"c", 31, 0xFFFF'FFFF'FFFF'FFF0ULL, 1}}));
  EXPECT_EQ(store.load_seen("science"), (std::vector<SeenEntry>{{"x", 0, 0, 1}}));
  EXPECT_TRUE(store.load_seen("nobody").empty());
  // The newest few only (what travels to another cluster instance), still oldest first.
  EXPECT_EQ(store.load_seen("world", 2), (std::vector<SeenEntry>{{"b", 21, 22, 1}, {"c", 31, 0xFFFF'FFFF'FFFF'FFF0ULL, 1}}));
}

TEST(StateStore, ScheduleUpdatesDoNotTouchValidators) {
  const test::TempDir dir;
  StateStore store(dir.path());
  store.commit({"world", "\"v1\"", "lm", {}});
  store.save_progress("world", {"", "", 42, 0, "", "", "", 0, "", 0, ""});
  const StoredFeed world = store.load_feeds().at("world");
  EXPECT_EQ(world.etag, "\"v1\"");
  EXPECT_EQ(world.last_modified, "lm");
  EXPECT_EQ(world.next_due, 42);
}

// A pushed document says nothing of the feed's validators: the polled ones stay, entries are kept.
TEST(StateStore, ACommitWithoutValidatorsKeepsTheFeeds) {
  const test::TempDir dir;
  StateStore store(dir.path());
  store.commit({"world", "\"v1\"", "lm", {{"1"}}});
  store.commit({"world", "", "", {{"2"}}, false});
  const StoredFeed world = store.load_feeds().at("world");
  EXPECT_EQ(world.etag, "\"v1\"");
  EXPECT_EQ(world.last_modified, "lm");
  EXPECT_EQ(store.load_seen("world").size(), 2U);
  EXPECT_EQ(store.load_validators("world"), std::make_pair(std::string("\"v1\""), std::string("lm")));
  EXPECT_EQ(store.load_validators("nowhere"), std::make_pair(std::string(), std::string()));
}

TEST(StateStore, StoresAKnownEntryOnce) {
  const test::TempDir dir;
  StateStore store(dir.path());
  store.commit({"world", "", "", {{"1"}, {"2"}}});
  store.commit({"world", "", "", {{"1"}, {"3"}}});
  std::vector<std::string> keys;
  for (const SeenEntry& entry : store.load_seen("world")) keys.push_back(entry.key);
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys, (std::vector<std::string>{"1", "2", "3"}));
}

TEST(StateStore, ForgetsEntriesPastItsLimit) {
  const test::TempDir dir;
  StateStore store(dir.path(), 3);
  store.commit({"world", "", "", {{"1"}, {"2"}, {"3"}, {"4"}, {"5"}}});
  store.commit({"other", "", "", {{"9"}}});
  EXPECT_EQ(store.load_seen("world").size(), 3U);
  EXPECT_EQ(store.load_seen("other").size(), 1U) << "the limit is per feed";
}

TEST(StateStore, DocumentsCommittedTogetherAreStoredInTheirOrder) {
  const test::TempDir dir;
  StateStore store(dir.path(), 3);
  const std::vector<DocumentCommit> commits{{"world", "\"v1\"", "", {{"1"}, {"2"}}},
                                            {"other", "\"o\"", "", {{"9"}}},
                                            {"world", "\"v2\"", "", {{"3"}, {"4"}}}};
  store.commit(commits);
  const auto feeds = store.load_feeds();
  EXPECT_EQ(feeds.at("world").etag, "\"v2\"") << "the later document wins";
  EXPECT_EQ(feeds.at("other").etag, "\"o\"");
  std::vector<std::string> keys;
  for (const SeenEntry& entry : store.load_seen("world")) keys.push_back(entry.key);
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys, (std::vector<std::string>{"2", "3", "4"})) << "pruned to the limit over both documents";
  EXPECT_EQ(store.load_seen("other").size(), 1U);
  store.commit(std::span<const DocumentCommit>{});
  EXPECT_EQ(store.load_feeds().size(), 2U);
}

TEST(StateStore, StateWithoutFingerprintsGainsThemUnknown) {
  const test::TempDir dir;
  {
    SqliteDatabase old((dir.path() / "state.db").string());
    old.execute(R"(
      CREATE TABLE seen (feed TEXT NOT NULL, key TEXT NOT NULL, seen_at INTEGER NOT NULL,
                         PRIMARY KEY (feed, key)) WITHOUT ROWID;
      INSERT INTO seen VALUES ('world', 'a', 1);
    )");
  }
  StateStore store(dir.path());
  EXPECT_EQ(store.load_seen("world"), (std::vector<SeenEntry>{{"a", 0, 0, 1}}));
  store.commit({"world", "", "", {{"a", 5, 6, 1}}});
  EXPECT_EQ(store.load_seen("world"), (std::vector<SeenEntry>{{"a", 5, 6, 1}}));
}

TEST(StateStore, FeedsFromAnOlderSchemaGainCookiesAndLastOutcome) {
  const test::TempDir dir;
  {
    SqliteDatabase old((dir.path() / "state.db").string());
    old.execute(R"(
      CREATE TABLE feeds (name TEXT PRIMARY KEY, etag TEXT NOT NULL DEFAULT '', last_modified TEXT NOT NULL DEFAULT '',
        next_due INTEGER NOT NULL DEFAULT 0, errors INTEGER NOT NULL DEFAULT 0,
        configured_url TEXT NOT NULL DEFAULT '', url TEXT NOT NULL DEFAULT '',
        redirect_target TEXT NOT NULL DEFAULT '', redirect_streak INTEGER NOT NULL DEFAULT 0);
      INSERT INTO feeds (name, etag, next_due) VALUES ('world', '"v1"', 77);
    )");
  }
  EXPECT_THROW(StateStore::read_feeds(dir.path()), std::runtime_error) << "read the old schema as if it were new";
  StateStore store(dir.path());
  const StoredFeed world = store.load_feeds().at("world");
  EXPECT_EQ(world.etag, "\"v1\"");
  EXPECT_EQ(world.next_due, 77);
  EXPECT_EQ(world.cookies, "");
  EXPECT_EQ(world.last_polled, 0);
}

TEST(StateStore, ReadsFeedsWithoutWritingWhileAWriterHoldsTheDatabase) {
  const test::TempDir dir;
  EXPECT_THROW(StateStore::read_feeds(dir.path() / "none"), std::runtime_error);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "none")) << "reading created the state directory";
  StateStore writer(dir.path());
  writer.save_progress("world", {"", "", 42, 3, "", "", "", 0, "", 1000, "timed out after 20000 ms"});
  const auto feeds = StateStore::read_feeds(dir.path());
  ASSERT_EQ(feeds.size(), 1U);
  EXPECT_EQ(feeds.at("world").errors, 3);
  EXPECT_EQ(feeds.at("world").last_status, "timed out after 20000 ms");
  writer.save_progress("world", {"", "", 43, 0, "", "", "", 0, "", 1060, "304 not modified"});
  writer.flush_progress();
  EXPECT_EQ(StateStore::read_feeds(dir.path()).at("world").last_status, "304 not modified");
}

// A poll writes nothing of its own: progress is written at most once a second, all feeds in one
// transaction, and when flushed or the store closes.
TEST(StateStore, ProgressIsWrittenOnceASecondAndWhenFlushedOrClosed) {
  const test::TempDir dir;
  {
    StateStore store(dir.path());
    store.save_progress("a", {"", "", 1, 0, "", "", "", 0, "", 0, "first"});  // the first is written at once
    EXPECT_EQ(StateStore::read_feeds(dir.path()).at("a").last_status, "first");
    store.save_progress("a", {"", "", 2, 0, "", "", "", 0, "", 0, "second"});
    store.save_progress("b", {"", "", 3, 0, "", "", "", 0, "", 0, "other"});
    const auto meanwhile = StateStore::read_feeds(dir.path());
    EXPECT_EQ(meanwhile.at("a").last_status, "first") << "held for up to a second";
    EXPECT_FALSE(meanwhile.contains("b"));
    EXPECT_EQ(store.load_feeds().at("b").next_due, 3) << "the writer itself reads what it holds";
    std::this_thread::sleep_for(StateStore::kProgressEvery);
    store.save_progress("c", {"", "", 4, 0, "", "", "", 0, "", 0, "later"});
    EXPECT_EQ(StateStore::read_feeds(dir.path()).size(), 3U) << "a second on, all of them at once";
    store.save_progress("c", {"", "", 5, 0, "", "", "", 0, "", 0, "last"});
  }
  EXPECT_EQ(StateStore::read_feeds(dir.path()).at("c").last_status, "last") << "written when the store closed";
}

TEST(StateStore, NamesAStateDirItCannotCreate) {
  const test::TempDir dir;
  test::write_file(dir.path() / "file", "not a directory");
  try {
    StateStore store(dir.path() / "file" / "state");
    FAIL() << "opened a state directory under a file";
  } catch (const std::runtime_error& e) {
    EXPECT_TRUE(std::string(e.what()).starts_with("cannot create state_dir " + (dir.path() / "file" / "state").string()))
        << e.what();
  }
}

}  // namespace
}  // namespace sluice::pipeline
