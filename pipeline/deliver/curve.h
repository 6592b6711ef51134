// CURVE encryption and client authentication for the live and replay sockets.
//
// Keys live in certificate files in the zcert format that czmq and `sluice keygen` write:
//   NAME.key         public certificate     curve / public-key = "<40 Z85 characters>"
//   NAME.key_secret  secret certificate     the same plus secret-key = "...", mode 0600
// The server reads its secret certificate (refusing one that group or others may read) and the
// public certificates in clients_dir; a ZAP handler then admits exactly those clients. Sockets
// enforce the ZAP domain, so nothing falls back to unauthenticated when the handler is absent.
#pragma once

#include <zmq.hpp>

#include <filesystem>
#include <functional>
#include <mutex>
#include <set>
#include <stop_token>
#include <string>
#include <thread>

namespace sluice::pipeline {

struct CurveKeys {
  std::string public_key;  // Z85, 40 characters
  std::string secret_key;  // Z85, 40 characters; empty for a public certificate
};

// Reads a certificate file; throws std::runtime_error naming the file and what is wrong.
CurveKeys read_certificate(const std::filesystem::path& file);

// Reads a server's secret certificate: it must be private to its owner (no group or other
// permissions) and hold a secret key. Throws std::runtime_error naming the file and the fix.
CurveKeys read_server_certificate(const std::filesystem::path& secret_key_file);

// The public keys of the certificates (*.key) in clients_dir; a file that is not one is skipped
// (`skipped` is told why). Throws std::runtime_error naming the directory when it cannot be read.
std::set<std::string> read_client_keys(const std::filesystem::path& clients_dir,
                                       const std::function<void(const std::string&)>& skipped = {});

// Makes a new key pair and writes NAME.key and NAME.key_secret (mode 0600) under dir (made when
// missing); refuses to overwrite either. Throws std::runtime_error naming the file on failure. Returns the keys.
CurveKeys write_certificates(const std::filesystem::path& dir, const std::string& name);

// Makes socket a CURVE client of the server with server_public_key (Z85).
void secure_client(zmq::socket_t& socket, const std::string& server_public_key, const CurveKeys& client);

class CurveServer {
 public:
  // Reads the secret certificate and the allowed clients, and starts the ZAP handler in context.
  // Throws std::runtime_error naming the file when a key cannot be used.
  CurveServer(zmq::context_t& context, const std::filesystem::path& secret_key_file,
              const std::filesystem::path& clients_dir);
  ~CurveServer();

  // Makes socket a CURVE server that only the allowed clients can talk to. Call before bind.
  void secure(zmq::socket_t& socket) const;

  const std::string& public_key() const noexcept { return keys_.public_key; }
  std::size_t clients() const;
  // Reads clients_dir again (on reload); returns the number of clients allowed.
  std::size_t reload_clients();

 private:
  void answer(std::stop_token stop);

  CurveKeys keys_;
  std::filesystem::path clients_dir_;
  mutable std::mutex mutex_;
  std::set<std::string> allowed_;  // Z85 public keys
  zmq::socket_t handler_;
  std::jthread thread_;
};

}  // namespace sluice::pipeline
