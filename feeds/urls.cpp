#include "feeds/urls.h"

#include <curl/curl.h>

#include <algorithm>
#include <array>
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

}  // namespace

std::string resolve_url(std::string_view base, std::string_view reference) {
  // The common case, an absolute http(s) link, needs no parsing at all.
  if ((reference.starts_with("https://") || reference.starts_with("http://")) &&
      reference.find_first_of(" \t\r\n") == std::string_view::npos)
    return std::string(reference);
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

}  // namespace sluice::feeds
