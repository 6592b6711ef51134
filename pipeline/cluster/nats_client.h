// A connection to NATS with JetStream, and key-value buckets on it (the C client, libnats): what
// the cluster is built on. Every failure becomes a NatsError naming what was being done and the
// client's reason.
//
// Thread-safety: the connection and the buckets may be used from several threads at once (libnats
// serializes what needs it).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

struct __natsConnection;
struct __jsCtx;
struct __kvStore;

namespace sluice::pipeline {

class NatsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class NatsClient {
 public:
  // Connects to one of urls (comma-separated) as `name`. Once connected, the client reconnects on
  // its own for as long as it lives; calls made meanwhile fail with NatsError. Throws when no
  // server answers within `timeout`.
  NatsClient(const std::string& urls, const std::string& name,
             std::chrono::milliseconds timeout = std::chrono::seconds(5));
  ~NatsClient();
  NatsClient(const NatsClient&) = delete;
  NatsClient& operator=(const NatsClient&) = delete;

  __natsConnection* connection() const noexcept { return connection_; }
  __jsCtx* jetstream() const noexcept { return jetstream_; }
  // Whether the connection is up now.
  bool connected() const noexcept;

 private:
  __natsConnection* connection_ = nullptr;
  __jsCtx* jetstream_ = nullptr;
};

// Throws NatsError("<doing>: <reason>") when status is not NATS_OK.
void check_nats(int status, std::string_view doing);

// One JetStream key-value bucket, created when missing (and its TTL updated when it exists with
// another). With a ttl, an entry not written again within it disappears (the bucket's max age):
// what leases and memberships are made of.
class KeyValueBucket {
 public:
  struct Settings {
    std::string name;
    std::chrono::milliseconds ttl{0};  // 0: entries stay
    int replicas = 1;
  };
  KeyValueBucket(const NatsClient& client, const Settings& settings);
  ~KeyValueBucket();
  KeyValueBucket(const KeyValueBucket&) = delete;
  KeyValueBucket& operator=(const KeyValueBucket&) = delete;

  struct Entry {
    std::string value;
    std::uint64_t revision = 0;
  };
  // The key's value, or nullopt when it is absent, deleted or expired.
  std::optional<Entry> get(const std::string& key);
  // Writes key only when it is absent (or deleted, or expired): its revision, or nullopt when
  // another writer has it.
  std::optional<std::uint64_t> create(const std::string& key, std::string_view value);
  // Writes key only when its last revision is still `last`: the new revision, or nullopt when
  // another write came between.
  std::optional<std::uint64_t> update(const std::string& key, std::string_view value, std::uint64_t last);
  std::uint64_t put(const std::string& key, std::string_view value);
  void erase(const std::string& key);
  // The keys present now.
  std::vector<std::string> keys();

  const std::string& name() const noexcept { return name_; }

 private:
  std::string name_;
  __kvStore* store_ = nullptr;
};

}  // namespace sluice::pipeline
