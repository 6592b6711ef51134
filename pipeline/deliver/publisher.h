// The live stream: an XPUB socket on which every article goes out as three frames,
//   topic  "article.<feed-name>."  (the trailing dot keeps prefix filters from matching longer names)
//   header 8-byte big-endian epoch + 8-byte big-endian seq
//   body   the article JSON
// and a heartbeat every second on topic "heartbeat." with the head seq (same framing, body
// {"epoch":E,"seq":S}). Within an epoch, seq is gapless and increasing. A new subscriber of
// "heartbeat." first gets the welcome message: one frame, "heartbeat." followed by the header with
// the head seq as of the last heartbeat.
//
// In a cluster every instance has a stream of its own (its own journal, epoch and seq), and a
// proxy may merge several: there the header goes on after its 16 bytes with the instance's name
// (the origin), and the heartbeat body adds "origin" and "replay", the endpoint of the instance's
// replay server, so a subscriber tracks and repairs each origin's stream apart.
//
// Thread-safety: none. The publisher owns a ZeroMQ socket, so it is made, used and destroyed on
// one thread. A slow subscriber never blocks the others: XPUB drops at its high-water mark.
#pragma once

#include <zmq.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "feeds/model.h"

namespace sluice::pipeline {

class CurveServer;

// Lets the process keep up to 64 MB of freed heap rather than hand it back to the kernel at once.
// At up to 100 000 articles a second, each article's JSON is allocated on a worker thread and freed
// on the publish thread, and ZeroMQ allocates for every message; with glibc's defaults (the heap's
// free top returned past 128 KB) the same memory goes back to the kernel and is faulted in again,
// over and over. Process-wide: the daemon calls it once at start. Does nothing on other C libraries.
void keep_freed_memory();

class Publisher {
 public:
  // Binds at endpoint; throws std::runtime_error naming the endpoint when it cannot. head is the
  // last seq already published in this epoch (the journal's head after a restart).
  // With curve, only the clients it allows can subscribe.
  // queue is how many messages one subscriber may have waiting before the stream drops for it.
  Publisher(zmq::context_t& context, const std::string& endpoint, std::uint64_t epoch, std::uint64_t head = 0,
            const CurveServer* curve = nullptr, int queue = 100'000);

  // Gives the article the next seq and sends it; returns that seq.
  std::uint64_t publish(const feeds::Article& article);

  // Sends an article already numbered and written out (a journal record); seq becomes the head.
  // The body is handed over to ZeroMQ, not copied: move it in.
  void publish_record(std::string_view topic, std::uint64_t seq, std::string body);
  // The same for a body that lies in holder (a batch from Journal::written()): sent from there
  // without a copy, ZeroMQ keeping holder until it is sent.
  void publish_record(std::string_view topic, std::uint64_t seq, std::shared_ptr<const std::string> holder,
                      std::string_view body);

  // Sends body on topic with seq in the header, as a notice about an article already published
  // (its seq): the head stays where it is.
  void notice(std::string_view topic, std::uint64_t seq, std::string_view body);

  void heartbeat();

  // In a cluster: the instance's name, put in every header from now on, and where its replay
  // server is reached, put in heartbeats.
  void advertise(std::string origin, std::string replay);

  // Reads subscription changes that subscribers sent; call it regularly.
  void read_subscriptions();

  std::uint64_t epoch() const noexcept { return epoch_; }
  std::uint64_t head() const noexcept { return seq_; }
  // Distinct topic prefixes that at least one subscriber holds.
  std::size_t subscriptions() const noexcept { return subscriptions_.size(); }
  // Subscriber connections open now (as of the last read_subscriptions()).
  std::size_t subscribers() const noexcept { return subscribers_; }
  // The endpoint actually bound (with the port chosen when the configuration said tcp://host:0).
  const std::string& endpoint() const noexcept { return endpoint_; }

 private:
  void send(std::string_view topic, std::uint64_t seq, std::string_view body);
  void send_record(std::string_view topic, std::uint64_t seq, zmq::message_t body);
  void update_welcome();

  zmq::socket_t socket_;
  std::uint64_t epoch_;
  std::uint64_t seq_ = 0;
  std::string origin_;
  std::string replay_;
  std::string endpoint_;
  std::set<std::string, std::less<>> subscriptions_;
  std::uint64_t untracked_subscriptions_ = 0;
  zmq::socket_t monitor_;  // connection events of socket_
  std::size_t subscribers_ = 0;
  std::string header_;  // the frame header being sent, its memory kept from one message to the next
};

// "article.<feed-name>."
std::string article_topic(std::string_view feed_name);

// The frame header: big-endian epoch then big-endian seq (16 bytes), then the origin if any.
std::string frame_header(std::uint64_t epoch, std::uint64_t seq, std::string_view origin = {});

// What a frame header says; nullopt for a frame shorter than 16 bytes.
struct FrameHeader {
  std::uint64_t epoch = 0;
  std::uint64_t seq = 0;
  std::string_view origin;  // in the frame; empty outside a cluster
};
std::optional<FrameHeader> read_frame_header(std::string_view frame);

}  // namespace sluice::pipeline
