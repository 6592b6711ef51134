#include "feeds/fetch/http_fetcher.h"

#include <arpa/inet.h>
#include <curl/header.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <strings.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "config/units.h"
#include "feeds/dates.h"
#include "feeds/text.h"
#include "feeds/urls.h"

namespace sluice::feeds {
namespace {

using namespace std::chrono_literals;

std::string header_value(CURL* easy, const char* name) {
  curl_header* header = nullptr;
  if (curl_easy_header(easy, name, 0, CURLH_HEADER, -1, &header) != CURLHE_OK || !header) return "";
  return header->value;
}

// Every value of a header the last response gave more than once, joined by ", ".
std::string header_values(CURL* easy, const char* name) {
  std::string out;
  curl_header* header = nullptr;
  for (std::size_t index = 0; curl_easy_header(easy, name, index, CURLH_HEADER, -1, &header) == CURLHE_OK && header;
       ++index) {
    if (!out.empty()) out += ", ";
    out += header->value;
    if (index + 1 >= header->amount) break;
  }
  return out;
}

// Whether an address is on the public internet: not loopback, private (RFC 1918, ULA), shared
// (CGNAT), link-local, benchmarking, multicast, unspecified or reserved. An IPv6 address that
// carries an IPv4 one (mapped, compatible, NAT64) is judged by the IPv4 address.
bool is_public_ipv4(std::uint32_t host_order) {
  const auto in = [&](std::uint32_t network, int bits) {
    return (host_order >> (32 - bits)) == (network >> (32 - bits));
  };
  return !(in(0x00000000, 8) || in(0x0A000000, 8) || in(0x64400000, 10) || in(0x7F000000, 8) ||
           in(0xA9FE0000, 16) || in(0xAC100000, 12) || in(0xC0A80000, 16) || in(0xC0000000, 24) ||
           in(0xC6120000, 15) || in(0xE0000000, 4) || in(0xF0000000, 4));
}

bool is_public_address(const sockaddr* address) {
  if (address->sa_family == AF_INET)
    return is_public_ipv4(ntohl(reinterpret_cast<const sockaddr_in*>(address)->sin_addr.s_addr));
  if (address->sa_family != AF_INET6) return false;
  const in6_addr& ip = reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr;
  static constexpr unsigned char kNat64[12] = {0x00, 0x64, 0xff, 0x9b};  // 64:ff9b::/96
  if (IN6_IS_ADDR_V4MAPPED(&ip) || IN6_IS_ADDR_V4COMPAT(&ip) || std::memcmp(ip.s6_addr, kNat64, 12) == 0) {
    std::uint32_t v4 = 0;
    std::memcpy(&v4, ip.s6_addr + 12, 4);
    return is_public_ipv4(ntohl(v4));
  }
  const unsigned char first = ip.s6_addr[0];
  return !(IN6_IS_ADDR_LOOPBACK(&ip) || IN6_IS_ADDR_UNSPECIFIED(&ip) || IN6_IS_ADDR_LINKLOCAL(&ip) ||
           IN6_IS_ADDR_SITELOCAL(&ip) || IN6_IS_ADDR_MULTICAST(&ip) || (first & 0xFE) == 0xFC);
}

std::string address_text(const sockaddr* address) {
  char text[INET6_ADDRSTRLEN] = "?";
  if (address->sa_family == AF_INET)
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(address)->sin_addr, text, sizeof text);
  else if (address->sa_family == AF_INET6)
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr, text, sizeof text);
  return text;
}

// Seconds from now named by a Retry-After value: delay-seconds or an HTTP date.
std::optional<std::chrono::seconds> retry_after_of(const std::string& value) {
  constexpr std::chrono::seconds kLongest{7 * 24 * 3600};  // a server asking for longer is mistaken
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](unsigned char c) { return std::isdigit(c); }))
    return std::min(std::chrono::seconds(std::stoll(value.substr(0, 9))), kLongest);
  if (const auto when = parse_date(value)) {
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    return std::clamp(std::chrono::duration_cast<std::chrono::seconds>(*when - now), std::chrono::seconds(0), kLongest);
  }
  return std::nullopt;
}

