// The JetStream stream every article also goes to, for consumers that want a durable stream shared
// by every instance of a cluster: subject sluice.article.<feed>, one message per article with the
// article JSON as its body.
//
// Each message carries Nats-Msg-Id = "<id>#<revision>", so JetStream drops a repeat of an article
// within the stream's duplicate window: the retry of a batch whose acks were lost, or an article
// published again after a takeover or a crash. publish() returns only once JetStream acknowledged
// every message of the batch, so what follows it (the feeds' state) never runs ahead of the stream.
//
// Thread-safety: one thread publishes.
#pragma once

#include <chrono>
#include <memory>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "config/config.h"
#include "pipeline/cluster/nats_client.h"
#include "pipeline/deliver/stream_sink.h"

struct __jsCtx;

namespace sluice::pipeline {

class ArticleStream : public StreamSink {
 public:
  // Makes the stream `<name>-articles` when missing and applies `settings` to it when it exists.
  ArticleStream(const NatsClient& client, const std::string& name, const config::StreamConfig& settings,
                std::string origin);
  ~ArticleStream() override;
  ArticleStream(const ArticleStream&) = delete;
  ArticleStream& operator=(const ArticleStream&) = delete;

  // Publishes the batch and waits (at most `wait`, 10 s without one) until JetStream has stored
  // every message. Throws NatsError when one was refused or not acknowledged in time; publishing the
  // same batch again then stores only what is missing.
  void publish(std::span<const Message> batch, std::chrono::milliseconds wait);
  void publish(std::span<const Message> batch) override { publish(batch, std::chrono::seconds(10)); }

  const std::string& stream() const noexcept { return stream_; }

  struct Failures;  // what the client's callback reports, from its own thread

 private:
  std::string stream_;
  std::string origin_;
  std::unique_ptr<Failures> failures_;
  __jsCtx* jetstream_ = nullptr;  // its own context: asynchronous publishes report to failures_
};

// The message id of an article revision in the stream.
std::string stream_message_id(std::string_view id, int revision);

}  // namespace sluice::pipeline
