// URL helpers over libcurl's URL API: resolution of relative references and the canonical form
// used to recognise one story behind several links.
#pragma once

#include <string>
#include <string_view>

namespace sluice::feeds {

// `reference` resolved against `base` (RFC 3986). Returns reference unchanged when it is already
// absolute, and "" when no absolute URL can be made.
std::string resolve_url(std::string_view base, std::string_view reference);

// Whether url is absolute http or https (the only schemes of links sluice follows).
bool is_http_url(std::string_view url) noexcept;

// The canonical form of an http(s) URL: host lower-cased, fragment dropped, tracking parameters
// (utm_*, fbclid, gclid, mc_*, ...) removed. Other URLs are returned as given; "" stays "".
std::string canonical_url(std::string_view url);

// The server a URL points at, for politeness limits: "https://example.org:443" (scheme and host
// lower case, the port always present). "" when the URL cannot be parsed.
std::string host_key(std::string_view url);

// The host name of a URL, lower case, without port: "example.org". "" when it cannot be parsed.
std::string host_name(std::string_view url);

}  // namespace sluice::feeds
