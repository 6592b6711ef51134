#include "pipeline/deliver/journal.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <system_error>

#include "feeds/hashing.h"

namespace sluice::pipeline {
namespace {

constexpr std::size_t kRecordHeader = 8;   // length + checksum
constexpr std::size_t kPayloadFixed = 18;  // seq + time + topic length
constexpr std::uint32_t kMaxPayload = 1U << 30;
// Buffers of earlier batches kept to append into again once the live stream is done with them.
constexpr std::size_t kRetiredKept = 8;
// A free buffer keeps its capacity up to four times the size of the last batch plus this.
constexpr std::size_t kKeptCapacity = 1 << 20;
// Set in a record's length word when its checksum is XXH3 (what append writes); records without
// it carry a CRC-32 and are still read.
constexpr std::uint32_t kXxh3Checksum = 1U << 31;

[[noreturn]] void fail(const std::string& what, const std::filesystem::path& path, int error = errno) {
  throw std::system_error(error, std::generic_category(), what + " " + path.string());
}

template <typename T>
T get(std::string_view data, std::size_t at) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i)
    value |= static_cast<std::uint64_t>(static_cast<unsigned char>(data[at + i])) << (8 * i);
  return static_cast<T>(value);
}

std::uint32_t crc(std::string_view data) {
  return static_cast<std::uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
}

// The low 32 bits of the payload's XXH3: several times faster than CRC-32 over a 4 KB article.
std::uint32_t xxh3_checksum(std::string_view data) { return static_cast<std::uint32_t>(feeds::hash64(data)); }

// Stores value at out in little-endian order.
template <typename T>
void store(char* out, T value) {
  for (std::size_t i = 0; i < sizeof(T); ++i) out[i] = static_cast<char>((static_cast<std::uint64_t>(value) >> (8 * i)) & 0xFF);
}

std::string segment_name(std::uint64_t first_seq) {
  std::string digits = std::to_string(first_seq);
  return std::string(20 - std::min<std::size_t>(20, digits.size()), '0') + digits + ".seg";
}

// The record at data[at], when one is there whole: length in bounds, CRC right, seq as expected.
// Sets size to the bytes it takes.
std::optional<Journal::Record> decode(std::string_view data, std::size_t at, std::uint64_t expected, std::size_t& size) {
  if (at + kRecordHeader > data.size()) return std::nullopt;
  const auto word = get<std::uint32_t>(data, at);
  const std::uint32_t length = word & ~kXxh3Checksum;
  if (length < kPayloadFixed || length > kMaxPayload || at + kRecordHeader + length > data.size()) return std::nullopt;
  const std::string_view payload = data.substr(at + kRecordHeader, length);
  const std::uint32_t checksum = (word & kXxh3Checksum) != 0 ? xxh3_checksum(payload) : crc(payload);
  if (checksum != get<std::uint32_t>(data, at + 4)) return std::nullopt;
  const auto seq = get<std::uint64_t>(payload, 0);
  const auto topic_length = get<std::uint16_t>(payload, 16);
  if (seq != expected || kPayloadFixed + topic_length > length) return std::nullopt;
  size = kRecordHeader + length;
  return Journal::Record{seq, get<std::int64_t>(payload, 8), payload.substr(kPayloadFixed, topic_length),
                         payload.substr(kPayloadFixed + topic_length)};
}

// The whole records at the start of data, each passed to visit; returns where the whole ones end.
std::size_t scan(std::string_view data, std::uint64_t first_seq,
                 const std::function<bool(const Journal::Record&)>& visit) {
  std::size_t at = 0;
  std::uint64_t expected = first_seq;
  std::size_t size = 0;
  while (const auto record = decode(data, at, expected, size)) {
    at += size;
    ++expected;
    if (visit && !visit(*record)) break;
  }
  return at;
}

// Whether the record at data[at] may be whole once more bytes come: its length is plausible and
// reaches past the data. False for one that is there whole (decoded or corrupt).
bool incomplete(std::string_view data, std::size_t at) {
  if (at + kRecordHeader > data.size()) return true;
  const std::uint32_t length = get<std::uint32_t>(data, at) & ~kXxh3Checksum;
  return length >= kPayloadFixed && length <= kMaxPayload && at + kRecordHeader + length > data.size();
}

// Drops buffer's first `at` bytes (records already read), keeping the part of one not yet whole,
// and reads up to chunk more bytes behind it; what read() returned (0 at the end, -1 on error).
ssize_t read_behind(int fd, std::string& buffer, std::size_t& at, std::size_t chunk) {
  buffer.erase(0, at);
  at = 0;
  const std::size_t had = buffer.size();
  buffer.resize(had + chunk);
  ssize_t got = 0;
  do got = ::read(fd, buffer.data() + had, chunk);
  while (got < 0 && errno == EINTR);
  buffer.resize(had + static_cast<std::size_t>(std::max<ssize_t>(got, 0)));
  return got;
}

