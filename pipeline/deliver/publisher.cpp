#include "pipeline/deliver/publisher.h"

#include <cstdint>
#include <cstring>
#include <stdexcept>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <nlohmann/json.hpp>

#include "feeds/logging.h"
#include "pipeline/clean/article_json.h"
#include "pipeline/deliver/curve.h"

namespace sluice::pipeline {
namespace {

// How long unsent messages may hold up shutdown.
constexpr int kLingerMs = 1000;
// ZMTP heartbeats: a subscriber silent this long (a dead host, a cut link) is dropped, so its
// queue does not hold memory until TCP notices.
constexpr int kHeartbeatIntervalMs = 5000;
constexpr int kHeartbeatTimeoutMs = 15000;
// A subscription is a topic prefix; a subscriber sending longer frames is cut off by ZeroMQ.
constexpr std::int64_t kMaxSubscriptionBytes = 4096;
// Distinct topics the publisher keeps track of (for its log): subscribers choose them, so a
// bounded number, the rest only counted.
constexpr std::size_t kMaxTrackedSubscriptions = 10'000;

void put_be64(std::string& out, std::uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) out += static_cast<char>((value >> shift) & 0xFF);
}

// frame_header() into out, which keeps its capacity from one message to the next.
void write_frame_header(std::string& out, std::uint64_t epoch, std::uint64_t seq, std::string_view origin) {
  out.clear();
  put_be64(out, epoch);
  put_be64(out, seq);
  out += origin;
}

}  // namespace

void keep_freed_memory() {
#if defined(__GLIBC__)
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  mallopt(M_TOP_PAD, 16 << 20);
  // Setting these ends glibc's own adjustment of the mmap threshold; this is the ceiling it grows to.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
#endif
}

std::string article_topic(std::string_view feed_name) {
  std::string topic = "article.";
  topic += feed_name;
  topic += '.';
  return topic;
}

std::string frame_header(std::uint64_t epoch, std::uint64_t seq, std::string_view origin) {
  std::string header;
  write_frame_header(header, epoch, seq, origin);
  return header;
}

std::optional<FrameHeader> read_frame_header(std::string_view frame) {
  if (frame.size() < 16) return std::nullopt;
  const auto be64 = [&](std::size_t at) {
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < 8; ++i) value = (value << 8) | static_cast<unsigned char>(frame[at + i]);
    return value;
  };
  return FrameHeader{be64(0), be64(8), frame.substr(16)};
}

Publisher::Publisher(zmq::context_t& context, const std::string& endpoint, std::uint64_t epoch, std::uint64_t head,
                     const CurveServer* curve, int queue)
    : socket_(context, zmq::socket_type::xpub), epoch_(epoch), seq_(head) {
  // Past it, XPUB drops for that subscriber only: the others never wait for a slow one.
  socket_.set(zmq::sockopt::sndhwm, queue);
  socket_.set(zmq::sockopt::maxmsgsize, kMaxSubscriptionBytes);
  socket_.set(zmq::sockopt::linger, kLingerMs);
  socket_.set(zmq::sockopt::heartbeat_ivl, kHeartbeatIntervalMs);
  socket_.set(zmq::sockopt::heartbeat_timeout, kHeartbeatTimeoutMs);
  socket_.set(zmq::sockopt::heartbeat_ttl, kHeartbeatTimeoutMs);
  if (curve) curve->secure(socket_);
  update_welcome();
  // Connections come and go as monitor events: how many subscribers there are.
  const std::string monitor_endpoint = "inproc://sluice-publisher-" + std::to_string(reinterpret_cast<std::uintptr_t>(this));
  if (zmq_socket_monitor(socket_.handle(), monitor_endpoint.c_str(), ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED) == 0) {
    monitor_ = zmq::socket_t(context, zmq::socket_type::pair);
    monitor_.set(zmq::sockopt::linger, 0);
    monitor_.connect(monitor_endpoint);
  }
  try {
    socket_.bind(endpoint);
  } catch (const zmq::error_t& e) {
    throw std::runtime_error("cannot bind publisher at " + endpoint + ": " + e.what());
  }
  endpoint_ = socket_.get(zmq::sockopt::last_endpoint);
}

