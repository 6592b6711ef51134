// A real HTTP server on loopback (cpp-httplib, port chosen by the kernel) for tests. Kept behind
// this interface so httplib.h is compiled in one translation unit only.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::test {

struct HttpRequest {
  std::string path;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string method = "GET";  // GET or POST
  std::string body;            // a POST's
  std::vector<std::pair<std::string, std::string>> params;  // the query's, or a form POST's, decoded

  std::string header(std::string_view name) const;  // "" when absent; name is case-insensitive
  std::string param(std::string_view name) const;   // "" when absent
};

struct HttpReply {
  int status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds delay{0};  // wait before answering (a slow server)
  std::chrono::milliseconds drip{0};   // when set, the body goes out one byte per this interval
  bool endless = false;                // the body is sent again and again, never ending (chunked)
};

// A gzip stream (Content-Encoding: gzip) of data, at the highest compression: the way to make a
// compressed bomb. Throws std::runtime_error when zlib fails.
std::string gzipped(std::string_view data);

class HttpServer {
 public:
  using Handler = std::function<HttpReply(const HttpRequest&)>;

  // Listening when constructed, on a loopback address: 127.0.0.1, or another of 127.0.0.0/8 (or
  // ::1) for a test that needs a second host.
  explicit HttpServer(std::string address = "127.0.0.1");
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Serves path with handler (replacing an earlier one). Unknown paths get 404.
  void route(const std::string& path, Handler handler);

  std::string url(std::string_view path) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::test
