#include "feeds/urls.h"

#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <memory>
#include <new>
#include <optional>

#include "feeds/text.h"

namespace sluice::feeds {
namespace {

class UrlHandle {
 public:
  UrlHandle() : handle_(curl_url()) {
    if (!handle_) throw std::bad_alloc();
  }

  bool set(CURLUPart part, const char* value, unsigned flags = 0) {
    return curl_url_set(handle_.get(), part, value, flags) == CURLUE_OK;
  }

  std::optional<std::string> get(CURLUPart part, unsigned flags = 0) const {
    char* value = nullptr;
    if (curl_url_get(handle_.get(), part, &value, flags) != CURLUE_OK) return std::nullopt;
    std::string out(value);
    curl_free(value);
    return out;
  }

 private:
  struct Free {
    void operator()(CURLU* handle) const noexcept { curl_url_cleanup(handle); }
  };
  std::unique_ptr<CURLU, Free> handle_;
};

constexpr std::array<std::string_view, 4> kTrackingPrefixes{"utm_", "mc_", "_hs", "pk_"};
constexpr std::array<std::string_view, 8> kTrackingNames{"fbclid", "gclid",  "dclid",  "msclkid",
                                                         "yclid",  "igshid", "mkt_tok", "wt_mc"};

bool is_tracking_parameter(std::string_view parameter) {
  const std::string_view name = parameter.substr(0, parameter.find('='));
  const std::string lowered = ascii_lower(name);
  return std::any_of(kTrackingPrefixes.begin(), kTrackingPrefixes.end(),
                     [&](std::string_view prefix) { return lowered.starts_with(prefix); }) ||
         std::find(kTrackingNames.begin(), kTrackingNames.end(), lowered) != kTrackingNames.end();
}

// The length of the reference's scheme ("tag" in "tag:x"), 0 when it has none.
std::size_t scheme_length(std::string_view reference) {
  if (reference.empty() || !std::isalpha(static_cast<unsigned char>(reference[0]))) return 0;
  for (std::size_t i = 1; i < reference.size(); ++i) {
    const char c = reference[i];
    if (c == ':') return i;
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') return 0;
  }
  return 0;
}

// A relative path reference that resolves by plain concatenation: path characters only, no
// scheme-like first segment, no dot segments, not a query or fragment alone, not network-path.
bool is_plain_relative(std::string_view reference) {
  static constexpr auto kPlain = [] {
    std::array<bool, 256> plain{};
    for (int c = 'a'; c <= 'z'; ++c) plain[static_cast<std::size_t>(c)] = plain[static_cast<std::size_t>(c - 'a' + 'A')] = true;
    for (int c = '0'; c <= '9'; ++c) plain[static_cast<std::size_t>(c)] = true;
    for (const unsigned char c : std::string_view("-._~/?=&+,;@!$'()*:#")) plain[c] = true;
    return plain;
  }();
  if (reference.empty() || reference[0] == '?' || reference[0] == '#' || reference.starts_with("//")) return false;
  if (!std::all_of(reference.begin(), reference.end(), [](unsigned char c) { return kPlain[c]; })) return false;
  const std::string_view path = reference.substr(0, reference.find_first_of("?#"));
  if (path.substr(0, path.find('/')).find(':') != std::string_view::npos) return false;
  for (std::size_t start = 0; start <= path.size();) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    const std::string_view segment = path.substr(start, end - start);
    if (segment == "." || segment == "..") return false;
    start = end + 1;
  }
  return true;
}

// An http(s) base URL taken apart once: what a plain relative reference is appended to.
struct BaseParts {
  std::string base;
  bool usable = false;     // http(s), no user information
  std::string origin;      // scheme://host[:port]
  std::string directory;   // origin + the path up to its last '/'
};

const BaseParts& parts_of(std::string_view base) {
  thread_local BaseParts parts;
  if (parts.base == base) return parts;
  parts = BaseParts{};
  parts.base = base;
  UrlHandle url;
  if (!url.set(CURLUPART_URL, parts.base.c_str(), CURLU_NON_SUPPORT_SCHEME)) return parts;
  const auto scheme = url.get(CURLUPART_SCHEME);
  if ((scheme != "http" && scheme != "https") || url.get(CURLUPART_USER) || url.get(CURLUPART_PASSWORD)) return parts;
  const auto host = url.get(CURLUPART_HOST);
  if (!host) return parts;
  const auto port = url.get(CURLUPART_PORT);
  const std::string path = url.get(CURLUPART_PATH).value_or("/");
  parts.origin = *scheme + "://" + *host + (port ? ":" + *port : "");
  parts.directory = parts.origin + path.substr(0, path.rfind('/') + 1);
  if (parts.directory.size() == parts.origin.size()) parts.directory += '/';
  parts.usable = true;
  return parts;
}

}  // namespace