std::uint64_t Publisher::publish(const feeds::Article& article) {
  const std::uint64_t seq = seq_ + 1;
  send(article_topic(article.feed_name), seq, article_json(article, seq));
  seq_ = seq;
  return seq;
}

void Publisher::publish_record(std::string_view topic, std::uint64_t seq, std::string body) {
  // ZeroMQ frees the body with the message, once it is sent.
  auto* owned = new std::string(std::move(body));
  send_record(topic, seq, zmq::message_t(owned->data(), owned->size(),
                                         [](void*, void* hint) { delete static_cast<std::string*>(hint); }, owned));
}

void Publisher::publish_record(std::string_view topic, std::uint64_t seq, std::shared_ptr<const std::string> holder,
                               std::string_view body) {
  auto* kept = new std::shared_ptr<const std::string>(std::move(holder));
  send_record(topic, seq,
              zmq::message_t(const_cast<char*>(body.data()), body.size(),
                             [](void*, void* hint) { delete static_cast<std::shared_ptr<const std::string>*>(hint); },
                             kept));
}

void Publisher::send_record(std::string_view topic, std::uint64_t seq, zmq::message_t body) {
  write_frame_header(header_, epoch_, seq, origin_);
  socket_.send(zmq::buffer(topic), zmq::send_flags::sndmore);
  socket_.send(zmq::buffer(header_), zmq::send_flags::sndmore);
  socket_.send(body, zmq::send_flags::none);
  seq_ = seq;
}

void Publisher::notice(std::string_view topic, std::uint64_t seq, std::string_view body) {
  const std::uint64_t head = seq_;
  send(topic, seq, body);
  seq_ = head;
}

void Publisher::heartbeat() {
  nlohmann::json body{{"epoch", epoch_}, {"seq", seq_}};
  if (!origin_.empty()) {
    body["origin"] = origin_;
    body["replay"] = replay_;
  }
  send("heartbeat.", seq_, body.dump());
  update_welcome();
}

void Publisher::advertise(std::string origin, std::string replay) {
  origin_ = std::move(origin);
  replay_ = std::move(replay);
  update_welcome();
}

void Publisher::update_welcome() {
  // A single frame: the topic, then the header with the head seq.
  socket_.set(zmq::sockopt::xpub_welcome_msg, "heartbeat." + frame_header(epoch_, seq_, origin_));
}

void Publisher::send(std::string_view topic, std::uint64_t seq, std::string_view body) {
  send_record(topic, seq, zmq::message_t(body.data(), body.size()));
}

void Publisher::read_subscriptions() {
  static const auto log = logger("publish");
  zmq::message_t message;
  // A monitor event: a frame of u16 event and u32 value (host order), then one with the address.
  while (monitor_ && monitor_.recv(message, zmq::recv_flags::dontwait)) {
    std::uint16_t event = 0;
    if (message.size() >= sizeof event) std::memcpy(&event, message.data(), sizeof event);
    while (message.more() && monitor_.recv(message, zmq::recv_flags::dontwait)) {}
    if (event == ZMQ_EVENT_ACCEPTED) ++subscribers_;
    else if (event == ZMQ_EVENT_DISCONNECTED && subscribers_ > 0) --subscribers_;
  }
  while (socket_.recv(message, zmq::recv_flags::dontwait)) {
    const std::string_view data(static_cast<const char*>(message.data()), message.size());
    if (data.empty() || (data[0] != 0 && data[0] != 1)) continue;
    // XPUB reports a topic when its first subscriber arrives and when its last one leaves.
    const std::string topic(data.substr(1));
    if (data[0] == 1 && subscriptions_.size() >= kMaxTrackedSubscriptions) {
      if (++untracked_subscriptions_ % 1000 == 1)
        log->warn("subscription not tracked: {} topics are already times={}", subscriptions_.size(),
                  untracked_subscriptions_);
    } else if (data[0] == 1 && subscriptions_.insert(topic).second) {
      log->info("subscription added topic=\"{}\"", topic);
    }
    if (data[0] == 0 && subscriptions_.erase(topic) > 0) log->info("subscription dropped topic=\"{}\"", topic);
  }
}

}  // namespace sluice::pipeline
