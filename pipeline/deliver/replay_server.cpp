#include "pipeline/deliver/replay_server.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <zmq_addon.hpp>

#include "feeds/logging.h"
#include "pipeline/deliver/curve.h"
#include "pipeline/deliver/publisher.h"

namespace sluice::pipeline {
namespace {

constexpr std::uint64_t kDefaultCredit = 1000;
// Credit a client may hold at once: what its queue can take without the server dropping anything.
constexpr std::uint64_t kMaxCredit = 50'000;
constexpr int kSendHighWaterMark = 100'000;
// A request is a short JSON object; a client sending more is cut off by ZeroMQ.
constexpr std::int64_t kMaxRequestBytes = 64 * 1024;
// What one queued article costs beyond its frames' bytes: ZeroMQ's four message structures, ours.
constexpr std::size_t kMessageOverhead = 4 * 64 + 96;
// What a session's journal cursor reads at a time: with the most replays at once, a few MB in all.
constexpr std::size_t kCursorChunk = 64 * 1024;
// Records a session reads per turn, so that one long scan does not hold up the other clients.
constexpr std::size_t kRecordsPerTurn = 4096;
// Requests read per turn, so that a flood of them does not hold up the replays under way.
constexpr std::size_t kRequestsPerTurn = 1024;
constexpr auto kIdleWait = std::chrono::milliseconds(100);
constexpr auto kForgetClientsEvery = std::chrono::seconds(1);

// A message body on its way out, with what it counts against; ZeroMQ releases it once sent, or
// once its client left, on one of its own threads.
struct InFlight {
  std::shared_ptr<std::atomic<std::size_t>> total;
  std::shared_ptr<std::atomic<std::size_t>> client;
  std::size_t bytes;
  std::string body;
};

void release(void*, void* hint) {
  const std::unique_ptr<InFlight> in_flight(static_cast<InFlight*>(hint));
  in_flight->total->fetch_sub(in_flight->bytes, std::memory_order_relaxed);
  in_flight->client->fetch_sub(in_flight->bytes, std::memory_order_relaxed);
}

// Whether a repeated event is worth a log line: the first, then one in a thousand.
bool worth_logging(std::uint64_t count) { return count % 1000 == 1; }

std::optional<std::uint64_t> unsigned_field(const nlohmann::json& request, const char* name) {
  const auto found = request.find(name);
  if (found == request.end() || found->is_null()) return std::nullopt;
  if (!found->is_number_unsigned() && !(found->is_number_integer() && found->get<std::int64_t>() >= 0))
    throw std::invalid_argument(std::string("\"") + name + "\" must be a non-negative integer");
  return found->get<std::uint64_t>();
}

}  // namespace

struct ReplayServer::Session {
  Session(std::string client_id, std::filesystem::path dir, std::uint64_t first, std::uint64_t last, std::string prefix,
          std::uint64_t initial_credit)
      : client(std::move(client_id)), from(first), to(last), topic(std::move(prefix)), credit(initial_credit),
        cursor(std::move(dir), first, kCursorChunk) {}

