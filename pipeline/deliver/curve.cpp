#include "pipeline/deliver/curve.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fstream>
#include <stdexcept>
#include <vector>
#include <zmq_addon.hpp>

#include "feeds/logging.h"

namespace sluice::pipeline {
namespace {

constexpr std::size_t kZ85KeyLength = 40;
constexpr const char* kZapEndpoint = "inproc://zeromq.zap.01";
constexpr const char* kZapDomain = "sluice";
// ZMQ_ZAP_ENFORCE_DOMAIN: libzmq 4.3 implements it, but zmq.h lists it among the draft options.
constexpr int kZapEnforceDomain = 93;

// The quoted value of `name = "..."` on a line, when the line holds that name.
std::optional<std::string> quoted_value(const std::string& line, std::string_view name) {
  const std::size_t start = line.find_first_not_of(" \t");
  if (start == std::string::npos || line.compare(start, name.size(), name) != 0) return std::nullopt;
  const std::size_t open = line.find('"', start + name.size());
  const std::size_t close = open == std::string::npos ? open : line.find('"', open + 1);
  if (close == std::string::npos) return std::nullopt;
  return line.substr(open + 1, close - open - 1);
}

std::string timestamp() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  std::array<char, 32> text{};
  std::strftime(text.data(), text.size(), "%Y-%m-%d %H:%M:%S UTC", &utc);
  return text.data();
}

void write_new_file(const std::filesystem::path& path, const std::string& content, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) throw std::runtime_error("cannot create " + path.string() + ": " + std::strerror(errno));
  const bool written = ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
  const bool closed = ::close(fd) == 0;
  if (!written || !closed) throw std::runtime_error("cannot write " + path.string() + ": " + std::strerror(errno));
}

}  // namespace

CurveKeys read_certificate(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot read key file " + file.string() + ": " + std::strerror(errno));
  CurveKeys keys;
  std::string line;
  while (std::getline(in, line)) {
    if (auto value = quoted_value(line, "public-key")) keys.public_key = std::move(*value);
    else if (auto secret = quoted_value(line, "secret-key")) keys.secret_key = std::move(*secret);
  }
  const auto valid = [](const std::string& key) {
    std::array<std::uint8_t, 32> binary{};
    return key.size() == kZ85KeyLength && zmq_z85_decode(binary.data(), key.c_str()) != nullptr;
  };
  if (!valid(keys.public_key))
    throw std::runtime_error("key file " + file.string() + " has no valid public-key = \"<40 Z85 characters>\"");
  if (!keys.secret_key.empty() && !valid(keys.secret_key))
    throw std::runtime_error("key file " + file.string() + " has a secret-key that is not 40 Z85 characters");
  return keys;
}

CurveKeys write_certificates(const std::filesystem::path& dir, const std::string& name) {
  std::array<char, kZ85KeyLength + 1> public_key{};
  std::array<char, kZ85KeyLength + 1> secret_key{};
  if (zmq_curve_keypair(public_key.data(), secret_key.data()) != 0)
    throw std::runtime_error(std::string("cannot make a CURVE key pair: ") + zmq_strerror(zmq_errno()));
  const CurveKeys keys{public_key.data(), secret_key.data()};
  std::error_code error;
  if (std::filesystem::create_directories(dir, error); error)
    throw std::runtime_error("cannot create " + dir.string() + ": " + error.message());
  const std::string header = "#   ****  Generated on " + timestamp() + " by sluice keygen  ****\n";
  const std::filesystem::path public_file = dir / (name + ".key");
  const std::filesystem::path secret_file = dir / (name + ".key_secret");
  // The secret first: a public file alone is harmless, a secret one left without its pair is not.
  write_new_file(secret_file,
                 header + "#   ZeroMQ CURVE **Secret** Certificate\n#   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions.\n\n"
                          "metadata\ncurve\n    public-key = \"" + keys.public_key + "\"\n    secret-key = \"" + keys.secret_key + "\"\n",
                 0600);
  write_new_file(public_file,
                 header + "#   ZeroMQ CURVE Public Certificate\n#   Exchange securely, or use a secure mechanism to verify the contents\n"
                          "#   of this file after exchange.\n\nmetadata\ncurve\n    public-key = \"" + keys.public_key + "\"\n",
                 0644);
  return keys;
}

void secure_client(zmq::socket_t& socket, const std::string& server_public_key, const CurveKeys& client) {
  socket.set(zmq::sockopt::curve_serverkey, server_public_key);
  socket.set(zmq::sockopt::curve_publickey, client.public_key);
  socket.set(zmq::sockopt::curve_secretkey, client.secret_key);
}

