#include "daemon/tail.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <vector>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "pipeline/publisher.h"

namespace sluice::daemon {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Replay credit: asked for at the start, topped up each time half of it has arrived.
constexpr std::uint64_t kCredit = 1000;
// A replay that sends nothing for this long is asked again.
constexpr auto kReplayPatience = 5s;
// Live articles held while a gap is filled, at most; past it the gap is given up.
constexpr std::size_t kMaxHeld = 200'000;
constexpr std::size_t kHeartbeatWelcomeSize = 10 + 16;  // "heartbeat." + header

std::atomic<bool> interrupted{false};

extern "C" void on_signal(int) { interrupted = true; }

unsigned long long ull(std::uint64_t value) { return static_cast<unsigned long long>(value); }

class Tail {
 public:
  explicit Tail(const TailOptions& options)
      : options_(options), live_(context_, zmq::socket_type::sub), replay_(context_, zmq::socket_type::dealer) {}

  int run();

 private:
  enum class Outcome { going, done, failed };

  void connect();
  Outcome on_live(std::vector<zmq::message_t>& frames);
  Outcome on_replay(std::vector<zmq::message_t>& frames);
  Outcome on_heartbeat(std::uint64_t epoch, std::uint64_t head);
  Outcome on_article(std::uint64_t epoch, std::uint64_t seq, std::string body);
  // Prints the held articles that now follow on; asks for the range before the next one held.
  Outcome drain();
  bool same_epoch(std::uint64_t epoch);
  void ask(std::uint64_t from, std::optional<std::uint64_t> to);
  Outcome print(std::uint64_t seq, std::string_view body);
  void save_position();
  bool filling() const { return !options_.replay_endpoint.empty(); }

  const TailOptions& options_;
  zmq::context_t context_;
  zmq::socket_t live_;
  zmq::socket_t replay_;
  int position_fd_ = -1;