// How long the response says it stays fresh: Cache-Control max-age, else Expires minus Date.
std::chrono::seconds freshness_of(CURL* easy) {
  const std::string cache_control = ascii_lower(header_value(easy, "Cache-Control"));
  if (const auto at = cache_control.find("max-age="); at != std::string::npos) {
    std::size_t end = at + 8;
    while (end < cache_control.size() && std::isdigit(static_cast<unsigned char>(cache_control[end]))) ++end;
    if (end > at + 8) return std::chrono::seconds(std::stoll(cache_control.substr(at + 8, std::min<std::size_t>(end - at - 8, 9))));
  }
  const auto expires = parse_date(header_value(easy, "Expires"));
  const auto date = parse_date(header_value(easy, "Date"));
  if (expires && date && *expires > *date) return std::chrono::duration_cast<std::chrono::seconds>(*expires - *date);
  return std::chrono::seconds(0);
}

// The handle's cookie jar as Netscape lines, at most kMaxCookies of them, none over 4 KiB.
std::string cookie_jar_of(CURL* easy) {
  constexpr std::size_t kLongestCookie = 4096;
  curl_slist* cookies = nullptr;
  if (curl_easy_getinfo(easy, CURLINFO_COOKIELIST, &cookies) != CURLE_OK || !cookies) return "";
  const std::unique_ptr<curl_slist, detail::ListFree> owned(cookies);
  std::string jar;
  std::size_t kept = 0;
  for (const curl_slist* line = cookies; line && kept < kMaxCookies; line = line->next) {
    const std::string_view text(line->data);
    if (text.empty() || text.size() > kLongestCookie || text.find('\n') != std::string_view::npos) continue;
    jar.append(text).push_back('\n');
    ++kept;
  }
  return jar;
}

template <typename T>
void set_option(CURL* easy, CURLoption option, T value) {
  const CURLcode code = curl_easy_setopt(easy, option, value);
  if (code != CURLE_OK)
    throw std::runtime_error(std::string("libcurl option rejected: ") + curl_easy_strerror(code));
}

}  // namespace

struct HttpFetcher::Transfer {
  std::uint64_t tag = 0;
  std::uint64_t max_body = 0;
  std::chrono::milliseconds timeout{0};
  bool too_large = false;
  CurlEasy easy;
  CurlHeaderList headers;
  std::string body;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();

  std::vector<long> statuses;  // of every response on the way, redirects included
  bool public_only = false;
  bool posted = false;  // a form POST: any 2xx answers it
  std::string trusted_host;
  AddressCheck is_public = is_public_ip;
  std::string refused;      // the address the SSRF guard refused, when it did...
  std::string refused_url;  // ...and the URL that was to be fetched from it

  // The guard's decision for the hop under way (its URL is the effective one by now) to address.
  bool may_reach(const std::string& address) {
    if (!public_only) return true;
    char* url = nullptr;
    curl_easy_getinfo(easy.get(), CURLINFO_EFFECTIVE_URL, &url);
    const std::string hop = url ? url : "";
    // A file: URL (only ever the operator's own) reaches no address at all.
    if (ascii_lower(hop.substr(0, 5)) == "file:") return true;
    if (!trusted_host.empty() && host_name(hop) == trusted_host) return true;
    if (is_public(address)) return true;
    refused = address;
    refused_url = hop;
    return false;
  }

  // Opens each connection's socket, after DNS: a non-public address is never connected to.
  static curl_socket_t open_socket(void* self, curlsocktype, curl_sockaddr* address) {
    auto& transfer = *static_cast<Transfer*>(self);
    if (!transfer.may_reach(address_text(&address->addr))) return CURL_SOCKET_BAD;
    return ::socket(address->family, address->socktype, address->protocol);
  }

