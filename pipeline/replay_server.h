// Replay: a ROUTER socket that serves any retained range of the journal to the subscriber that asks.
//
// A client connects a DEALER and sends one JSON frame
//   {"from": SEQ, "to": SEQ|null, "topic": PREFIX, "credit": N, "epoch": E}
// ("to" null or absent: up to the head at the time of the request; "topic" defaults to "article.";
// "credit" to 1000; "epoch", when given, must be the journal's). The answer is the matching
// articles in seq order, each in the live stream's three frames (topic, header, body), then
//   "end."    header(epoch, last seq the replay covered)  {"from":F,"to":T,"count":N}
// or, instead of everything,
//   "error."  header(epoch, 0)  {"error":"gone","first":N}  the range starts before retention
//                               {"error":"epoch","epoch":E} the journal was recreated
//                               {"error":"bad-request","reason":"..."}
// Each article sent spends one credit; at zero the server waits for {"credit": N}. A new request
// from the same client replaces its previous one.
//
// Thread-safety: none. The server owns its socket and runs on one thread until stopped; it reads
// the journal through its own cursors, up to the durable head that the publish thread advances.
#pragma once

#include <zmq.hpp>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <stop_token>
#include <string>

#include "pipeline/journal.h"

namespace sluice::pipeline {

class CurveServer;

class ReplayServer {
 public:
  // Binds at endpoint; throws std::runtime_error naming it when it cannot. durable_head is the
  // last seq made durable, which the publish thread advances.
  ReplayServer(zmq::context_t& context, const std::string& endpoint, std::filesystem::path journal_dir,
               std::uint64_t epoch, const std::atomic<std::uint64_t>& durable_head, const CurveServer* curve = nullptr);
  ~ReplayServer();

  void run(std::stop_token stop);

  const std::string& endpoint() const noexcept { return endpoint_; }
  // Requests served since start (for metrics and tests).
  std::uint64_t requests() const noexcept { return requests_.load(std::memory_order_relaxed); }

 private:
  struct Session;

  void receive();
  void start(const std::string& client, std::string_view request);
  // Sends what credit and the send queue allow; returns whether the session is finished.
  bool serve(Session& session);
  // Sends one message to client; false when its queue is full.
  bool send(const std::string& client, std::string_view topic, std::uint64_t seq, std::string_view body);

  zmq::socket_t socket_;
  std::filesystem::path journal_dir_;
  std::uint64_t epoch_;
  const std::atomic<std::uint64_t>& durable_head_;
  std::string endpoint_;
  std::map<std::string, std::unique_ptr<Session>> sessions_;  // by client identity
  std::atomic<std::uint64_t> requests_{0};
};

}  // namespace sluice::pipeline
