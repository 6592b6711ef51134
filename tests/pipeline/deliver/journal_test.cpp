#include "pipeline/deliver/journal.h"

#include <gtest/gtest.h>

#include <zlib.h>

#include <fstream>
#include <numeric>

#include "tests/support/journals.h"
#include "tests/support/temp_dir.h"

namespace sluice::pipeline {
namespace {

std::vector<std::uint64_t> seqs(const Journal& journal, std::uint64_t from = 1, std::uint64_t to = UINT64_MAX) {
  std::vector<std::uint64_t> out;
  journal.read(from, to, [&](const Journal::Record& record) {
    out.push_back(record.seq);
    return true;
  });
  return out;
}

std::filesystem::path only_segment(const std::filesystem::path& dir) {
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (entry.path().extension() == ".seg") return entry.path();
  return {};
}

TEST(Journal, SeqAndEpochContinueAcrossReopening) {
  const test::TempDir dir;
  std::uint64_t epoch = 0;
  {
    Journal journal(dir.path() / "journal");
    epoch = journal.epoch();
    EXPECT_GT(epoch, 0U);
    EXPECT_EQ(journal.append("article.a.", R"({"n":1})", 100), 1U);
    EXPECT_EQ(journal.append("article.b.", R"({"n":2})", 101), 2U);
    EXPECT_EQ(journal.pending(), 2U);
    journal.sync();
    EXPECT_EQ(journal.pending(), 0U);
  }
  Journal journal(dir.path() / "journal");
  EXPECT_EQ(journal.epoch(), epoch);
  EXPECT_EQ(journal.head(), 2U);
  EXPECT_EQ(journal.recovered_bytes(), 0U);
  EXPECT_EQ(journal.append("article.a.", R"({"n":3})", 102), 3U);
  journal.sync();
  std::vector<std::string> bodies;
  journal.read(2, 3, [&](const Journal::Record& record) {
    bodies.push_back(std::string(record.topic) + std::string(record.body));
    EXPECT_EQ(record.time, 99 + static_cast<std::int64_t>(record.seq));
    return true;
  });
  EXPECT_EQ(bodies, (std::vector<std::string>{R"(article.b.{"n":2})", R"(article.a.{"n":3})"}));
}

// A record as journals before XXH3 checksums wrote it: the length word without its top bit, and
// the payload's CRC-32.
std::string crc32_record(std::uint64_t seq, std::string_view topic, std::string_view body) {
  std::string payload;
  const auto put = [&](std::string& out, std::uint64_t value, int bytes) {
    for (int i = 0; i < bytes; ++i) out += static_cast<char>((value >> (8 * i)) & 0xFF);
  };
  put(payload, seq, 8);
  put(payload, 1000 + seq, 8);
  put(payload, topic.size(), 2);
  payload.append(topic).append(body);
  std::string record;
  put(record, payload.size(), 4);
  put(record, crc32(0L, reinterpret_cast<const Bytef*>(payload.data()), static_cast<uInt>(payload.size())), 4);
  return record + payload;
}

TEST(Journal, ReadsRecordsCheckedWithCrc32AndGoesOnWithXxh3) {
  const test::TempDir dir;
  { Journal journal(dir.path()); }  // makes the epoch and the first segment
  const auto segment = only_segment(dir.path());
  {
    std::ofstream out(segment, std::ios::binary | std::ios::trunc);
    out << crc32_record(1, "article.a.", "one") << crc32_record(2, "article.a.", "two");
  }
  {
    Journal journal(dir.path());
    EXPECT_EQ(journal.head(), 2U);
    EXPECT_EQ(journal.recovered_bytes(), 0U);
    EXPECT_EQ(journal.append("article.a.", "three", 1003), 3U);
    journal.sync();
  }
  std::string corrupt;
  {
    std::ifstream in(segment, std::ios::binary);
    corrupt.assign(std::istreambuf_iterator<char>(in), {});
  }
  Journal journal(dir.path());
  EXPECT_EQ(journal.head(), 3U);
  std::vector<std::string> bodies;
  journal.read(1, 3, [&](const Journal::Record& record) {
    bodies.emplace_back(record.body);
    EXPECT_EQ(record.time, 1000 + static_cast<std::int64_t>(record.seq));
    return true;
  });
  EXPECT_EQ(bodies, (std::vector<std::string>{"one", "two", "three"}));
  JournalCursor cursor(dir.path(), 1);
  std::vector<std::uint64_t> read;
  while (const auto record = cursor.next(UINT64_MAX)) read.push_back(record->seq);
  EXPECT_EQ(read, (std::vector<std::uint64_t>{1, 2, 3}));
  // The XXH3 checksum catches a flipped byte as the CRC did.
  corrupt[corrupt.size() - 2] ^= 0x20;
  {
    std::ofstream out(segment, std::ios::binary | std::ios::trunc);
    out << corrupt;
  }
  Journal damaged(dir.path());
  EXPECT_EQ(damaged.head(), 2U);
  EXPECT_GT(damaged.recovered_bytes(), 0U);
}

TEST(Journal, ATornTailIsCutNotTrusted) {
  const test::TempDir dir;
  {
    Journal journal(dir.path());
    for (int i = 0; i < 3; ++i) journal.append("article.a.", std::string(100, 'x'), 1);
    journal.sync();
  }
  const auto segment = only_segment(dir.path());
  const auto whole = std::filesystem::file_size(segment);
  {
    // Half of a fourth record, as a crash in the middle of a write leaves it.
    std::ofstream out(segment, std::ios::binary | std::ios::app);
    out << std::string("\x80\x00\x00\x00\x12\x34", 6) << std::string(40, 'y');
  }
  Journal journal(dir.path());
  EXPECT_EQ(journal.head(), 3U);
  EXPECT_EQ(journal.recovered_bytes(), 46U);
  EXPECT_EQ(std::filesystem::file_size(segment), whole);
  EXPECT_EQ(journal.append("article.a.", "next", 2), 4U);
  journal.sync();
  EXPECT_EQ(seqs(journal), (std::vector<std::uint64_t>{1, 2, 3, 4}));
}

TEST(Journal, ACorruptRecordEndsTheJournalThere) {
  const test::TempDir dir;
  {
    Journal journal(dir.path());
    for (int i = 0; i < 3; ++i) journal.append("article.a.", std::string(100, 'x'), 1);
    journal.sync();
  }
  const auto segment = only_segment(dir.path());
  {
    // One flipped byte in the body of the second record fails its CRC.
    std::fstream file(segment, std::ios::binary | std::ios::in | std::ios::out);
    file.seekp(static_cast<std::streamoff>(std::filesystem::file_size(segment) / 2));
    file.put('!');
  }
  Journal journal(dir.path());
  EXPECT_EQ(journal.head(), 1U);
  EXPECT_GT(journal.recovered_bytes(), 0U);
  EXPECT_EQ(journal.append("article.a.", "again", 2), 2U);
}

// Segments are read a chunk (1 MiB) at a time: records that straddle chunks, and one larger than
// a chunk, read whole; a corrupt one past the first chunks still ends the journal there.
TEST(Journal, RecordsAcrossReadChunksReadWholeAndACorruptOneFarInStillEndsIt) {
  const test::TempDir dir;
  std::vector<std::string> bodies;
  for (int i = 0; i < 40; ++i) bodies.push_back(std::string(70'001 + i * 13, static_cast<char>('a' + i % 26)));
  bodies[20] = std::string(3 << 20, 'L');  // over two chunks by itself
  std::uint64_t corrupt_at = 0;
  {
    Journal journal(dir.path());
    for (std::size_t i = 0; i < bodies.size(); ++i) {
      if (i == 30) {
        journal.sync();
        corrupt_at = std::filesystem::file_size(only_segment(dir.path())) + 100;
      }
      journal.append("article.a.", bodies[i], 1);
    }
    journal.sync();
    std::vector<std::string> read;
    journal.read(1, UINT64_MAX, [&](const Journal::Record& record) {
      read.emplace_back(record.body);
      return true;
    });
    EXPECT_EQ(read, bodies);
  }
  {
    std::fstream file(only_segment(dir.path()), std::ios::binary | std::ios::in | std::ios::out);
    file.seekp(static_cast<std::streamoff>(corrupt_at));
    file.put('!');
  }
  const Journal journal(dir.path());
  EXPECT_EQ(journal.head(), 30U) << "the 31st record, 4.9 MiB in, is corrupt";
  EXPECT_EQ(seqs(journal).size(), 30U);
}

TEST(Journal, SegmentsRollAndRetentionDropsTheOldest) {
  const test::TempDir dir;
  JournalLimits limits;
  limits.segment_bytes = 1000;
  limits.max_bytes = 3000;
  Journal journal(dir.path(), limits);
  for (int i = 0; i < 100; ++i) {
    journal.append("article.a.", std::string(200, 'z'), i);
    journal.sync();
  }
  EXPECT_EQ(journal.head(), 100U);
  EXPECT_GT(journal.first(), 1U) << "the oldest segments are gone";
  std::uint64_t total = 0;
  int segments = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
    if (entry.path().extension() == ".seg") {
      total += entry.file_size();
      ++segments;
    }
  EXPECT_LE(total, limits.max_bytes + limits.segment_bytes + 300);
  EXPECT_GE(segments, 2);
  const auto kept = seqs(journal);
  ASSERT_FALSE(kept.empty());
  EXPECT_EQ(kept.front(), journal.first());
  EXPECT_EQ(kept.back(), 100U);
  EXPECT_EQ(kept.size(), 100U - journal.first() + 1) << "gapless from first to head";
  Journal reopened(dir.path(), limits);
  EXPECT_EQ(reopened.head(), 100U);
  EXPECT_EQ(reopened.first(), journal.first());
}

TEST(Journal, AppendsGoOnWhileABatchIsMadeDurable) {
  const test::TempDir dir;
  JournalLimits limits;
  limits.segment_bytes = 600;  // the first batch fills a segment, so finishing it rolls
  {
    Journal journal(dir.path(), limits);
    EXPECT_TRUE(journal.sync_done()) << "no sync under way";
    for (int i = 1; i <= 10; ++i) journal.append("article.a.", std::to_string(i), i);
    journal.begin_sync();
    for (int i = 11; i <= 15; ++i) journal.append("article.a.", std::to_string(i), i);
    EXPECT_TRUE(test::wait_until([&] { return journal.sync_done(); }, std::chrono::seconds(10)))
        << "the write never finished";
    EXPECT_EQ(journal.durable_head(), 0U) << "done, but durable only once finished";
    EXPECT_EQ(journal.pending(), 15U) << "the batch being written counts until it is durable";
    journal.finish_sync();
    EXPECT_EQ(journal.durable_head(), 10U);
    EXPECT_EQ(journal.head(), 15U);
    EXPECT_EQ(journal.pending(), 5U);
    EXPECT_EQ(seqs(journal).size(), 10U) << "only what is durable is read";
    journal.begin_sync();
    journal.finish_sync();
    EXPECT_EQ(journal.durable_head(), 15U);
    for (int i = 16; i <= 20; ++i) journal.append("article.a.", std::to_string(i), i);
  }  // closing makes the rest durable
  Journal journal(dir.path(), limits);
  EXPECT_EQ(journal.head(), 20U);
  std::vector<std::uint64_t> expected(20);
  std::iota(expected.begin(), expected.end(), 1);
  EXPECT_EQ(seqs(journal), expected) << "in order across the segment the first batch closed";
  int segments = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) segments += entry.path().extension() == ".seg";
  EXPECT_GE(segments, 2);
}

std::vector<std::uint64_t> written_seqs(const Journal& journal) {
  std::vector<std::uint64_t> out;
  Journal::for_each_written(*journal.written(), [&](const Journal::Record& record) {
    out.push_back(record.seq);
    return true;
  });
  return out;
}

TEST(Journal, AWrittenBatchStaysAsItWasWhileHeldAndItsBufferIsUsedAgainOnceLetGo) {
  const test::TempDir dir;
  Journal journal(dir.path());
  EXPECT_EQ(journal.written(), nullptr);
  journal.append("article.a.", "one", 1);
  journal.append("article.a.", std::string(1 << 20, 'x'), 1);
  journal.begin_sync();
  journal.append("article.a.", "three", 1);
  journal.finish_sync();
  EXPECT_EQ(written_seqs(journal), (std::vector<std::uint64_t>{1, 2})) << "only the batch made durable";
  auto held = journal.written();
  const std::string as_written = *held;
  for (int i = 4; i <= 12; ++i) {
    journal.append("article.a.", std::string(3000, static_cast<char>('a' + i)), i);
    journal.sync();
    EXPECT_EQ(written_seqs(journal).back(), static_cast<std::uint64_t>(i));
  }
  EXPECT_EQ(*held, as_written) << "a buffer still held is never appended into";
  held.reset();
  // Let go of, the buffer of that 1 MB batch is appended into again while batches stay large ...
  bool reused = false;
  std::uint64_t seq = 12;
  for (int i = 0; i < 8; ++i) {
    journal.append("article.a.", std::string(600 << 10, 'm'), ++seq);
    journal.sync();
    reused = reused || journal.written()->capacity() >= (2U << 20);
    EXPECT_EQ(written_seqs(journal), (std::vector<std::uint64_t>{seq}));
  }
  EXPECT_TRUE(reused);
  // ... and gives its memory back once they are small: after a first round through the buffers
  // kept, it never comes round again.
  std::size_t largest = 0;
  for (int i = 0; i < 30; ++i) {
    journal.append("article.a.", "small", ++seq);
    journal.sync();
    if (i >= 10) largest = std::max(largest, journal.written()->capacity());
  }
  EXPECT_LT(largest, 2U << 20);
}

std::vector<std::uint64_t> drain(JournalCursor& cursor, std::uint64_t limit) {
  std::vector<std::uint64_t> out;
  while (const auto record = cursor.next(limit)) {
    EXPECT_EQ(record->body, std::to_string(record->seq)) << "the record's own body";
    out.push_back(record->seq);
  }
  return out;
}

TEST(JournalCursor, ReadsForwardAcrossSegmentsWhileTheJournalGrows) {
  const test::TempDir dir;
  JournalLimits limits;
  limits.segment_bytes = 500;
  Journal journal(dir.path(), limits);
  for (int i = 1; i <= 40; ++i) journal.append("article.a.", std::to_string(i), i);
  journal.sync();
  JournalCursor cursor(dir.path(), 7);
  EXPECT_FALSE(cursor.gone());
  auto read = drain(cursor, 20);
  ASSERT_EQ(read.size(), 14U) << "7..20: up to the limit, which stands for the durable head";
  EXPECT_EQ(read.front(), 7U);
  EXPECT_EQ(read.back(), 20U);
  read = drain(cursor, UINT64_MAX);
  ASSERT_EQ(read.size(), 20U);
  EXPECT_EQ(read.back(), 40U);
  // Records written later, into a new segment too, are read on the next call.
  for (int i = 41; i <= 100; ++i) {
    journal.append("article.a.", std::to_string(i), i);
    journal.sync();
  }
  read = drain(cursor, UINT64_MAX);
  ASSERT_EQ(read.size(), 60U);
  EXPECT_EQ(read.front(), 41U);
  EXPECT_EQ(read.back(), 100U);
  EXPECT_EQ(cursor.position(), 101U);
}

TEST(JournalCursor, ARangeBeforeRetentionIsGone) {
  const test::TempDir dir;
  const auto kept_journal = test::journal_past_retention(dir.path());
  const Journal& journal = *kept_journal;
  ASSERT_GT(journal.first(), 1U);
  EXPECT_EQ(journal_first(dir.path()), journal.first());
  JournalCursor early(dir.path(), 1);
  EXPECT_TRUE(early.gone());
  EXPECT_EQ(early.first_kept(), journal.first());
  EXPECT_FALSE(early.next(UINT64_MAX));
  JournalCursor kept(dir.path(), journal.first());
  EXPECT_FALSE(kept.gone());
  EXPECT_EQ(drain(kept, UINT64_MAX).size(), 100U - journal.first() + 1);
}

TEST(Journal, AnUnwritableDirectoryIsNamed) {
  try {
    Journal journal("/proc/sluice-journal");
    FAIL() << "opened a journal where no directory can be made";
  } catch (const std::system_error& e) {
    EXPECT_NE(std::string(e.what()).find("/proc/sluice-journal"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace sluice::pipeline