// What scan_file read: the bytes the whole records take, and the file's size.
struct Scanned {
  std::uint64_t whole = 0;
  std::uint64_t size = 0;
};

// scan() over a segment file, read a chunk at a time: at most a chunk and the record being read
// are in memory, never the segment (a restart reads every segment; the story index is rebuilt
// meanwhile).
Scanned scan_file(const std::filesystem::path& path, std::uint64_t first_seq,
                  const std::function<bool(const Journal::Record&)>& visit) {
  constexpr std::size_t kChunk = 1 << 20;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail("cannot read journal segment", path);
  Scanned scanned;
  std::string buffer;
  std::size_t at = 0;
  std::uint64_t expected = first_seq;
  bool more = true;
  while (true) {
    std::size_t size = 0;
    if (const auto record = decode(buffer, at, expected, size)) {
      at += size;
      scanned.whole += size;
      ++expected;
      if (visit && !visit(*record)) break;
      continue;
    }
    if (!more || !incomplete(buffer, at)) break;  // the end, or a corrupt record
    const ssize_t got = read_behind(fd, buffer, at, kChunk);
    if (got < 0) {
      const int error = errno;
      ::close(fd);
      fail("cannot read journal segment", path, error);
    }
    more = got > 0;
  }
  const off_t end = ::lseek(fd, 0, SEEK_END);
  scanned.size = end < 0 ? 0 : static_cast<std::uint64_t>(end);
  ::close(fd);
  return scanned;
}

// The journal's segments, oldest first, as the directory lists them now.
std::vector<std::pair<std::uint64_t, std::filesystem::path>> list_segments(const std::filesystem::path& dir) {
  std::vector<std::pair<std::uint64_t, std::filesystem::path>> segments;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    const std::string name = entry.path().filename().string();
    if (name.size() != 24 || !name.ends_with(".seg")) continue;
    segments.emplace_back(std::stoull(name.substr(0, 20)), entry.path());
  }
  std::sort(segments.begin(), segments.end());
  return segments;
}

void sync_directory(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

Journal::Journal(std::filesystem::path dir, JournalLimits limits) : dir_(std::move(dir)), limits_(limits) {
  std::error_code error;
  std::filesystem::create_directories(dir_, error);
  if (error) fail("cannot create journal directory", dir_, error.value());
  load_epoch();
  for (auto& [first_seq, path] : list_segments(dir_)) segments_.push_back({first_seq, std::move(path)});
  if (segments_.empty()) segments_.push_back({1, dir_ / segment_name(1)});
  recover_last_segment();
  durable_head_ = head_;
  open_for_append();
}

Journal::~Journal() {
  if (fd_ >= 0) {
    try {
      finish_sync();
      if (pending_records_ > 0) sync();
    } catch (const std::exception&) {
      // The records are lost from the journal only; nothing was published from them.
    }
    ::close(fd_);
  }
}

void Journal::load_epoch() {
  const std::filesystem::path file = dir_ / "epoch";
  std::ifstream in(file);
  if (in >> epoch_ && epoch_ > 0) return;
  // A new journal: microseconds since 1970, so a later epoch is a larger number.
  epoch_ = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
  const std::filesystem::path temporary = dir_ / "epoch.tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << epoch_ << "\n";
    if (!out.flush()) fail("cannot write", temporary);
  }
  std::error_code error;
  std::filesystem::rename(temporary, file, error);
  if (error) fail("cannot write", file, error.value());
  sync_directory(dir_);
}

void Journal::recover_last_segment() {
  const Segment& last = segments_.back();
  head_ = last.first_seq - 1;
  if (!std::filesystem::exists(last.path)) return;
  const Scanned scanned = scan_file(last.path, last.first_seq, [&](const Record& record) {
    head_ = record.seq;
    return true;
  });
  if (scanned.whole < scanned.size) {
    // A torn or corrupt tail: cut, never trusted.
    cut_bytes_ = scanned.size - scanned.whole;
    std::error_code error;
    std::filesystem::resize_file(last.path, scanned.whole, error);
    if (error) fail("cannot cut the torn tail of", last.path, error.value());
  }
}

void Journal::open_for_append() {
  const std::filesystem::path& path = segments_.back().path;
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd_ < 0) fail("cannot open journal segment", path);
  const off_t size = ::lseek(fd_, 0, SEEK_END);
  durable_size_ = size < 0 ? 0 : static_cast<std::uint64_t>(size);
  sync_directory(dir_);
}

std::uint64_t Journal::append(std::string_view topic, std::string_view body, std::int64_t unix_time) {
  return append(topic, {body}, unix_time);
}

