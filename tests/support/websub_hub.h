// A WebSub hub for tests, on 127.0.0.1: it records the subscription requests sluice sends it, and
// makes the requests a hub makes of sluice's callbacks (verification of intent, deliveries), with
// a real libcurl fetcher.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "feeds/fetch/http_fetcher.h"
#include "tests/support/http_server.h"

namespace sluice::test {

// A port free on 127.0.0.1 now, for a listener whose public URL must be known beforehand.
int free_port();

// One request through a real fetcher (User-Agent test-hub/1), waited for.
feeds::FetchResult send(feeds::FetchRequest request);

// An Atom document advertising hub and self, with an entry per id ("Post <id>", urn:blog:<id>).
std::string websub_atom(const std::string& hub, const std::string& self, const std::vector<std::string>& ids);

class WebSubHub {
 public:
  // A subscription request the hub received.
  struct Request {
    std::string mode, topic, callback, secret, lease;
  };

  WebSubHub();  // answers every request on /hub with 202

  std::string url() const { return server_.url("/hub"); }
  std::vector<Request> requests() const;
  // The first request (after the first `skip`) that matches, waited for.
  std::optional<Request> wait_for(const std::function<bool(const Request&)>& matches, std::size_t skip = 0,
                                  std::chrono::milliseconds timeout = std::chrono::seconds(15)) const;

  // The verification of intent: GET on the callback; the answer.
  static feeds::FetchResult verify(const Request& request, const std::string& challenge,
                                   const std::string& topic = "");
  // A delivery: POST of body with an X-Hub-Signature header.
  static feeds::FetchResult deliver(const std::string& callback, const std::string& body, const std::string& signature);

 private:
  HttpServer server_;
  mutable std::mutex mutex_;
  std::vector<Request> requests_;
};

}  // namespace sluice::test
