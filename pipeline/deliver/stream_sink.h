// Where every published article also goes when sluice runs in a cluster: a durable stream shared by
// the instances (pipeline/cluster/ArticleStream, on NATS JetStream). The publish loop hands it each
// batch once the journal holds it and the live stream has it, and advances the feeds' state only
// once publish() has returned: a batch the sink refused holds everything behind it, as a full disk
// does, and goes to it again (the sink drops what it already has).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace sluice::pipeline {

class StreamSink {
 public:
  struct Message {
    std::string_view feed;
    std::string_view id;
    int revision = 1;
    std::uint64_t seq = 0;  // in this instance's journal
    std::string_view body;  // the article JSON
  };

  virtual ~StreamSink() = default;
  // Returns once the sink holds every message of the batch; throws std::runtime_error when it
  // refused one or did not acknowledge it in time.
  virtual void publish(std::span<const Message> batch) = 0;
};

}  // namespace sluice::pipeline
