// The journal: every published article, durably, in seq order, so that seq continues across
// restarts and a subscriber can later be served what it missed.
//
// Layout: `DIR/epoch` holds the epoch (decimal) and `DIR/<first seq, 20 digits>.seg` the segments.
// A segment is a run of records, each
//   u32 payload length | u32 checksum of the payload | payload: u64 seq, i64 unix time,
//   u16 topic length, topic, body
// in little-endian order. The checksum is the low 32 bits of the payload's XXH3, and the length
// word's top bit says so; a record without that bit (journals written before) carries a CRC-32.
// Appends are buffered and made durable together by sync() (write + fdatasync), which the
// publisher calls before anything of the batch goes out; what is durable then leaves the page
// cache. At open, the last segment is read through: a record that is short, fails its checksum or
// breaks the seq order ends the journal there (a torn write from a crash is cut, never trusted),
// and seq continues after it. A full segment is closed and a new one started; retention removes
// the oldest closed segments beyond the age or size limit.
//
// Thread-safety: none; the publish thread owns it.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <future>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::pipeline {

struct JournalLimits {
  std::uint64_t segment_bytes = 64ULL << 20;
  std::uint64_t max_bytes = 1ULL << 30;                           // whole journal, closed segments
  std::chrono::seconds max_age = std::chrono::hours(24 * 7);      // a closed segment's last write
};

class Journal {
 public:
  // Opens the journal in dir, creating it (and a new epoch) when absent. Throws
  // std::system_error naming the path when it cannot read or write there.
  Journal(std::filesystem::path dir, JournalLimits limits = {});
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;
  ~Journal();

  std::uint64_t epoch() const noexcept { return epoch_; }
  // The seq of the last record appended (0 when none ever was); the next append gets head() + 1.
  std::uint64_t head() const noexcept { return head_; }
  // Bytes cut from a torn tail when the journal was opened (0 when it was whole).
  std::uint64_t recovered_bytes() const noexcept { return cut_bytes_; }

  // Buffers one record with seq head() + 1 and returns that seq. Not durable until sync().
  std::uint64_t append(std::string_view topic, std::string_view body, std::int64_t unix_time);
  // The same with the body in pieces, written one after the other.
  std::uint64_t append(std::string_view topic, std::initializer_list<std::string_view> body, std::int64_t unix_time);

  // Writes and fdatasyncs what was appended since the last sync. On failure (a full disk) it throws
  // std::system_error and leaves the file as it was before; the buffered records stay and are
  // written by the next successful sync.
  void sync();

  // The same in two halves, so that appending goes on while the disk works: begin_sync() hands
  // what was appended so far to a writer thread and returns; finish_sync() waits for it (and
  // throws as sync() does, the records kept for the next try). Records appended in between wait
  // for the next sync. begin_sync() finishes a sync still under way first.
  void begin_sync();
  void finish_sync();
  // Whether finish_sync() would return at once: no sync under way, or its write is done.
  bool sync_done() const;

  // The records the last finish_sync() made durable, as they were written (null before any); the
  // next begin_sync() moves on, but the buffer stays as long as a holder keeps it, so the live
  // stream can send the bodies straight from it. for_each_written() reads it.
  std::shared_ptr<const std::string> written() const noexcept { return written_; }

  // Records not yet made durable (being written included).
  std::size_t pending() const noexcept { return pending_records_ + in_flight_records_; }
  // The seq of the last record made durable.
  std::uint64_t durable_head() const noexcept { return durable_head_; }

  // Every durable record with from <= seq <= to, in order, until visit returns false.
  struct Record {
    std::uint64_t seq;
    std::int64_t time;
    std::string_view topic;
    std::string_view body;
  };
  template <typename Visit>
  void read(std::uint64_t from, std::uint64_t to, Visit visit) const;
  // Every record of a buffer from written(), in order, until visit returns false.
  static void for_each_written(std::string_view records, const std::function<bool(const Record&)>& visit);
  // The oldest seq still kept (head() + 1 when the journal is empty).
  std::uint64_t first() const noexcept;
  // Bytes on disk: the closed segments and what the open one holds durably.
  std::uint64_t bytes() const;