  // Runs before every request, on a new connection or a reused one: the check that holds per
  // request, whoever opened the connection (a trusted feed's poll may have left it in the pool).
  static int before_request(void* self, char* primary_ip, char*, int, int) {
    auto& transfer = *static_cast<Transfer*>(self);
    return transfer.may_reach(primary_ip ? primary_ip : "") ? CURL_PREREQFUNC_OK : CURL_PREREQFUNC_ABORT;
  }

  // Notes the status line of each response; other header lines are read after the transfer.
  static std::size_t on_header(char* data, std::size_t size, std::size_t count, void* self) {
    auto& transfer = *static_cast<Transfer*>(self);
    const std::string_view line(data, size * count);
    if (line.starts_with("HTTP/")) {
      const auto space = line.find(' ');
      if (space != std::string_view::npos && line.size() >= space + 4) {
        long status = 0;
        for (char c : line.substr(space + 1, 3)) status = status * 10 + (c >= '0' && c <= '9' ? c - '0' : 0);
        transfer.statuses.push_back(status);
      }
    }
    return size * count;
  }

  static std::size_t on_data(char* data, std::size_t size, std::size_t count, void* self) {
    auto& transfer = *static_cast<Transfer*>(self);
    const std::size_t bytes = size * count;
    if (transfer.body.size() + bytes > transfer.max_body) {
      transfer.too_large = true;
      return 0;  // aborts the transfer with CURLE_WRITE_ERROR
    }
    transfer.body.append(data, bytes);
    return bytes;
  }
};

std::string cookie_line(std::string_view host, std::string_view name, std::string_view value) {
  std::string line;
  line.append(host).append("\tFALSE\t/\tFALSE\t0\t").append(name).append("\t").append(value);
  return line;
}

bool is_public_ip(std::string_view address) {
  const std::string text(address);
  sockaddr_in v4{};
  sockaddr_in6 v6{};
  if (inet_pton(AF_INET, text.c_str(), &v4.sin_addr) == 1) {
    v4.sin_family = AF_INET;
    return is_public_address(reinterpret_cast<const sockaddr*>(&v4));
  }
  if (inet_pton(AF_INET6, text.c_str(), &v6.sin6_addr) == 1) {
    v6.sin6_family = AF_INET6;
    return is_public_address(reinterpret_cast<const sockaddr*>(&v6));
  }
  return false;
}

HttpFetcher::HttpFetcher(Callback on_done, AddressCheck is_public)
    : on_done_(std::move(on_done)), is_public_(is_public) {}

HttpFetcher::~HttpFetcher() {
  for (auto& [easy, transfer] : transfers_) curl_multi_remove_handle(multi_.get(), easy);
}