std::uint64_t Journal::append(std::string_view topic, std::initializer_list<std::string_view> body,
                              std::int64_t unix_time) {
  const std::uint64_t seq = head_ + 1;
  topic = topic.substr(0, 0xFFFF);
  std::size_t length = kPayloadFixed + topic.size();
  for (const std::string_view piece : body) length += piece.size();
  // The record is built in place at the end of the buffer, its checksum last.
  std::string& buffer = *buffer_;
  const std::size_t start = buffer.size();
  if (buffer.capacity() < start + kRecordHeader + length) buffer.reserve(2 * (start + kRecordHeader + length));
  // Grown without filling: every byte of the record is written below.
  buffer.resize_and_overwrite(start + kRecordHeader + length, [](char*, std::size_t size) { return size; });
  char* record = buffer.data() + start;
  char* payload = record + kRecordHeader;
  store<std::uint64_t>(payload, seq);
  store<std::int64_t>(payload + 8, unix_time);
  store<std::uint16_t>(payload + 16, static_cast<std::uint16_t>(topic.size()));
  char* at = payload + kPayloadFixed;
  at = std::copy(topic.begin(), topic.end(), at);
  for (const std::string_view piece : body) at = std::copy(piece.begin(), piece.end(), at);
  store<std::uint32_t>(record, static_cast<std::uint32_t>(length) | kXxh3Checksum);
  store<std::uint32_t>(record + 4, xxh3_checksum(std::string_view(payload, length)));
  ++pending_records_;
  head_ = seq;
  return seq;
}

namespace {

// Writes the records at offset `at` of fd, the end of the file, durably; 0, or the errno of what
// failed. Once durable they leave the page cache: new pages for the next batch then come from the
// ones just freed, where a growing cache would take fresh memory for every write (several times the
// CPU on a virtual machine). Replay reads older records from the disk.
int write_durably(int fd, const std::string& records, std::uint64_t at) {
  const std::string_view data = records;
  for (std::size_t written = 0; written < data.size();) {
    const ssize_t done = ::write(fd, data.data() + written, data.size() - written);
    if (done < 0 && errno == EINTR) continue;
    if (done <= 0) return done < 0 ? errno : EIO;
    written += static_cast<std::size_t>(done);
  }
  if (::fdatasync(fd) != 0) return errno;
  ::posix_fadvise(fd, static_cast<off_t>(at), static_cast<off_t>(data.size()), POSIX_FADV_DONTNEED);
  return 0;
}

}  // namespace

void Journal::sync() {
  begin_sync();
  finish_sync();
}

void Journal::begin_sync() {
  finish_sync();
  if (buffer_->empty()) return;
  in_flight_ = std::move(buffer_);
  in_flight_records_ = pending_records_;
  in_flight_head_ = head_;
  pending_records_ = 0;
  // Appending goes on in a buffer nobody else holds: one retired earlier that the live stream has
  // let go of (it keeps its capacity), or a new one the size batches have now. A free buffer far
  // larger than that (left from a burst) gives its memory back.
  const std::size_t batch_size = in_flight_->size();
  const auto free = std::find_if(retired_.begin(), retired_.end(), [](const auto& buffer) { return buffer.use_count() == 1; });
  if (free != retired_.end()) {
    buffer_ = std::move(*free);
    retired_.erase(free);
    buffer_->clear();
    if (buffer_->capacity() > 4 * batch_size + kKeptCapacity) std::string().swap(*buffer_);
  } else {
    buffer_ = std::make_shared<std::string>();
  }
  buffer_->reserve(batch_size);
  // The writer thread has in_flight_ to itself until finish_sync().
  writing_ = std::async(std::launch::async, [fd = fd_, records = in_flight_.get(), at = durable_size_] {
    return write_durably(fd, *records, at);
  });
}

bool Journal::sync_done() const {
  return !writing_.valid() || writing_.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
}

void Journal::finish_sync() {
  if (!writing_.valid()) return;
  const int error = writing_.get();
  if (error != 0) {
    // Leave the file as the last good sync left it; the records are written again next time,
    // ahead of any appended since.
    if (::ftruncate(fd_, static_cast<off_t>(durable_size_)) != 0) {}
    in_flight_->append(*buffer_);
    buffer_ = std::move(in_flight_);
    pending_records_ += in_flight_records_;
    in_flight_records_ = 0;
    fail("cannot write journal segment", segments_.back().path, error);
  }
  durable_size_ += in_flight_->size();
  durable_head_ = in_flight_head_;
  in_flight_records_ = 0;
  // The batch before is retired; a few are kept for appending once they are free again.
  if (written_) retired_.push_back(std::move(written_));
  if (retired_.size() > kRetiredKept) retired_.erase(retired_.begin());
  written_ = std::move(in_flight_);
  if (durable_size_ >= limits_.segment_bytes) roll();
}

