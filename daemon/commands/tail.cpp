#include "daemon/commands/tail.h"

#include <signal.h>

#include <nlohmann/json.hpp>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <map>
#include <memory>
#include <vector>

#include "daemon/commands/commands.h"
#include "daemon/commands/tail_positions.h"
#include "pipeline/deliver/publisher.h"

namespace sluice::daemon {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Replay credit: asked for at the start, topped up each time half of it has arrived.
constexpr std::uint64_t kCredit = 1000;
// A replay that sends nothing for this long is asked again.
constexpr auto kReplayPatience = 5s;
// A live stream that has sent nothing for this long (it welcomes a subscriber at once, and beats
// every second) is not reaching this client.
constexpr auto kLiveSilence = 4s;
// Live articles held while a gap is filled, at most; past it the gap is given up.
constexpr std::size_t kMaxHeld = 200'000;
constexpr std::size_t kHeartbeatWelcomeSize = 10 + 16;  // "heartbeat." + header

std::atomic<bool> interrupted{false};

extern "C" void on_signal(int) { interrupted = true; }

unsigned long long ull(std::uint64_t value) { return static_cast<unsigned long long>(value); }

}  // namespace

void Tail::connect() {
  live_.set(zmq::sockopt::linger, 0);
  if (!options_.server_key.empty()) pipeline::secure_client(live_, options_.server_key, options_.client_keys);
  live_.set(zmq::sockopt::rcvhwm, 100'000);
  live_.set(zmq::sockopt::subscribe, options_.topic);
  live_.set(zmq::sockopt::subscribe, "heartbeat.");
  live_.connect(options_.endpoint);
}

void Tail::connect_replay(TailSource& source, std::string endpoint) {
  auto socket = std::make_unique<zmq::socket_t>(context_, zmq::socket_type::dealer);
  socket->set(zmq::sockopt::linger, 0);
  if (!options_.server_key.empty()) pipeline::secure_client(*socket, options_.server_key, options_.client_keys);
  socket->set(zmq::sockopt::rcvhwm, 0);
  socket->connect(endpoint);
  source.replay = std::move(socket);
  source.replay_endpoint = std::move(endpoint);
  if (source.pending_from) {
    ask(source, *source.pending_from, std::nullopt);
    source.pending_from.reset();
  } else if (!source.held.empty()) {
    ask(source, source.done + 1, source.held.begin()->first - 1);
  }
}

TailSource& Tail::source(std::string_view origin) {
  if (const auto found = sources_.find(origin); found != sources_.end()) return found->second;
  TailSource& added = sources_.emplace(std::string(origin), TailSource{}).first->second;
  added.origin = std::string(origin);
  // Where this origin's stream starts: --from SEQ, or after its saved position, or live.
  std::optional<std::uint64_t> from = options_.from;
  if (options_.from_last) {
    if (const auto saved = positions_ ? positions_->of(origin) : std::nullopt) {
      added.epoch = saved->epoch;
      from = saved->seq + 1;
    } else {
      from = 1;
    }
  }
  // A single instance's replay server comes from -r only.
  if (from && origin.empty() && options_.replay_endpoint.empty()) {
    std::fprintf(stderr, "sluice tail: --from needs the replay endpoint of a single instance: give -r REPLAY or -c "
                 "FILE; going on live\n");
    from.reset();
  }
  if (from) {
    added.done = *from - 1;
    added.started = true;
    added.pending_from = *from;
  }
  return added;
}

int Tail::run() {
  try {
    connect();
  } catch (const zmq::error_t& e) {
    std::fprintf(stderr, "sluice tail: cannot connect to %s: %s\n", options_.endpoint.c_str(), e.what());
    return 2;
  }
  if (!options_.position_file.empty()) {
    try {
      positions_.emplace(options_.position_file);
    } catch (const std::runtime_error& e) {
      std::fprintf(stderr, "sluice tail: %s\n", e.what());
      return 1;
    }
    if (options_.from_last) positions_->read();
  }
  // A single instance's stream is known from the start; a cluster's origins as they appear.
  if (!options_.replay_endpoint.empty()) {
    try {
      connect_replay(source(""), options_.replay_endpoint);
    } catch (const zmq::error_t& e) {
      std::fprintf(stderr, "sluice tail: cannot connect to %s: %s\n", options_.replay_endpoint.c_str(), e.what());
      return 2;
    }
  }

  const auto started = Clock::now();
  std::vector<zmq::message_t> frames;
  std::vector<zmq::pollitem_t> items;
  std::vector<TailSource*> polled;
  Outcome outcome = Outcome::going;
  while (outcome == Outcome::going && !interrupted) {
    items.assign(1, {live_.handle(), 0, ZMQ_POLLIN, 0});
    polled.clear();
    for (auto& [origin, each] : sources_)
      if (each.replay) {
        items.push_back({each.replay->handle(), 0, ZMQ_POLLIN, 0});
        polled.push_back(&each);
      }
    try {
      zmq::poll(items.data(), items.size(), 200ms);
      for (std::size_t i = 1; i < items.size() && outcome == Outcome::going; ++i) {
        if (!(items[i].revents & ZMQ_POLLIN)) continue;
        frames.clear();
        if (zmq::recv_multipart(*polled[i - 1]->replay, std::back_inserter(frames), zmq::recv_flags::dontwait))
          outcome = on_replay(*polled[i - 1], frames);
      }
      if (outcome == Outcome::going && (items[0].revents & ZMQ_POLLIN)) {
        frames.clear();
        if (zmq::recv_multipart(live_, std::back_inserter(frames), zmq::recv_flags::dontwait)) outcome = on_live(frames);
      }
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) continue;
      std::fprintf(stderr, "sluice tail: %s\n", e.what());
      return 1;
    }
    if (!heard_ && !silence_said_ && Clock::now() - started > kLiveSilence) {
      say_silence();
      silence_said_ = true;
    }
    for (auto& [origin, each] : sources_) {
      if (outcome != Outcome::going || !each.asked || Clock::now() - each.asked->heard <= kReplayPatience) continue;
      std::fprintf(stderr, "sluice tail: replay%s at %s has not answered for %llds (check -r / publish.replay_endpoint, "
                   "and the CURVE keys if the daemon uses them); asking again from seq %llu\n",
                   name(each).c_str(), each.replay_endpoint.c_str(), static_cast<long long>(kReplayPatience.count()),
                   ull(each.done + 1));
      ask(each, each.done + 1, each.asked->to);
    }
  }
  return outcome == Outcome::failed ? 1 : 0;
}