void HttpFetcher::start(const FetchRequest& request) {
  auto transfer = std::make_unique<Transfer>();
  transfer->tag = request.tag;
  transfer->max_body = request.max_body;
  transfer->timeout = request.timeout;
  transfer->public_only = request.public_only;
  transfer->trusted_host = request.trusted_host;
  transfer->is_public = is_public_;
  transfer->posted = !request.form.empty();
  CURL* easy = transfer->easy.get();

  for (const auto& [name, value] : request.headers) transfer->headers.append(name + ": " + value);
  if (!request.etag.empty()) transfer->headers.append("If-None-Match: " + request.etag);
  if (!request.last_modified.empty()) transfer->headers.append("If-Modified-Since: " + request.last_modified);

  set_option(easy, CURLOPT_URL, request.url.c_str());
  set_option(easy, CURLOPT_PROTOCOLS_STR, request.configured ? "http,https,file" : "http,https");
  set_option(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  set_option(easy, CURLOPT_FOLLOWLOCATION, request.form.empty() ? 1L : 0L);
  if (!request.form.empty()) {
    const bool typed = std::ranges::any_of(request.headers, [](const auto& header) {
      return strcasecmp(header.first.c_str(), "Content-Type") == 0;
    });
    if (!typed) transfer->headers.append("Content-Type: application/x-www-form-urlencoded");
    set_option(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.form.size()));
    set_option(easy, CURLOPT_COPYPOSTFIELDS, request.form.c_str());
  }
  set_option(easy, CURLOPT_MAXREDIRS, 5L);
  set_option(easy, CURLOPT_NOSIGNAL, 1L);
  set_option(easy, CURLOPT_ACCEPT_ENCODING, "");  // every encoding libcurl can decode
  set_option(easy, CURLOPT_USERAGENT, request.user_agent.c_str());
  set_option(easy, CURLOPT_HTTPHEADER, transfer->headers.get());
  set_option(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  set_option(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::min<std::chrono::milliseconds>(request.timeout, 10s).count()));
  set_option(easy, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(request.max_body));
  set_option(easy, CURLOPT_TCP_KEEPALIVE, 1L);
  // A server that drips (under 64 bytes a second for 10 s) is given up on before the total timeout.
  set_option(easy, CURLOPT_LOW_SPEED_LIMIT, 64L);
  set_option(easy, CURLOPT_LOW_SPEED_TIME, static_cast<long>(std::clamp<std::chrono::seconds::rep>(
                                                std::chrono::duration_cast<std::chrono::seconds>(request.timeout).count() / 2, 1, 10)));
  if (!request.username.empty()) {
    set_option(easy, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
    set_option(easy, CURLOPT_USERNAME, request.username.c_str());
    set_option(easy, CURLOPT_PASSWORD, request.password.c_str());
  }
  if (!request.proxy.empty()) set_option(easy, CURLOPT_PROXY, request.proxy.c_str());
  set_option(easy, CURLOPT_COOKIEFILE, "");  // the cookie engine, with no file behind it
  for (std::size_t at = 0; at < request.cookies.size();) {
    std::size_t end = request.cookies.find('\n', at);
    if (end == std::string::npos) end = request.cookies.size();
    if (end > at) set_option(easy, CURLOPT_COOKIELIST, request.cookies.substr(at, end - at).c_str());
    at = end + 1;
  }
  set_option(easy, CURLOPT_WRITEFUNCTION, &Transfer::on_data);
  set_option(easy, CURLOPT_WRITEDATA, transfer.get());
  set_option(easy, CURLOPT_OPENSOCKETFUNCTION, &Transfer::open_socket);
  set_option(easy, CURLOPT_OPENSOCKETDATA, transfer.get());
  set_option(easy, CURLOPT_PREREQFUNCTION, &Transfer::before_request);
  set_option(easy, CURLOPT_PREREQDATA, transfer.get());
  set_option(easy, CURLOPT_HEADERFUNCTION, &Transfer::on_header);
  set_option(easy, CURLOPT_HEADERDATA, transfer.get());
  set_option(easy, CURLOPT_PRIVATE, transfer.get());

  if (const CURLMcode code = curl_multi_add_handle(multi_.get(), easy); code != CURLM_OK)
    throw std::runtime_error(std::string("cannot start transfer: ") + curl_multi_strerror(code));
  transfers_.emplace(easy, std::move(transfer));
}

void HttpFetcher::poll(std::chrono::milliseconds max_wait) {
  int running = 0;
  curl_multi_perform(multi_.get(), &running);
  const int timeout_ms = static_cast<int>(std::clamp<std::chrono::milliseconds::rep>(max_wait.count(), 0, 60'000));
  curl_multi_poll(multi_.get(), nullptr, 0, timeout_ms, nullptr);
  curl_multi_perform(multi_.get(), &running);
  int queued = 0;
  while (CURLMsg* message = curl_multi_info_read(multi_.get(), &queued)) {
    if (message->msg == CURLMSG_DONE) finish(message->easy_handle, message->data.result);
  }
}

void HttpFetcher::wakeup() noexcept { curl_multi_wakeup(multi_.get()); }

void HttpFetcher::finish(CURL* easy, CURLcode code) {
  curl_multi_remove_handle(multi_.get(), easy);
  const auto found = transfers_.find(easy);
  if (found == transfers_.end()) return;
  const std::unique_ptr<Transfer> transfer = std::move(found->second);
  transfers_.erase(found);

  FetchResult result;
  long status = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  char* scheme = nullptr;
  curl_easy_getinfo(easy, CURLINFO_SCHEME, &scheme);
  const bool is_file = scheme && std::string_view(scheme) == "FILE";
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - transfer->started);

  if (!transfer->refused.empty()) {
    result = std::unexpected(FetchError{"refused non-public address " + transfer->refused + " for " +
                                            transfer->refused_url +
                                            " (links and redirects sluice follows must lead to public servers; "
                                            "allow_private: true on the feed lifts this)",
                                        status, std::nullopt});
  } else if (transfer->too_large || code == CURLE_FILESIZE_EXCEEDED) {
    result = std::unexpected(FetchError{"body exceeds max_body " + config::format_size(transfer->max_body), status, std::nullopt});
  } else if (code == CURLE_OPERATION_TIMEDOUT) {
    const bool dripping = elapsed + std::chrono::seconds(1) < transfer->timeout;
    result = std::unexpected(FetchError{dripping ? "too slow: under 64 bytes/s, given up after " + std::to_string(elapsed.count()) + " ms"
                                                 : "timed out after " + std::to_string(elapsed.count()) + " ms",
                                        status, std::nullopt});
  } else if (code == CURLE_UNSUPPORTED_PROTOCOL) {
    char* url = nullptr;
    curl_easy_getinfo(easy, CURLINFO_EFFECTIVE_URL, &url);
    result = std::unexpected(FetchError{std::string("refused ") + (url ? url : "the URL") +
                                            ": links and redirects sluice follows must be http or https",
                                        status, std::nullopt});
  } else if (code != CURLE_OK) {
    result = std::unexpected(FetchError{curl_easy_strerror(code), status, std::nullopt});
  } else if (!is_file && status != 200 && status != 304 && !(transfer->posted && status >= 200 && status < 300)) {
    FetchError error{"HTTP " + std::to_string(status), status, std::nullopt};
    if (status == 429 || status == 503) error.retry_after = retry_after_of(header_value(easy, "Retry-After"));
    result = std::unexpected(std::move(error));
  } else {
    FetchResponse response;
    response.status = is_file ? 200 : status;
    response.body = std::move(transfer->body);
    response.elapsed = elapsed;
    if (!is_file) {
      response.etag = header_value(easy, "ETag");
      response.last_modified = header_value(easy, "Last-Modified");
      response.fresh_for = freshness_of(easy);
      response.cookies = cookie_jar_of(easy);
      response.content_location = header_value(easy, "Content-Location");
      response.content_language = header_value(easy, "Content-Language");
      response.links = header_values(easy, "Link");
    }
    char* content_type = nullptr;
    curl_easy_getinfo(easy, CURLINFO_CONTENT_TYPE, &content_type);
    if (content_type) response.content_type = content_type;
    char* effective_url = nullptr;
    curl_easy_getinfo(easy, CURLINFO_EFFECTIVE_URL, &effective_url);
    if (effective_url) response.effective_url = effective_url;
    // Interim responses (100 Continue) aside, all but the last status belong to redirects.
    std::vector<long> redirects;
    for (const long hop : transfer->statuses)
      if (hop >= 300 && hop < 400 && hop != 304) redirects.push_back(hop);
    response.moved_permanently =
        !redirects.empty() && std::all_of(redirects.begin(), redirects.end(), [](long hop) { return hop == 301 || hop == 308; });
    result = std::move(response);
  }
  on_done_(transfer->tag, std::move(result));
}

}  // namespace sluice::feeds
