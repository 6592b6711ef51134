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
//                               {"error":"busy"}  too many replays under way; ask again later
// Each article sent spends one credit; at zero the server waits for {"credit": N}. A new request
// from the same client replaces its previous one: one replay per client.
//
// Clients are untrusted. No exception leaves the socket loop (a client that left is normal), a
// request frame is at most 64 KiB, and memory is bounded whatever clients send or fail to read:
// at most `ReplayLimits::replays` replays at once (more are answered "busy" and counted), and the
// bytes handed to ZeroMQ but not yet sent out are counted as they go (each body leaves in a
// message whose release ZeroMQ reports), at most `queued_bytes` in all and `client_bytes` for one
// client. A client that does not read is sent nothing more, answers included, until it does.
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

#include "pipeline/deliver/journal.h"

namespace sluice::pipeline {

class CurveServer;

struct ReplayLimits {
  std::size_t replays = 64;                   // replays under way at once, all clients together
  std::size_t queued_bytes = 32ULL << 20;     // queued for sending, all clients together
  std::size_t client_bytes = 8ULL << 20;      // queued for sending to one client
};

class ReplayServer {
 public:
  // Binds at endpoint; throws std::runtime_error naming it when it cannot. durable_head is the
  // last seq made durable, which the publish thread advances.
  ReplayServer(zmq::context_t& context, const std::string& endpoint, std::filesystem::path journal_dir,
               std::uint64_t epoch, const std::atomic<std::uint64_t>& durable_head, const CurveServer* curve = nullptr,
               ReplayLimits limits = {});
  ~ReplayServer();

  void run(std::stop_token stop);

  const std::string& endpoint() const noexcept { return endpoint_; }
  // Requests served since start (for metrics and tests).
  std::uint64_t requests() const noexcept { return requests_.load(std::memory_order_relaxed); }
  // Requests answered "busy" since start.
  std::uint64_t refused_busy() const noexcept { return busy_.load(std::memory_order_relaxed); }
  // Bytes handed to ZeroMQ and not yet sent out (or dropped with a client that left). Thread-safe.
  std::size_t queued_bytes() const noexcept { return queued_->load(std::memory_order_relaxed); }

 private:
  struct Session;
  using Counter = std::shared_ptr<std::atomic<std::size_t>>;

  void receive();
  void start(const std::string& client, std::string_view request);
  // Sends what credit and the send queue allow; returns whether the session is finished.
  bool serve(Session& session);
  // Sends one message to client; false when its queue (messages or bytes) is full.
  bool send(const std::string& client, std::string_view topic, std::uint64_t seq, std::string_view body);
  // What is queued for client, counted from its first message until nothing of it is left.
  const Counter& client_counter(const std::string& client);
  void forget_idle_clients();

  zmq::socket_t socket_;
  std::filesystem::path journal_dir_;
  std::uint64_t epoch_;
  const std::atomic<std::uint64_t>& durable_head_;
  std::string endpoint_;
  ReplayLimits limits_;
  std::map<std::string, std::unique_ptr<Session>> sessions_;  // by client identity
  std::map<std::string, Counter> client_bytes_;              // by client identity
  // Shared with the messages in flight: ZeroMQ may release one after the server is gone.
  Counter queued_ = std::make_shared<std::atomic<std::size_t>>(0);
  std::atomic<std::uint64_t> requests_{0};
  std::atomic<std::uint64_t> busy_{0};
  std::uint64_t ignored_ = 0;   // requests ignored or refused as malformed
  std::uint64_t failures_ = 0;  // turns of the loop that failed
};

}  // namespace sluice::pipeline
