#include "tests/support/http_server.h"

#include <httplib.h>
#include <zlib.h>

#include <map>
#include <mutex>
#include <stdexcept>
#include <strings.h>
#include <thread>

namespace sluice::test {

std::string HttpRequest::param(std::string_view name) const {
  for (const auto& [key, value] : params)
    if (key == name) return value;
  return "";
}

std::string HttpRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (key.size() == name.size() && strncasecmp(key.c_str(), name.data(), name.size()) == 0) return value;
  return "";
}

std::string gzipped(std::string_view data) {
  z_stream stream{};
  if (deflateInit2(&stream, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("zlib: deflateInit2 failed");
  std::string compressed(deflateBound(&stream, data.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(compressed.data());
  stream.avail_out = static_cast<uInt>(compressed.size());
  const int done = deflate(&stream, Z_FINISH);
  compressed.resize(stream.total_out);
  deflateEnd(&stream);
  if (done != Z_STREAM_END) throw std::runtime_error("zlib: deflate did not finish");
  return compressed;
}

struct HttpServer::Impl {
  httplib::Server server;
  std::thread thread;
  std::string address;
  int port = 0;
  std::mutex mutex;
  std::map<std::string, Handler> routes;
};

HttpServer::HttpServer(std::string address) : impl_(std::make_unique<Impl>()) {
  impl_->address = std::move(address);
  const auto serve = [this](const httplib::Request& request, httplib::Response& response) {
    Handler handler;
    {
      const std::lock_guard lock(impl_->mutex);
      const auto found = impl_->routes.find(request.path);
      if (found != impl_->routes.end()) handler = found->second;
    }
    if (!handler) {
      response.status = 404;
      return;
    }
    HttpRequest seen{request.path, {request.headers.begin(), request.headers.end()}, request.method, request.body,
                     {request.params.begin(), request.params.end()}};
    const HttpReply reply = handler(seen);
    if (reply.delay.count() > 0) std::this_thread::sleep_for(reply.delay);
    response.status = reply.status;
    for (const auto& [name, value] : reply.headers) response.set_header(name, value);
    if (reply.status != 304) {
      std::string content_type = "application/xml";
      for (const auto& [name, value] : reply.headers)
        if (strcasecmp(name.c_str(), "Content-Type") == 0) content_type = value;
      if (reply.drip.count() > 0) {
        response.set_chunked_content_provider(
            content_type, [this, body = reply.body, drip = reply.drip](std::size_t offset, httplib::DataSink& sink) {
              if (offset >= body.size() || !impl_->server.is_running()) {
                sink.done();
                return true;
              }
              std::this_thread::sleep_for(drip);
              return sink.write(body.data() + offset, 1);
            });
      } else if (reply.endless && !reply.body.empty()) {
        response.set_chunked_content_provider(
            content_type, [this, body = reply.body](std::size_t, httplib::DataSink& sink) {
              if (!impl_->server.is_running()) {
                sink.done();
                return true;
              }
              return sink.write(body.data(), body.size());
            });
      } else {
        response.set_content(reply.body, content_type);
      }
    }
  };
  impl_->server.Get(".*", serve);
  impl_->server.Post(".*", serve);
  impl_->port = impl_->server.bind_to_any_port(impl_->address);
  if (impl_->port <= 0) throw std::runtime_error("test HTTP server cannot bind " + impl_->address);
  impl_->thread = std::thread([this] { impl_->server.listen_after_bind(); });
  // stop() only takes effect once the accept loop runs, so do not hand out a server before that.
  while (!impl_->server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

HttpServer::~HttpServer() {
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

void HttpServer::route(const std::string& path, Handler handler) {
  const std::lock_guard lock(impl_->mutex);
  impl_->routes[path] = std::move(handler);
}

std::string HttpServer::url(std::string_view path) const {
  const std::string host = impl_->address.find(':') != std::string::npos ? "[" + impl_->address + "]" : impl_->address;
  return "http://" + host + ":" + std::to_string(impl_->port) + std::string(path);
}

}  // namespace sluice::test