 private:
  struct Segment {
    std::uint64_t first_seq;
    std::filesystem::path path;
  };

  void load_epoch();
  void recover_last_segment();
  void open_for_append();
  void roll();
  void apply_retention();

  std::filesystem::path dir_;
  JournalLimits limits_;
  std::uint64_t epoch_ = 0;
  std::uint64_t head_ = 0;
  std::uint64_t cut_bytes_ = 0;
  std::vector<Segment> segments_;  // oldest first; the last one is open for appending
  int fd_ = -1;
  std::uint64_t durable_size_ = 0;  // bytes of the open segment known to be on disk
  // Appended, not yet being written. Never shared: a buffer some holder of written() still keeps is
  // not taken for appending (retired_ keeps it until it is free again).
  std::shared_ptr<std::string> buffer_ = std::make_shared<std::string>();
  std::size_t pending_records_ = 0;
  std::shared_ptr<std::string> in_flight_;  // being written by writing_
  std::shared_ptr<std::string> written_;    // the last batch made durable
  std::vector<std::shared_ptr<std::string>> retired_;
  std::size_t in_flight_records_ = 0;
  std::uint64_t in_flight_head_ = 0;
  std::uint64_t durable_head_ = 0;
  std::future<int> writing_;
  // Visits a segment's whole records in order until visit returns false.
  void for_each_record(const Segment& segment, const std::function<bool(const Record&)>& visit) const;
};

template <typename Visit>
void Journal::read(std::uint64_t from, std::uint64_t to, Visit visit) const {
  bool going = true;
  for (std::size_t i = 0; i < segments_.size() && going; ++i) {
    const std::uint64_t next_first = i + 1 < segments_.size() ? segments_[i + 1].first_seq : head_ + 1;
    if (next_first <= from || segments_[i].first_seq > to) continue;
    for_each_record(segments_[i], [&](const Record& record) {
      if (record.seq < from) return true;
      if (record.seq > to) return going = false;
      return going = visit(record);
    });
  }
}

// Reads a journal that another thread writes, forward from one seq, without reading segments
// whole: what replay uses. Records are only served up to a limit the caller knows to be durable.
//
// Thread-safety: none; one cursor per reader. The Journal that writes the directory may run on
// another thread: a segment that retention removes stays readable while it is open here.
class JournalCursor {
 public:
  // Positions the cursor at seq `from` (1 when 0), reading the segments `chunk` bytes at a time
  // (what the cursor holds in memory, besides a record longer than that). Throws
  // std::system_error when a segment cannot be opened.
  JournalCursor(std::filesystem::path dir, std::uint64_t from, std::size_t chunk = std::size_t{1} << 20);
  JournalCursor(const JournalCursor&) = delete;
  JournalCursor& operator=(const JournalCursor&) = delete;
  ~JournalCursor();

  // The next record with seq <= limit, or nullopt when there is none (yet) or the cursor is gone().
  // The record's views hold until the next call.
  std::optional<Journal::Record> next(std::uint64_t limit);

  // The records from where the cursor stands were removed by retention; first_kept() is the oldest left.
  bool gone() const noexcept { return gone_; }
  std::uint64_t first_kept() const noexcept { return first_kept_; }
  // The seq the next record will have.
  std::uint64_t position() const noexcept { return next_; }

 private:
  void open(const std::filesystem::path& path, std::uint64_t first_seq);
  bool fill();

  std::filesystem::path dir_;
  std::uint64_t next_;
  std::uint64_t segment_first_ = 0;  // seq of the open segment's first record
  std::uint64_t segment_next_ = 0;   // seq of the next record in the open segment
  std::uint64_t first_kept_ = 1;
  bool gone_ = false;
  int fd_ = -1;
  std::string buffer_;
  std::size_t at_ = 0;
  std::size_t chunk_;
};

// The oldest seq a journal directory keeps (1 when it holds no segment).
std::uint64_t journal_first(const std::filesystem::path& dir);

}  // namespace sluice::pipeline
