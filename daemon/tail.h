// `sluice tail`: a subscriber that prints each article JSON on its own line, flushed per line, in
// seq order, without gaps.
//
// It subscribes first, then (with --from) asks the replay server for what came before, and prints
// live articles once the replay has reached them: the clone pattern. A live article whose seq jumps
// past the last one printed, or a heartbeat whose head does, is a possible gap: the missing range
// is asked of the replay server (with the topic filter) and printed before the live articles held
// meanwhile. Each seq is printed once. A new epoch (the journal was recreated) restarts from seq 1.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

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
  // CURVE: the server's public key and this client's certificate (both empty: no CURVE).
  std::string server_key;
  pipeline::CurveKeys client_keys;
};

// Runs until SIGINT/SIGTERM, `count` articles, or stdout closes; returns the exit code.
int run_tail(const TailOptions& options);

// The address to connect to for a bound endpoint: a wildcard host ("*", 0.0.0.0) becomes loopback.
std::string connect_address(const std::string& bound_endpoint);

// Where `--from last` keeps its position for a topic when no --position is given:
// $XDG_STATE_HOME/sluice (or ~/.local/state/sluice)/tail-<topic>position.
std::filesystem::path default_position_file(const std::string& topic);

}  // namespace sluice::daemon