  std::string client;
  std::uint64_t from;
  std::uint64_t to;
  std::string topic;
  std::uint64_t credit;
  std::uint64_t count = 0;
  JournalCursor cursor;
  // A record read but not taken by the send queue: it goes first when there is room.
  struct Held {
    std::string topic;
    std::uint64_t seq;
    std::string body;
  };
  std::optional<Held> held;
};

ReplayServer::ReplayServer(zmq::context_t& context, const std::string& endpoint, std::filesystem::path journal_dir,
                           std::uint64_t epoch, const std::atomic<std::uint64_t>& durable_head, const CurveServer* curve,
                           ReplayLimits limits)
    : socket_(context, zmq::socket_type::router),
      journal_dir_(std::move(journal_dir)),
      epoch_(epoch),
      durable_head_(durable_head),
      limits_(limits) {
  socket_.set(zmq::sockopt::sndhwm, kSendHighWaterMark);
  socket_.set(zmq::sockopt::maxmsgsize, kMaxRequestBytes);
  socket_.set(zmq::sockopt::linger, 0);
  // A send to a client that left fails instead of vanishing, so its session ends.
  socket_.set(zmq::sockopt::router_mandatory, 1);
  if (curve) curve->secure(socket_);
  try {
    socket_.bind(endpoint);
  } catch (const zmq::error_t& e) {
    throw std::runtime_error("cannot bind replay at " + endpoint + ": " + e.what());
  }
  endpoint_ = socket_.get(zmq::sockopt::last_endpoint);
}

ReplayServer::~ReplayServer() = default;

void ReplayServer::run(std::stop_token stop) {
  static const auto log = logger("replay");
  auto forget_at = std::chrono::steady_clock::now() + kForgetClientsEvery;
  while (!stop.stop_requested()) {
    bool busy = false;
    for (auto it = sessions_.begin(); it != sessions_.end();) {
      Session& session = *it->second;
      const std::uint64_t before = session.cursor.position();
      const bool was_held = session.held.has_value();
      bool finished = false;
      try {
        finished = serve(session);
      } catch (const zmq::error_t& e) {
        log->debug("replay client left from={} sent={} error=\"{}\"", session.from, session.count, e.what());
        finished = true;
      } catch (const std::exception& e) {
        log->error("replay failed from={} error=\"{}\"; the client is told and may ask again", session.from, e.what());
        finished = true;
        try {
          send(session.client, "error.", 0, nlohmann::json{{"error", "failed"}, {"reason", e.what()}}.dump());
        } catch (const std::exception&) {
          // The client left too.
        }
      }
      busy = busy || session.cursor.position() != before || (was_held && !session.held);
      it = finished ? sessions_.erase(it) : std::next(it);
    }
    // Nothing a client sends or does may end this loop: whatever fails is logged and the loop goes on.
    try {
      zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
      zmq::poll(&item, 1, busy ? std::chrono::milliseconds(0) : kIdleWait);
      if (item.revents & ZMQ_POLLIN) receive();
    } catch (const std::exception& e) {
      if (worth_logging(++failures_)) log->error("replay requests not read error=\"{}\" times={}", e.what(), failures_);
    }
    if (const auto now = std::chrono::steady_clock::now(); now >= forget_at) {
      forget_idle_clients();
      forget_at = now + kForgetClientsEvery;
    }
  }
}

void ReplayServer::receive() {
  static const auto log = logger("replay");
  std::vector<zmq::message_t> frames;
  for (std::size_t taken = 0; taken < kRequestsPerTurn; ++taken) {
    frames.clear();
    if (!zmq::recv_multipart(socket_, std::back_inserter(frames), zmq::recv_flags::dontwait)) return;
    if (frames.size() != 2) {
      if (worth_logging(++ignored_))
        log->warn("replay request ignored: {} frames where a DEALER sends one JSON frame times={}", frames.size() - 1,
                  ignored_);
      continue;
    }
    start(frames[0].to_string(), frames[1].to_string_view());
  }
}

void ReplayServer::start(const std::string& client, std::string_view text) {
  static const auto log = logger("replay");
  // An answer that does not fit the client's queue is dropped: that client is not reading.
  const auto refuse = [&](const std::string& reason) {
    if (worth_logging(++ignored_)) log->warn("replay request refused reason=\"{}\" times={}", reason, ignored_);
    send(client, "error.", 0, nlohmann::json{{"error", "bad-request"}, {"reason", reason}}.dump());
  };
  try {
    const auto request = nlohmann::json::parse(text, nullptr, false);
    if (!request.is_object()) return refuse("the request is not a JSON object");
    const auto credit = unsigned_field(request, "credit");
    if (!request.contains("from")) {
      // More credit for the running replay.
      const auto found = sessions_.find(client);
      if (!credit) return refuse("a request needs \"from\" (or \"credit\" for the replay under way)");
      if (found != sessions_.end()) found->second->credit = std::min(kMaxCredit, found->second->credit + *credit);
      return;
    }
    if (const auto epoch = unsigned_field(request, "epoch"); epoch && *epoch != epoch_) {
      send(client, "error.", 0, nlohmann::json{{"error", "epoch"}, {"epoch", epoch_}}.dump());
      return;
    }
    const std::uint64_t from = std::max<std::uint64_t>(1, unsigned_field(request, "from").value_or(1));
    const std::uint64_t head = durable_head_.load(std::memory_order_acquire);
    const std::uint64_t to = std::min(head, unsigned_field(request, "to").value_or(head));
    std::string topic = "article.";
    if (const auto found = request.find("topic"); found != request.end() && !found->is_null()) {
      if (!found->is_string()) return refuse("\"topic\" must be a string");
      topic = found->get<std::string>();
    }
    // One replay per client: a new request replaces the client's own; beyond the cap, none starts.
    sessions_.erase(client);
    if (sessions_.size() >= limits_.replays) {
      if (worth_logging(++busy_))
        log->warn("replay request refused: {} replays under way already, the most at once; the client is told "
                  "\"busy\" times={}",
                  sessions_.size(), busy_.load());
      send(client, "error.", 0, nlohmann::json{{"error", "busy"}}.dump());
      return;
    }
    ++requests_;
    auto session = std::make_unique<Session>(client, journal_dir_, from, to, std::move(topic),
                                             std::min(kMaxCredit, credit.value_or(kDefaultCredit)));
    log->debug("replay requested from={} to={} topic=\"{}\"", from, to, session->topic);
    if (serve(*session)) return;
    sessions_.emplace(client, std::move(session));
  } catch (const std::invalid_argument& e) {
    try {
      refuse(e.what());
    } catch (const zmq::error_t&) {
      // The client left before its answer.
    }
  } catch (const zmq::error_t& e) {
    log->debug("replay client left before its answer error=\"{}\"", e.what());
  } catch (const std::exception& e) {
    log->error("replay failed error=\"{}\"; the client may ask again", e.what());
  }
}

bool ReplayServer::serve(Session& session) {
  const auto spend = [&](std::string_view topic, std::uint64_t seq, std::string_view body) {
    if (!send(session.client, topic, seq, body)) return false;
    --session.credit;
    ++session.count;
    return true;
  };
  if (session.held && session.credit > 0) {
    if (!spend(session.held->topic, session.held->seq, session.held->body)) return false;
    session.held.reset();
  }
  for (std::size_t read = 0; !session.held && session.credit > 0 && read < kRecordsPerTurn; ++read) {
    const auto record = session.cursor.next(session.to);
    if (!record) break;
    if (!record->topic.starts_with(session.topic)) continue;
    if (!spend(record->topic, record->seq, record->body))
      session.held = Session::Held{std::string(record->topic), record->seq, std::string(record->body)};
  }
  if (session.cursor.gone())
    return send(session.client, "error.", 0,
                nlohmann::json{{"error", "gone"}, {"first", session.cursor.first_kept()}}.dump());
  if (session.held || session.cursor.position() <= session.to) return false;
  return send(session.client, "end.", session.to,
              nlohmann::json{{"from", session.from}, {"to", session.to}, {"count", session.count}}.dump());
}

bool ReplayServer::send(const std::string& client, std::string_view topic, std::uint64_t seq, std::string_view body) {
  const Counter& queued_for_client = client_counter(client);
  const std::string header = frame_header(epoch_, seq);
  const std::size_t bytes = topic.size() + header.size() + body.size() + kMessageOverhead;
  // Within the limits, or the only message queued (an article larger than a limit still goes).
  const auto fits = [&](const std::atomic<std::size_t>& queued, std::size_t most) {
    const std::size_t now = queued.load(std::memory_order_relaxed);
    return now == 0 || now + bytes <= most;
  };
  if (!fits(*queued_for_client, limits_.client_bytes) || !fits(*queued_, limits_.queued_bytes)) return false;
  // Never blocks: a full queue returns false and the message waits; a client that left throws.
  if (!socket_.send(zmq::buffer(client), zmq::send_flags::sndmore | zmq::send_flags::dontwait)) return false;
  socket_.send(zmq::buffer(topic), zmq::send_flags::sndmore);
  socket_.send(zmq::buffer(header), zmq::send_flags::sndmore);
  auto in_flight = std::make_unique<InFlight>(InFlight{queued_, queued_for_client, bytes, std::string(body)});
  queued_->fetch_add(bytes, std::memory_order_relaxed);
  queued_for_client->fetch_add(bytes, std::memory_order_relaxed);
  // From here on the message owns in_flight: release() runs whether it is sent or dropped.
  zmq::message_t message(in_flight->body.data(), in_flight->body.size(), &release, in_flight.get());
  in_flight.release();
  socket_.send(message, zmq::send_flags::none);
  return true;
}

const ReplayServer::Counter& ReplayServer::client_counter(const std::string& client) {
  auto found = client_bytes_.find(client);
  if (found == client_bytes_.end())
    found = client_bytes_.emplace(client, std::make_shared<std::atomic<std::size_t>>(0)).first;
  return found->second;
}

void ReplayServer::forget_idle_clients() {
  std::erase_if(client_bytes_, [&](const auto& entry) {
    return entry.second->load(std::memory_order_relaxed) == 0 && !sessions_.contains(entry.first);
  });
}

}  // namespace sluice::pipeline