std::string resolve_url(std::string_view base, std::string_view reference) {
  // The common cases need no URL parser: an absolute http(s) link is itself; a reference with a
  // scheme but no authority ("tag:...", "urn:...", "mailto:...") has no absolute form here; a
  // plain relative path is appended to the base's directory (or origin), taken apart once.
  if ((reference.starts_with("https://") || reference.starts_with("http://")) &&
      reference.find_first_of(" \t\r\n") == std::string_view::npos)
    return std::string(reference);
  if (const std::size_t scheme = scheme_length(reference); scheme > 0 && reference.substr(scheme + 1, 2) != "//")
    return "";
  // A fragment or a query alone replaces the base's own (RFC 3986 5.2.2), whatever libcurl's
  // version makes of it.
  if (!base.empty() && (reference.starts_with('#') || reference.starts_with('?')) &&
      reference.find_first_of(" \t\r\n") == std::string_view::npos &&
      (base.starts_with("https://") || base.starts_with("http://"))) {
    const std::string_view kept = base.substr(0, base.find_first_of(reference[0] == '#' ? "#" : "?#"));
    return std::string(kept) + std::string(reference);
  }
  if (!base.empty() && is_plain_relative(reference)) {
    if (const BaseParts& parts = parts_of(base); parts.usable)
      return (reference[0] == '/' ? parts.origin : parts.directory) + std::string(reference);
  }
  const std::string ref(reference);
  UrlHandle absolute;
  if (absolute.set(CURLUPART_URL, ref.c_str(), CURLU_NON_SUPPORT_SCHEME)) return ref;
  UrlHandle url;
  const std::string base_text(base);
  if (base.empty() || !url.set(CURLUPART_URL, base_text.c_str(), CURLU_NON_SUPPORT_SCHEME)) return "";
  if (!url.set(CURLUPART_URL, ref.c_str(), CURLU_NON_SUPPORT_SCHEME)) return "";
  return url.get(CURLUPART_URL).value_or("");
}

std::string canonical_url(std::string_view text) {
  const std::string input(text);
  UrlHandle url;
  if (!url.set(CURLUPART_URL, input.c_str())) return input;
  const auto scheme = url.get(CURLUPART_SCHEME);
  if (scheme != "http" && scheme != "https") return input;
  if (const auto host = url.get(CURLUPART_HOST)) url.set(CURLUPART_HOST, ascii_lower(*host).c_str());
  url.set(CURLUPART_FRAGMENT, nullptr);
  if (const auto query = url.get(CURLUPART_QUERY)) {
    std::string kept;
    std::size_t start = 0;
    while (start <= query->size()) {
      const std::size_t end = std::min(query->find('&', start), query->size());
      const std::string_view parameter = std::string_view(*query).substr(start, end - start);
      if (!parameter.empty() && !is_tracking_parameter(parameter)) {
        if (!kept.empty()) kept += '&';
        kept += parameter;
      }
      start = end + 1;
    }
    url.set(CURLUPART_QUERY, kept.empty() ? nullptr : kept.c_str());
  }
  return url.get(CURLUPART_URL).value_or(input);
}

std::string host_key(std::string_view text) {
  const std::string input(text);
  UrlHandle url;
  if (!url.set(CURLUPART_URL, input.c_str(), CURLU_NON_SUPPORT_SCHEME)) return "";
  const std::string scheme = ascii_lower(url.get(CURLUPART_SCHEME).value_or(""));
  const std::string host = ascii_lower(url.get(CURLUPART_HOST).value_or(""));
  const std::string port = url.get(CURLUPART_PORT, CURLU_DEFAULT_PORT).value_or("");
  return scheme + "://" + host + (port.empty() ? "" : ":" + port);
}

std::string host_name(std::string_view text) {
  const std::string input(text);
  UrlHandle url;
  if (!url.set(CURLUPART_URL, input.c_str(), CURLU_NON_SUPPORT_SCHEME)) return "";
  return ascii_lower(url.get(CURLUPART_HOST).value_or(""));
}

bool is_http_url(std::string_view url) noexcept { return url.starts_with("http://") || url.starts_with("https://"); }

}  // namespace sluice::feeds