CurveKeys read_server_certificate(const std::filesystem::path& secret_key_file) {
  // What the file is comes first: a public certificate given by mistake is named as such.
  CurveKeys keys = read_certificate(secret_key_file);
  if (keys.secret_key.empty())
    throw std::runtime_error("key file " + secret_key_file.string() + " holds no secret-key: give the .key_secret file");
  struct stat info {};
  if (::stat(secret_key_file.c_str(), &info) != 0)
    throw std::runtime_error("cannot read secret key file " + secret_key_file.string() + ": " + std::strerror(errno));
  if ((info.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(info.st_mode & 07777));
    throw std::runtime_error("secret key file " + secret_key_file.string() + " may be read by group or others (mode " +
                             mode + "); make it private: chmod 600 " + secret_key_file.string());
  }
  return keys;
}

std::set<std::string> read_client_keys(const std::filesystem::path& clients_dir,
                                       const std::function<void(const std::string&)>& skipped) {
  std::set<std::string> allowed;
  std::error_code error;
  if (!std::filesystem::is_directory(clients_dir, error))
    throw std::runtime_error("clients_dir " + clients_dir.string() + " is not a directory" +
                             (error ? ": " + error.message() : ""));
  for (const auto& entry : std::filesystem::directory_iterator(clients_dir, error)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".key") continue;
    try {
      allowed.insert(read_certificate(entry.path()).public_key);
    } catch (const std::exception& e) {
      if (skipped) skipped(e.what());
    }
  }
  if (error) throw std::runtime_error("cannot read clients_dir " + clients_dir.string() + ": " + error.message());
  return allowed;
}

CurveServer::CurveServer(zmq::context_t& context, const std::filesystem::path& secret_key_file,
                         const std::filesystem::path& clients_dir)
    : clients_dir_(clients_dir), handler_(context, zmq::socket_type::rep) {
  keys_ = read_server_certificate(secret_key_file);
  reload_clients();
  handler_.set(zmq::sockopt::linger, 0);
  handler_.bind(kZapEndpoint);
  thread_ = std::jthread([this](std::stop_token stop) { answer(stop); });
}

CurveServer::~CurveServer() {
  thread_.request_stop();
  if (thread_.joinable()) thread_.join();
}

void CurveServer::secure(zmq::socket_t& socket) const {
  socket.set(zmq::sockopt::curve_server, 1);
  socket.set(zmq::sockopt::curve_secretkey, keys_.secret_key);
  socket.set(zmq::sockopt::zap_domain, kZapDomain);
  // Without a ZAP handler a connection is refused, never let in unauthenticated.
  const int enforce = 1;
  if (zmq_setsockopt(socket.handle(), kZapEnforceDomain, &enforce, sizeof enforce) != 0)
    throw std::runtime_error(std::string("this libzmq cannot enforce the ZAP domain: ") + zmq_strerror(zmq_errno()));
}

std::size_t CurveServer::clients() const {
  std::lock_guard lock(mutex_);
  return allowed_.size();
}

std::size_t CurveServer::reload_clients() {
  static const auto log = logger("publish");
  std::set<std::string> allowed =
      read_client_keys(clients_dir_, [](const std::string& why) { log->warn("client key skipped: {}", why); });
  std::lock_guard lock(mutex_);
  allowed_ = std::move(allowed);
  log->info("CURVE clients allowed count={} dir={}", allowed_.size(), clients_dir_.string());
  return allowed_.size();
}

void CurveServer::answer(std::stop_token stop) {
  static const auto log = logger("publish");
  std::vector<zmq::message_t> request;
  while (!stop.stop_requested()) {
    zmq::pollitem_t item{handler_.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, std::chrono::milliseconds(100)) == 0) continue;
    request.clear();
    if (!zmq::recv_multipart(handler_, std::back_inserter(request))) continue;
    // ZAP (RFC 27): version, request id, domain, address, routing id, mechanism, credentials.
    bool admitted = false;
    std::string key;
    if (request.size() >= 7 && request[0].to_string_view() == "1.0" && request[5].to_string_view() == "CURVE" &&
        request[6].size() == 32) {
      key.resize(kZ85KeyLength + 1);
      zmq_z85_encode(key.data(), static_cast<const std::uint8_t*>(request[6].data()), 32);
      key.resize(kZ85KeyLength);
      std::lock_guard lock(mutex_);
      admitted = allowed_.contains(key);
    }
    if (!admitted)
      log->warn("subscriber refused address={} key={}: not in clients_dir {}", request.size() > 3 ? request[3].to_string() : "?",
                key.empty() ? "none" : key, clients_dir_.string());
    const std::string request_id = request.size() > 1 ? request[1].to_string() : "";
    std::array<zmq::const_buffer, 6> reply{zmq::buffer(std::string_view("1.0")), zmq::buffer(request_id),
                                           zmq::buffer(std::string_view(admitted ? "200" : "400")),
                                           zmq::buffer(std::string_view(admitted ? "OK" : "unknown client key")),
                                           zmq::buffer(admitted ? std::string_view(key) : std::string_view()),
                                           zmq::buffer(std::string_view())};
    zmq::send_multipart(handler_, reply);
  }
}

}  // namespace sluice::pipeline