void Journal::roll() {
  ::close(fd_);
  fd_ = -1;
  // The next record not yet durable starts the new segment (records appended meanwhile included).
  segments_.push_back({durable_head_ + 1, dir_ / segment_name(durable_head_ + 1)});
  open_for_append();
  apply_retention();
}

void Journal::apply_retention() {
  const auto now = std::filesystem::file_time_type::clock::now();
  std::uint64_t total = 0;
  for (const Segment& segment : segments_) {
    std::error_code error;
    total += std::filesystem::file_size(segment.path, error);
  }
  // The open segment always stays: it carries the head.
  while (segments_.size() > 1) {
    const Segment& oldest = segments_.front();
    std::error_code error;
    const std::uint64_t size = std::filesystem::file_size(oldest.path, error);
    const auto written = std::filesystem::last_write_time(oldest.path, error);
    const bool too_old = !error && now - written > limits_.max_age;
    if (total <= limits_.max_bytes && !too_old) break;
    std::filesystem::remove(oldest.path, error);
    total -= std::min(total, size);
    segments_.erase(segments_.begin());
  }
}

std::uint64_t Journal::bytes() const {
  std::uint64_t total = durable_size_;
  for (std::size_t i = 0; i + 1 < segments_.size(); ++i) {
    std::error_code error;
    const auto size = std::filesystem::file_size(segments_[i].path, error);
    if (!error) total += size;
  }
  return total;
}

void Journal::for_each_written(std::string_view records, const std::function<bool(const Record&)>& visit) {
  if (records.size() < kRecordHeader + kPayloadFixed) return;
  scan(records, get<std::uint64_t>(records, kRecordHeader), visit);
}

std::uint64_t Journal::first() const noexcept { return segments_.empty() ? head_ + 1 : segments_.front().first_seq; }

void Journal::for_each_record(const Segment& segment, const std::function<bool(const Record&)>& visit) const {
  // Only what is durable: the open segment may have a buffer not yet written.
  scan_file(segment.path, segment.first_seq, visit);
}

JournalCursor::JournalCursor(std::filesystem::path dir, std::uint64_t from, std::size_t chunk)
    : dir_(std::move(dir)), next_(std::max<std::uint64_t>(from, 1)), chunk_(std::max<std::size_t>(chunk, 4096)) {
  const auto segments = list_segments(dir_);
  // The segment holding `from`: the last one starting at or before it.
  const auto holding = std::find_if(segments.rbegin(), segments.rend(), [&](const auto& segment) { return segment.first <= next_; });
  if (segments.empty() || holding == segments.rend()) {
    first_kept_ = segments.empty() ? next_ : segments.front().first;
    gone_ = !segments.empty();
    return;
  }
  first_kept_ = segments.front().first;
  open(holding->second, holding->first);
}

JournalCursor::~JournalCursor() {
  if (fd_ >= 0) ::close(fd_);
}

void JournalCursor::open(const std::filesystem::path& path, std::uint64_t first_seq) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) fail("cannot read journal segment", path);
  segment_first_ = first_seq;
  segment_next_ = first_seq;
  buffer_.clear();
  at_ = 0;
}

bool JournalCursor::fill() { return read_behind(fd_, buffer_, at_, chunk_) > 0; }

std::optional<Journal::Record> JournalCursor::next(std::uint64_t limit) {
  if (gone_ || fd_ < 0) return std::nullopt;
  while (next_ <= limit) {
    std::size_t size = 0;
    if (const auto record = decode(buffer_, at_, segment_next_, size)) {
      at_ += size;
      ++segment_next_;
      if (record->seq < next_) continue;  // before the start, in the first segment
      next_ = record->seq + 1;
      return record;
    }
    if (fill()) continue;
    // The end of what this segment holds now: the writer may add more, or have moved on.
    // The open segment holds nothing yet, so no later one can exist.
    if (segment_next_ == segment_first_) return std::nullopt;
    const std::filesystem::path following = dir_ / segment_name(segment_next_);
    if (!std::filesystem::exists(following)) {
      const auto segments = list_segments(dir_);
      if (!segments.empty() && segments.front().first > segment_next_) {
        gone_ = true;  // retention removed what was next while it was being read
        first_kept_ = segments.front().first;
      }
      return std::nullopt;
    }
    // A record can only be incomplete at the end of the open segment, never of a closed one.
    open(following, segment_next_);
  }
  return std::nullopt;
}

std::uint64_t journal_first(const std::filesystem::path& dir) {
  const auto segments = list_segments(dir);
  return segments.empty() ? 1 : segments.front().first;
}

}  // namespace sluice::pipeline