  std::uint64_t epoch_ = 0;      // 0 until known
  std::uint64_t done_ = 0;       // every wanted article up to this seq has been printed
  bool started_ = false;         // done_ is known
  std::map<std::uint64_t, std::string> held_;  // live articles past a gap, by seq
  struct Asked {
    std::uint64_t from;
    std::optional<std::uint64_t> to;
    Clock::time_point heard;  // the last answer, or the request
  };
  std::optional<Asked> asked_;
  std::uint64_t unacknowledged_ = 0;  // replayed articles not yet given back as credit
  std::uint64_t printed_ = 0;
};

void Tail::connect() {
  for (zmq::socket_t* socket : {&live_, &replay_}) {
    socket->set(zmq::sockopt::linger, 0);
    if (!options_.server_key.empty()) pipeline::secure_client(*socket, options_.server_key, options_.client_keys);
  }
  live_.set(zmq::sockopt::rcvhwm, 100'000);
  live_.set(zmq::sockopt::subscribe, options_.topic);
  live_.set(zmq::sockopt::subscribe, "heartbeat.");
  live_.connect(options_.endpoint);
  if (filling()) {
    replay_.set(zmq::sockopt::rcvhwm, 0);
    replay_.connect(options_.replay_endpoint);
  }
}

int Tail::run() {
  try {
    connect();
  } catch (const zmq::error_t& e) {
    std::fprintf(stderr, "sluice tail: cannot connect to %s: %s\n", options_.endpoint.c_str(), e.what());
    return 2;
  }
  if (!options_.position_file.empty()) {
    std::error_code error;
    std::filesystem::create_directories(options_.position_file.parent_path(), error);
    position_fd_ = ::open(options_.position_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (position_fd_ < 0) {
      std::fprintf(stderr, "sluice tail: cannot write the position file %s: %s\n", options_.position_file.c_str(),
                   std::strerror(errno));
      return 1;
    }
  }
  std::uint64_t from = options_.from.value_or(0);
  if (options_.from_last) {
    std::ifstream in(options_.position_file);
    std::uint64_t epoch = 0;
    std::uint64_t seq = 0;
    if (in >> epoch >> seq) {
      epoch_ = epoch;
      from = seq + 1;
    } else {
      std::fprintf(stderr, "sluice tail: no position in %s yet; starting from the oldest article kept\n",
                   options_.position_file.c_str());
      from = 1;
    }
  }
  if (from > 0) {
    done_ = from - 1;
    started_ = true;
    ask(from, std::nullopt);
  }

  std::vector<zmq::message_t> frames;
  Outcome outcome = Outcome::going;
  while (outcome == Outcome::going && !interrupted) {
    std::array<zmq::pollitem_t, 2> items{{{live_.handle(), 0, ZMQ_POLLIN, 0}, {replay_.handle(), 0, ZMQ_POLLIN, 0}}};
    try {
      zmq::poll(items.data(), filling() ? 2 : 1, 200ms);
      if (items[1].revents & ZMQ_POLLIN) {
        frames.clear();
        if (zmq::recv_multipart(replay_, std::back_inserter(frames), zmq::recv_flags::dontwait))
          outcome = on_replay(frames);
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
    if (outcome == Outcome::going && asked_ && Clock::now() - asked_->heard > kReplayPatience) {
      std::fprintf(stderr, "sluice tail: replay at %s has not answered for %llds (check -r / publish.replay_endpoint, and the CURVE "
                   "keys if the daemon uses them); asking again from seq %llu\n",
                   options_.replay_endpoint.c_str(), static_cast<long long>(kReplayPatience.count()), ull(done_ + 1));
      ask(done_ + 1, asked_->to);
    }
  }
  if (position_fd_ >= 0) ::close(position_fd_);
  return outcome == Outcome::failed ? 1 : 0;
}

Tail::Outcome Tail::on_live(std::vector<zmq::message_t>& frames) {
  const std::string_view topic = frames.empty() ? std::string_view() : frames[0].to_string_view();
  if (frames.size() == 1 && topic.starts_with("heartbeat.") && frames[0].size() == kHeartbeatWelcomeSize) {
    const auto header = pipeline::read_frame_header(topic.substr(10));
    return on_heartbeat(header->epoch, header->seq);
  }
  const auto header = frames.size() == 3 ? pipeline::read_frame_header(frames[1].to_string_view()) : std::nullopt;
  if (!header) {
    std::fprintf(stderr, "sluice tail: skipped a message that is not topic/header/body (%zu frames)\n", frames.size());
    return Outcome::going;
  }
  if (topic.starts_with("heartbeat.")) return on_heartbeat(header->epoch, header->seq);
  return on_article(header->epoch, header->seq, frames[2].to_string());
}

bool Tail::same_epoch(std::uint64_t epoch) {
  if (epoch_ == 0) epoch_ = epoch;
  if (epoch == epoch_) return true;
  std::fprintf(stderr, "sluice tail: the journal was recreated (epoch %llu, was %llu); reading it from seq 1\n",
               ull(epoch), ull(epoch_));
  epoch_ = epoch;
  held_.clear();
  done_ = 0;
  started_ = true;
  asked_.reset();
  if (filling()) ask(1, std::nullopt);
  return false;
}

Tail::Outcome Tail::on_heartbeat(std::uint64_t epoch, std::uint64_t head) {
  if (!same_epoch(epoch)) return Outcome::going;
  if (!started_) {
    // Live from here: what was published before this subscriber came is not asked for.
    done_ = head;
    started_ = true;
    return Outcome::going;
  }
  // Everything up to head has been sent before this heartbeat: what did not arrive is a gap, or
  // articles the topic filter leaves out, which the replay tells apart.
  if (head > done_ && filling() && !asked_ && held_.empty()) ask(done_ + 1, head);
  return Outcome::going;
}

Tail::Outcome Tail::on_article(std::uint64_t epoch, std::uint64_t seq, std::string body) {
  if (!same_epoch(epoch)) return Outcome::going;  // the replay from seq 1 brings it
  if (!started_) {
    done_ = seq - 1;
    started_ = true;
  }
  if (seq <= done_) return Outcome::going;  // already printed from the replay
  if (!filling()) {
    if (seq != done_ + 1 && options_.topic == "article.")
      std::fprintf(stderr, "sluice tail: missed seq %llu..%llu (epoch %llu); give -r REPLAY to recover them\n",
                   ull(done_ + 1), ull(seq - 1), ull(epoch));
    return print(seq, body);
  }
  if (seq == done_ + 1 && !asked_ && held_.empty()) return print(seq, body);
  held_.emplace(seq, std::move(body));
  if (held_.size() > kMaxHeld) {
    std::fprintf(stderr, "sluice tail: seq %llu..%llu could not be replayed; going on without them\n", ull(done_ + 1),
                 ull(held_.begin()->first - 1));
    asked_.reset();
    done_ = held_.begin()->first - 1;
    return drain();
  }
  if (!asked_) ask(done_ + 1, held_.begin()->first - 1);
  return Outcome::going;
}

Tail::Outcome Tail::on_replay(std::vector<zmq::message_t>& frames) {
  const auto header = frames.size() == 3 ? pipeline::read_frame_header(frames[1].to_string_view()) : std::nullopt;
  if (!header) {
    std::fprintf(stderr, "sluice tail: skipped a replay message that is not topic/header/body (%zu frames)\n",
                 frames.size());
    return Outcome::going;
  }
  const std::string_view topic = frames[0].to_string_view();
  const std::uint64_t epoch = header->epoch;
  const std::uint64_t seq = header->seq;
  if (!asked_) return Outcome::going;  // the rest of a replay given up on
  asked_->heard = Clock::now();
  if (topic == "error.") {
    const auto error = nlohmann::json::parse(frames[2].to_string_view(), nullptr, false);
    const std::string kind = error.is_object() ? error.value("error", std::string()) : std::string();
    if (kind == "gone") {
      const std::uint64_t first = error.value("first", std::uint64_t{0});
      std::fprintf(stderr, "sluice tail: seq %llu..%llu are no longer kept (journal retention); going on from %llu\n",
                   ull(done_ + 1), ull(first - 1), ull(first));
      done_ = std::max(done_, first - 1);
      const auto to = asked_->to;
      asked_.reset();
      if (!to || *to > done_) ask(done_ + 1, to);
      return drain();
    }
    if (kind == "epoch") {
      same_epoch(error.value("epoch", std::uint64_t{0}));
      return Outcome::going;
    }
    std::fprintf(stderr, "sluice tail: replay at %s refused: %s\n", options_.replay_endpoint.c_str(),
                 frames[2].to_string().c_str());
    return Outcome::failed;
  }
  if (epoch_ == 0) epoch_ = epoch;
  if (epoch != epoch_) return Outcome::going;  // from a replay of the previous journal
  if (topic == "end.") {
    done_ = std::max(done_, seq);
    asked_.reset();
    return drain();
  }
  if (++unacknowledged_ >= kCredit / 2) {
    replay_.send(zmq::buffer(R"({"credit":)" + std::to_string(unacknowledged_) + "}"), zmq::send_flags::dontwait);
    unacknowledged_ = 0;
  }
  if (seq <= done_) return Outcome::going;
  held_.erase(seq);
  return print(seq, frames[2].to_string_view());
}

Tail::Outcome Tail::drain() {
  while (!held_.empty() && held_.begin()->first <= done_ + 1) {
    const auto next = held_.begin();
    if (next->first == done_ + 1) {
      if (const Outcome outcome = print(next->first, next->second); outcome != Outcome::going) return outcome;
    }
    held_.erase(next);
  }
  if (!held_.empty() && !asked_) ask(done_ + 1, held_.begin()->first - 1);
  return Outcome::going;
}

void Tail::ask(std::uint64_t from, std::optional<std::uint64_t> to) {
  nlohmann::json request{{"from", from}, {"topic", options_.topic}, {"credit", kCredit}};
  request["to"] = to ? nlohmann::json(*to) : nlohmann::json(nullptr);
  if (epoch_ != 0) request["epoch"] = epoch_;
  replay_.send(zmq::buffer(request.dump()), zmq::send_flags::dontwait);
  unacknowledged_ = 0;
  asked_ = Asked{from, to, Clock::now()};
}

Tail::Outcome Tail::print(std::uint64_t seq, std::string_view body) {
  std::fwrite(body.data(), 1, body.size(), stdout);
  std::fputc('\n', stdout);
  if (std::fflush(stdout) != 0) return errno == EPIPE ? Outcome::done : Outcome::failed;
  done_ = seq;
  save_position();
  ++printed_;
  return options_.count != 0 && printed_ >= options_.count ? Outcome::done : Outcome::going;
}

void Tail::save_position() {
  if (position_fd_ < 0) return;
  // Fixed width, so each write replaces the whole previous position.
  char line[64];
  const int length = std::snprintf(line, sizeof line, "%020llu %020llu\n", ull(epoch_), ull(done_));
  if (::pwrite(position_fd_, line, static_cast<std::size_t>(length), 0) != length) {
    std::fprintf(stderr, "sluice tail: cannot write the position file %s: %s\n", options_.position_file.c_str(),
                 std::strerror(errno));
  }
}

}  // namespace

std::string connect_address(const std::string& bound_endpoint) {
  for (const std::string wildcard : {"tcp://*:", "tcp://0.0.0.0:"}) {
    if (bound_endpoint.starts_with(wildcard)) return "tcp://127.0.0.1:" + bound_endpoint.substr(wildcard.size());
  }
  return bound_endpoint;
}

std::filesystem::path default_position_file(const std::string& topic) {
  std::filesystem::path dir;
  if (const char* state = std::getenv("XDG_STATE_HOME"); state && *state) dir = state;
  else if (const char* home = std::getenv("HOME"); home && *home) dir = std::filesystem::path(home) / ".local/state";
  else dir = ".";
  std::string name = "tail-";
  for (const char c : topic) name += std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ? c : '_';
  return dir / "sluice" / (name + "position");
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
