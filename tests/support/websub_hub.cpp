#include "tests/support/websub_hub.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace sluice::test {

using namespace std::chrono_literals;

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  ::close(fd);
  return ntohs(address.sin_port);
}

feeds::FetchResult send(feeds::FetchRequest request) {
  std::optional<feeds::FetchResult> result;
  feeds::HttpFetcher fetcher([&](std::uint64_t, feeds::FetchResult done) { result = std::move(done); });
  request.user_agent = "test-hub/1";
  request.timeout = 5s;
  fetcher.start(request);
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!result && std::chrono::steady_clock::now() < deadline) fetcher.poll(50ms);
  if (!result) return std::unexpected(feeds::FetchError{"test gave up", 0, std::nullopt});
  return std::move(*result);
}

std::string websub_atom(const std::string& hub, const std::string& self, const std::vector<std::string>& ids) {
  std::string out = R"(<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Blog</title>)"
                    R"(<id>urn:blog</id><updated>2026-12-01T10:00:00Z</updated><link rel="hub" href=")" +
                    hub + R"("/><link rel="self" href=")" + self + R"("/>)";
  for (const std::string& id : ids)
    out += "<entry><title>Post " + id + "</title><id>urn:blog:" + id + "</id><updated>2026-12-01T10:00:00Z</updated>"
           "<link href=\"https://blog.example/" + id + "\"/><summary>The text of post " + id + ".</summary></entry>";
  return out + "</feed>";
}

WebSubHub::WebSubHub() {
  server_.route("/hub", [this](const HttpRequest& request) {
    const std::lock_guard lock(mutex_);
    requests_.push_back({request.param("hub.mode"), request.param("hub.topic"), request.param("hub.callback"),
                         request.param("hub.secret"), request.param("hub.lease_seconds")});
    return HttpReply{202, "", {}};
  });
}

std::vector<WebSubHub::Request> WebSubHub::requests() const {
  const std::lock_guard lock(mutex_);
  return requests_;
}

std::optional<WebSubHub::Request> WebSubHub::wait_for(const std::function<bool(const Request&)>& matches,
                                                      std::size_t skip, std::chrono::milliseconds timeout) const {
  std::optional<Request> found;
  wait_until(
      [&] {
        const std::lock_guard lock(mutex_);
        for (std::size_t i = skip; i < requests_.size() && !found; ++i)
          if (matches(requests_[i])) found = requests_[i];
        return found.has_value();
      },
      timeout);
  return found;
}

feeds::FetchResult WebSubHub::verify(const Request& request, const std::string& challenge, const std::string& topic) {
  feeds::FetchRequest get;
  get.url = request.callback + "?hub.mode=" + request.mode + "&hub.topic=" + (topic.empty() ? request.topic : topic) +
            "&hub.challenge=" + challenge;
  if (request.mode == "subscribe") get.url += "&hub.lease_seconds=3600";
  return send(get);
}

feeds::FetchResult WebSubHub::deliver(const std::string& callback, const std::string& body,
                                      const std::string& signature) {
  feeds::FetchRequest post;
  post.url = callback;
  post.form = body;
  post.headers = {{"Content-Type", "application/atom+xml"}, {"X-Hub-Signature", signature}};
  return send(post);
}

}  // namespace sluice::test
