#include "tests/support/nats_server.h"

#include <nats/nats.h>

#include <regex>
#include <stdexcept>

namespace sluice::test {

NatsServer::NatsServer() {
  // Port -1: the server picks a free one, and says which in its log.
  process_.emplace(std::vector<std::string>{NATS_SERVER, "-js", "-a", "127.0.0.1", "-p", "-1", "-sd",
                                            (dir_.path() / "store").string(), "-l",
                                            (dir_.path() / "server.log").string()},
                   dir_.path() / "server.out", dir_.path() / "server.err");
  std::string port;
  const bool ready = wait_until(
      [&] {
        const std::string text = log();
        std::smatch match;
        if (text.find("Server is ready") == std::string::npos ||
            !std::regex_search(text, match, std::regex("Listening for client connections on 127\\.0\\.0\\.1:([0-9]+)")))
          return false;
        port = match[1].str();
        return true;
      },
      std::chrono::seconds(15));
  if (!ready) throw std::runtime_error("nats-server did not start: " + log() + read_file(dir_.path() / "server.err"));
  url_ = "nats://127.0.0.1:" + port;
}

std::vector<StreamMessage> stream_messages(const std::string& url, const std::string& stream) {
  natsConnection* connection = nullptr;
  jsCtx* js = nullptr;
  if (natsConnection_ConnectTo(&connection, url.c_str()) != NATS_OK) throw std::runtime_error("no NATS at " + url);
  natsConnection_JetStream(&js, connection, nullptr);
  std::vector<StreamMessage> messages;
  jsStreamInfo* info = nullptr;
  if (js_GetStreamInfo(&info, js, stream.c_str(), nullptr, nullptr) == NATS_OK) {
    for (std::uint64_t seq = info->State.FirstSeq; seq != 0 && seq <= info->State.LastSeq; ++seq) {
      natsMsg* msg = nullptr;
      if (js_GetMsg(&msg, js, stream.c_str(), seq, nullptr, nullptr) != NATS_OK) continue;
      StreamMessage message;
      message.subject = natsMsg_GetSubject(msg);
      message.body.assign(natsMsg_GetData(msg), static_cast<std::size_t>(natsMsg_GetDataLength(msg)));
      const char* value = nullptr;
      if (natsMsgHeader_Get(msg, "Nats-Msg-Id", &value) == NATS_OK) message.msg_id = value;
      if (natsMsgHeader_Get(msg, "Sluice-Origin", &value) == NATS_OK) message.origin = value;
      messages.push_back(std::move(message));
      natsMsg_Destroy(msg);
    }
    jsStreamInfo_Destroy(info);
  }
  jsCtx_Destroy(js);
  natsConnection_Destroy(connection);
  return messages;
}

std::string NatsServer::log() const { return read_file(dir_.path() / "server.log"); }

}  // namespace sluice::test