void Tail::say_silence() const {
  const long long seconds = std::chrono::duration_cast<std::chrono::seconds>(kLiveSilence).count();
  if (options_.server_key.empty()) {
    std::fprintf(stderr, "sluice tail: nothing from %s in %llds: is sluice running and publishing there "
                 "(publish.endpoint)? Still waiting\n", options_.endpoint.c_str(), seconds);
    return;
  }
  // keygen writes NAME.key beside NAME.key_secret: the public half is what the server needs.
  std::string public_file = public_certificate_of(options_.client_key_file);
  if (public_file.empty()) public_file = "this client's public certificate (NAME.key beside NAME.key_secret)";
  std::fprintf(stderr, "sluice tail: nothing from %s in %llds with CURVE: the server may not know this client. Copy "
               "%s into the daemon's publish.curve.clients_dir (it is read again on reload), and check that "
               "--server-key is the daemon's own certificate. Still waiting\n",
               options_.endpoint.c_str(), seconds, public_file.c_str());
}

Tail::Outcome Tail::on_live(std::vector<zmq::message_t>& frames) {
  heard_ = true;
  const std::string_view topic = frames.empty() ? std::string_view() : frames[0].to_string_view();
  if (frames.size() == 1 && topic.starts_with("heartbeat.") && frames[0].size() >= kHeartbeatWelcomeSize) {
    const auto header = pipeline::read_frame_header(topic.substr(10));
    return on_heartbeat(source(header->origin), header->epoch, header->seq);
  }
  const auto header = frames.size() == 3 ? pipeline::read_frame_header(frames[1].to_string_view()) : std::nullopt;
  if (!header) {
    std::fprintf(stderr, "sluice tail: skipped a message that is not topic/header/body (%zu frames)\n", frames.size());
    return Outcome::going;
  }
  TailSource& from = source(header->origin);
  if (topic.starts_with("heartbeat.")) {
    // A cluster instance's heartbeat says where its replay server is.
    if (!from.replay && !from.origin.empty()) {
      const auto body = nlohmann::json::parse(frames[2].to_string_view(), nullptr, false);
      const std::string replay = body.is_object() ? body.value("replay", std::string()) : std::string();
      if (!replay.empty()) {
        try {
          connect_replay(from, replay);
        } catch (const zmq::error_t& e) {
          std::fprintf(stderr, "sluice tail: cannot connect to the replay server of %s at %s: %s\n",
                       from.origin.c_str(), replay.c_str(), e.what());
        }
      }
    }
    return on_heartbeat(from, header->epoch, header->seq);
  }
  if (topic.starts_with("duplicate.")) {
    // A notice about an article already published (publish.announce_duplicates): not in the
    // journal, so printed as it comes, outside the seq order.
    std::fwrite(frames[2].data(), 1, frames[2].size(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
    return Outcome::going;
  }
  return on_article(from, header->epoch, header->seq, frames[2].to_string());
}

bool Tail::same_epoch(TailSource& source, std::uint64_t epoch) {
  if (source.epoch == 0) source.epoch = epoch;
  if (epoch == source.epoch) return true;
  std::fprintf(stderr, "sluice tail: the journal%s was recreated (epoch %llu, was %llu); reading it from seq 1\n",
               name(source).c_str(), ull(epoch), ull(source.epoch));
  source.epoch = epoch;
  source.held.clear();
  source.done = 0;
  source.started = true;
  source.asked.reset();
  if (filling(source)) ask(source, 1, std::nullopt);
  else source.pending_from = 1;
  return false;
}

Tail::Outcome Tail::on_heartbeat(TailSource& source, std::uint64_t epoch, std::uint64_t head) {
  if (!same_epoch(source, epoch)) return Outcome::going;
  if (!source.started) {
    // Live from here: what was published before this subscriber came is not asked for.
    source.done = head;
    source.started = true;
    return Outcome::going;
  }
  // Everything up to head has been sent before this heartbeat: what did not arrive is a gap, or
  // articles the topic filter leaves out, which the replay tells apart.
  if (head > source.done && filling(source) && !source.asked && source.held.empty()) ask(source, source.done + 1, head);
  return Outcome::going;
}

Tail::Outcome Tail::on_article(TailSource& source, std::uint64_t epoch, std::uint64_t seq, std::string body) {
  if (!same_epoch(source, epoch)) return Outcome::going;  // the replay from seq 1 brings it
  if (!source.started) {
    source.done = seq - 1;
    source.started = true;
  }
  if (seq <= source.done) return Outcome::going;  // already printed from the replay
  if (!filling(source)) {
    // A cluster origin's replay server is named by its next heartbeat: hold what comes meanwhile.
    if (!source.origin.empty() && (source.pending_from || seq != source.done + 1) && source.held.size() < kMaxHeld) {
      source.held.emplace(seq, std::move(body));
      return Outcome::going;
    }
    if (seq != source.done + 1 && options_.topic == "article.")
      std::fprintf(stderr, "sluice tail: missed seq %llu..%llu%s (epoch %llu); give -r REPLAY to recover them\n",
                   ull(source.done + 1), ull(seq - 1), name(source).c_str(), ull(epoch));
    return print(source, seq, body);
  }
  if (seq == source.done + 1 && !source.asked && source.held.empty()) return print(source, seq, body);
  source.held.emplace(seq, std::move(body));
  if (source.held.size() > kMaxHeld) {
    std::fprintf(stderr, "sluice tail: seq %llu..%llu%s could not be replayed; going on without them\n",
                 ull(source.done + 1), ull(source.held.begin()->first - 1), name(source).c_str());
    source.asked.reset();
    source.done = source.held.begin()->first - 1;
    return drain(source);
  }
  if (!source.asked) ask(source, source.done + 1, source.held.begin()->first - 1);
  return Outcome::going;
}

Tail::Outcome Tail::on_replay(TailSource& source, std::vector<zmq::message_t>& frames) {
  const auto header = frames.size() == 3 ? pipeline::read_frame_header(frames[1].to_string_view()) : std::nullopt;
  if (!header) {
    std::fprintf(stderr, "sluice tail: skipped a replay message that is not topic/header/body (%zu frames)\n",
                 frames.size());
    return Outcome::going;
  }
  const std::string_view topic = frames[0].to_string_view();
  const std::uint64_t epoch = header->epoch;
  const std::uint64_t seq = header->seq;
  if (!source.asked) return Outcome::going;  // the rest of a replay given up on
  source.asked->heard = Clock::now();
  if (topic == "error.") {
    const auto error = nlohmann::json::parse(frames[2].to_string_view(), nullptr, false);
    const std::string kind = error.is_object() ? error.value("error", std::string()) : std::string();
    if (kind == "gone") {
      const std::uint64_t first = error.value("first", std::uint64_t{0});
      std::fprintf(stderr, "sluice tail: seq %llu..%llu%s are no longer kept (journal retention); going on from %llu\n",
                   ull(source.done + 1), ull(first - 1), name(source).c_str(), ull(first));
      source.done = std::max(source.done, first - 1);
      const auto to = source.asked->to;
      source.asked.reset();
      if (!to || *to > source.done) ask(source, source.done + 1, to);
      return drain(source);
    }
    if (kind == "epoch") {
      same_epoch(source, error.value("epoch", std::uint64_t{0}));
      return Outcome::going;
    }
    std::fprintf(stderr, "sluice tail: replay at %s refused: %s\n", source.replay_endpoint.c_str(),
                 frames[2].to_string().c_str());
    return Outcome::failed;
  }
  if (source.epoch == 0) source.epoch = epoch;
  if (epoch != source.epoch) return Outcome::going;  // from a replay of the previous journal
  if (topic == "end.") {
    source.done = std::max(source.done, seq);
    source.asked.reset();
    return drain(source);
  }
  if (++source.unacknowledged >= kCredit / 2) {
    source.replay->send(zmq::buffer(R"({"credit":)" + std::to_string(source.unacknowledged) + "}"),
                        zmq::send_flags::dontwait);
    source.unacknowledged = 0;
  }
  if (seq <= source.done) return Outcome::going;
  source.held.erase(seq);
  return print(source, seq, frames[2].to_string_view());
}

Tail::Outcome Tail::drain(TailSource& source) {
  while (!source.held.empty() && source.held.begin()->first <= source.done + 1) {
    const auto next = source.held.begin();
    if (next->first == source.done + 1) {
      if (const Outcome outcome = print(source, next->first, next->second); outcome != Outcome::going) return outcome;
    }
    source.held.erase(next);
  }
  if (!source.held.empty() && !source.asked) ask(source, source.done + 1, source.held.begin()->first - 1);
  return Outcome::going;
}

void Tail::ask(TailSource& source, std::uint64_t from, std::optional<std::uint64_t> to) {
  nlohmann::json request{{"from", from}, {"topic", options_.topic}, {"credit", kCredit}};
  request["to"] = to ? nlohmann::json(*to) : nlohmann::json(nullptr);
  if (source.epoch != 0) request["epoch"] = source.epoch;
  source.replay->send(zmq::buffer(request.dump()), zmq::send_flags::dontwait);
  source.unacknowledged = 0;
  source.asked = TailSource::Asked{from, to, Clock::now()};
}

Tail::Outcome Tail::print(TailSource& source, std::uint64_t seq, std::string_view body) {
  std::fwrite(body.data(), 1, body.size(), stdout);
  std::fputc('\n', stdout);
  if (std::fflush(stdout) != 0) return errno == EPIPE ? Outcome::done : Outcome::failed;
  source.done = seq;
  if (positions_) positions_->save(source.origin, {source.epoch, seq});
  ++printed_;
  return options_.count != 0 && printed_ >= options_.count ? Outcome::done : Outcome::going;
}

int run_tail(const TailOptions& options) {
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  signal(SIGPIPE, SIG_IGN);
  Tail tail(options);
  return tail.run();
}

}  // namespace sluice::daemon
