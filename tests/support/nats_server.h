// A real nats-server with JetStream for cluster tests: started on a free loopback port with its
// store in a temporary directory, stopped (and the store removed) on destruction.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace sluice::test {

class NatsServer {
 public:
  // Starts the server and waits until it accepts clients; throws std::runtime_error otherwise.
  NatsServer();
  NatsServer(const NatsServer&) = delete;
  NatsServer& operator=(const NatsServer&) = delete;

  const std::string& url() const noexcept { return url_; }  // nats://127.0.0.1:PORT
  std::string log() const;

 private:
  TempDir dir_;
  std::optional<Process> process_;
  std::string url_;
};

// Every message a JetStream stream holds, read by sequence through its own connection.
struct StreamMessage {
  std::string subject;
  std::string msg_id;  // Nats-Msg-Id
  std::string origin;  // Sluice-Origin
  std::string body;
};
std::vector<StreamMessage> stream_messages(const std::string& url, const std::string& stream);

}  // namespace sluice::test
