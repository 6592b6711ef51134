// Concurrent HTTP(S) and file:// fetching on one thread over libcurl's multi interface.
//
// Thread-safety: every member except wakeup() must be called from the one thread that owns the
// fetcher; wakeup() may be called from any thread. Completion callbacks run on the owning thread,
// inside poll().
#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "feeds/fetch/curl_handles.h"

namespace sluice::feeds {

struct FetchRequest {
  std::uint64_t tag = 0;  // the caller's key, handed back with the result
  std::string url;
  std::string etag;           // validators of the last good response, for a conditional GET
  std::string last_modified;
  std::string user_agent;
  std::chrono::milliseconds timeout{20'000};
  std::uint64_t max_body = 15ULL << 20;  // decoded bytes; the transfer is aborted past it
  std::vector<std::pair<std::string, std::string>> headers;
  std::string username;  // basic authentication when not empty
  std::string password;
  std::string proxy;
  // The cookie jar to start from: Netscape cookie-file lines (what FetchResponse::cookies holds).
  // The cookie engine is always on, so cookies a server sets on the way through redirects are
  // sent on to the next hop, as a browser would.
  std::string cookies;
  // When not empty, the request is a POST of this body, application/x-www-form-urlencoded unless
  // `headers` give another Content-Type (a WebSub subscription request); redirects are then not
  // followed.
  std::string form;
  // Where the request may lead. Only a URL the operator configured may be a file: URL; any other
  // (an item's link, a link found on a page) and every redirect hop is http or https.
  bool configured = false;
  // The SSRF guard: only public addresses, never loopback, private, shared, link-local, multicast
  // or reserved ones. The address is checked after DNS resolution when a connection is opened,
  // and again before every request sent, whether on a new connection or on a pooled one that
  // another transfer opened, so no request rides a connection the guard did not vouch for.
  bool public_only = false;
  // With public_only: requests to this host (a name as host_name() gives it: the configured
  // feed's host) are not checked, on any port or scheme. Only the requests to it: a redirect from
  // it to another host is. Through a proxy, the address checked is the proxy's.
  std::string trusted_host;
};

struct FetchResponse {
  long status = 0;  // HTTP status; file:// reads report 200
  std::string body;
  std::string etag;
  std::string last_modified;
  std::string content_type;
  std::string content_location;  // how the document reads: parse_feed's Served
  std::string content_language;
  std::string links;          // the Link headers (RFC 8288), joined by ", "
  std::string effective_url;  // after redirects
  bool moved_permanently = false;  // every redirect on the way was a 301 or 308
  std::chrono::milliseconds elapsed{0};
  std::chrono::seconds fresh_for{0};  // Cache-Control max-age, else Expires - Date; 0 when not said
  // The jar after the transfer: the request's cookies plus what the servers set, in Netscape
  // cookie-file lines, at most kMaxCookies of them.
  std::string cookies;

  bool not_modified() const noexcept { return status == 304; }
};

// A server may set no more cookies than this in one jar; more are dropped.
inline constexpr std::size_t kMaxCookies = 50;

// One host-only cookie in Netscape cookie-file form (as FetchRequest::cookies takes it): sent to
// that host only, on every path, over plain HTTP too, never expiring.
std::string cookie_line(std::string_view host, std::string_view name, std::string_view value);

struct FetchError {
  std::string reason;  // one line, e.g. "HTTP 503", "timed out after 20s", "body exceeds 15MiB"
  long status = 0;     // the HTTP status when the server answered
  std::optional<std::chrono::seconds> retry_after;  // from a 429 or 503 that said when to come back
};

using FetchResult = std::expected<FetchResponse, FetchError>;

// Whether an IPv4 or IPv6 address (text) is on the public internet, as the SSRF guard decides it.
bool is_public_ip(std::string_view address);

// What the SSRF guard asks of an address (text): is_public_ip, unless a test says otherwise.
using AddressCheck = bool (*)(std::string_view address);

class HttpFetcher {
 public:
  using Callback = std::function<void(std::uint64_t tag, FetchResult result)>;

  explicit HttpFetcher(Callback on_done, AddressCheck is_public = is_public_ip);
  ~HttpFetcher();
  HttpFetcher(const HttpFetcher&) = delete;
  HttpFetcher& operator=(const HttpFetcher&) = delete;

  // Starts a transfer; its result reaches the callback from a later poll().
  void start(const FetchRequest& request);

  // Drives the transfers, waiting at most max_wait for network activity or a wakeup(), and runs
  // the callback of every transfer that finished.
  void poll(std::chrono::milliseconds max_wait);

  // Interrupts a poll() that is waiting. Thread-safe.
  void wakeup() noexcept;

  std::size_t active() const noexcept { return transfers_.size(); }

 private:
  struct Transfer;

  void finish(CURL* easy, CURLcode code);

  Callback on_done_;
  AddressCheck is_public_;
  CurlMulti multi_;
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> transfers_;
};

}  // namespace sluice::feeds
