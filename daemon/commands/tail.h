// `sluice tail`: a subscriber that prints each article JSON on its own line, flushed per line, in
// seq order, without gaps.
//
// It subscribes first, then (with --from) asks the replay server for what came before, and prints
// live articles once the replay has reached them: the clone pattern. A live article whose seq jumps
// past the last one printed, or a heartbeat whose head does, is a possible gap: the missing range
// is asked of the replay server (with the topic filter) and printed before the live articles held
// meanwhile. Each seq is printed once. A new epoch (the journal was recreated) restarts from seq 1.
#pragma once

#include <zmq.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/commands/tail_positions.h"
#include "pipeline/deliver/curve.h"

namespace sluice::daemon {

struct TailOptions {
  std::string endpoint = "tcp://127.0.0.1:5556";
  std::string replay_endpoint;     // empty: gaps are reported on stderr, not filled
  std::string topic = "article.";  // prefix filter
  std::uint64_t count = 0;         // stop after this many articles; 0 = run until interrupted
  std::optional<std::uint64_t> from;  // replay from this seq first
  bool from_last = false;             // replay from the seq after the one in position_file
  std::filesystem::path position_file;  // when set, holds "EPOCH SEQ" of the last article printed
  // CURVE: the server's public key and this client's certificate (both empty: no CURVE), and the
  // file the certificate was read from (for what to copy where when the server does not let it in).
  std::string server_key;
  pipeline::CurveKeys client_keys;
  std::string client_key_file;
};

// Runs until SIGINT/SIGTERM, `count` articles, or stdout closes; returns the exit code.
int run_tail(const TailOptions& options);

// One instance's stream: outside a cluster the only one (origin ""); through a proxy, one per
// origin named in the headers, each with its own epoch, seq and replay server.
struct TailSource {
  std::string origin;
  std::string replay_endpoint;  // empty: not known (yet), gaps are reported, not filled
  std::unique_ptr<zmq::socket_t> replay;
  std::uint64_t epoch = 0;   // 0 until known
  std::uint64_t done = 0;    // every wanted article up to this seq has been printed
  bool started = false;      // done is known
  std::map<std::uint64_t, std::string> held;  // live articles past a gap, by seq
  struct Asked {
    std::uint64_t from;
    std::optional<std::uint64_t> to;
    std::chrono::steady_clock::time_point heard;  // the last answer, or the request
  };
  std::optional<Asked> asked;
  std::optional<std::uint64_t> pending_from;  // a --from to ask once the replay server is known
  std::uint64_t unacknowledged = 0;  // replayed articles not yet given back as credit
};

class Tail {
 public:
  explicit Tail(const TailOptions& options) : options_(options), live_(context_, zmq::socket_type::sub) {}

  int run();

 private:
  enum class Outcome { going, done, failed };

  void connect();
  TailSource& source(std::string_view origin);
  void connect_replay(TailSource& source, std::string endpoint);
  Outcome on_live(std::vector<zmq::message_t>& frames);
  Outcome on_replay(TailSource& source, std::vector<zmq::message_t>& frames);
  Outcome on_heartbeat(TailSource& source, std::uint64_t epoch, std::uint64_t head);
  Outcome on_article(TailSource& source, std::uint64_t epoch, std::uint64_t seq, std::string body);
  // Prints the held articles that now follow on; asks for the range before the next one held.
  Outcome drain(TailSource& source);
  bool same_epoch(TailSource& source, std::uint64_t epoch);
  void ask(TailSource& source, std::uint64_t from, std::optional<std::uint64_t> to);
  Outcome print(TailSource& source, std::uint64_t seq, std::string_view body);
  // Said once when the live stream has sent nothing, not even its welcome, for a few seconds.
  void say_silence() const;
  static bool filling(const TailSource& source) { return source.replay != nullptr; }
  static std::string name(const TailSource& source) { return source.origin.empty() ? "" : " of " + source.origin; }

  const TailOptions& options_;
  zmq::context_t context_;
  zmq::socket_t live_;
  std::map<std::string, TailSource, std::less<>> sources_;
  std::optional<TailPositions> positions_;  // with --position (or --from last)
  std::uint64_t printed_ = 0;
  bool heard_ = false;  // anything from the live stream yet
  bool silence_said_ = false;
};


}  // namespace sluice::daemon
