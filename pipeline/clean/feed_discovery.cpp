#include "pipeline/clean/feed_discovery.h"

#include <algorithm>
#include <array>

#include "feeds/parse/feed_parser.h"
#include "feeds/text.h"
#include "feeds/urls.h"

namespace sluice::pipeline {
namespace {

// Advertised feeds tried at most: a page that lists thousands does not get thousands of requests.
constexpr std::size_t kMaxAdvertised = 8;

constexpr std::array<std::string_view, 5> kWellKnownPaths = {"feed", "rss.xml", "atom.xml", "index.xml", "feed.json"};

constexpr std::array<std::string_view, 8> kFeedTypes = {
    "application/rss+xml",   "application/atom+xml",   "application/rdf+xml",   "application/feed+json",
    "application/x-rss+xml", "application/x-atom+xml", "application/x.atom+xml", "application/rss+json"};
// Types some sites give their feed, and other documents too: tried after the others.
constexpr std::array<std::string_view, 2> kGenericTypes = {"application/xml", "text/xml"};

bool has_token(std::string_view list, std::string_view wanted) {
  std::size_t at = 0;
  while (at < list.size()) {
    std::size_t end = list.find_first_of(" \t\n\r\f", at);
    if (end == std::string_view::npos) end = list.size();
    if (feeds::iequals(list.substr(at, end - at), wanted)) return true;
    at = end + 1;
  }
  return false;
}

// Where the page's relative links point from: its <base href>, when it has one that resolves.
std::string base_of(const PageDom& page, std::string_view page_url) {
  const int head = page.head();
  if (head < 0) return std::string(page_url);
  for (int i = head; i < page[head].end; ++i) {
    if (page[i].tag != GUMBO_TAG_BASE) continue;
    const std::string_view href = feeds::trim_view(page.attribute(i, "href"));
    if (href.empty()) break;
    std::string base = feeds::resolve_url(page_url, href);
    if (feeds::is_http_url(base)) return base;
    break;
  }
  return std::string(page_url);
}

// 0 a feed, 1 a comment feed, 2 a generic XML type, -1 not a feed link.
int rank_of(std::string_view type, std::string_view title, std::string_view url) {
  const std::string lowered = feeds::ascii_lower(feeds::trim_view(type.substr(0, type.find(';'))));
  int rank = -1;
  if (std::ranges::find(kFeedTypes, lowered) != kFeedTypes.end()) rank = 0;
  else if (std::ranges::find(kGenericTypes, lowered) != kGenericTypes.end()) rank = 2;
  if (rank != 0) return rank;
  const bool comments = feeds::ascii_lower(title).find("comment") != std::string::npos ||
                        feeds::ascii_lower(url).find("comments/") != std::string::npos;
  return comments ? 1 : 0;
}

void add(std::vector<FeedCandidate>& out, FeedCandidate candidate) {
  if (!feeds::is_http_url(candidate.url)) return;
  if (std::ranges::any_of(out, [&](const FeedCandidate& known) { return known.url == candidate.url; })) return;
  out.push_back(std::move(candidate));
}

std::string_view skip_space(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\n' || text.front() == '\r'))
    text.remove_prefix(1);
  return text;
}

bool starts_with_ci(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && feeds::iequals(text.substr(0, prefix.size()), prefix);
}

}  // namespace

std::string_view source_name(FeedCandidate::Source source) noexcept {
  return source == FeedCandidate::Source::advertised ? "advertised" : "well-known path";
}

bool is_web_page(std::string_view body, std::string_view content_type) {
  const std::string type = feeds::ascii_lower(feeds::trim_view(content_type.substr(0, content_type.find(';'))));
  if (type == "text/html" || type == "application/xhtml+xml") return true;
  std::string_view text = body.substr(0, 64 * 1024);
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  for (;;) {
    text = skip_space(text);
    std::string_view close;
    if (text.starts_with("<?")) close = "?>";
    else if (text.starts_with("<!--")) close = "-->";
    else break;
    const std::size_t end = text.find(close);
    if (end == std::string_view::npos) return false;
    text.remove_prefix(end + close.size());
  }
  return starts_with_ci(text, "<!doctype html") || starts_with_ci(text, "<html");
}

std::vector<FeedCandidate> feed_candidates(const PageDom& page, std::string_view page_url) {
  const std::string base = base_of(page, page_url);
  struct Ranked {
    int rank;
    FeedCandidate candidate;
  };
  std::vector<Ranked> advertised;
  for (int i = 0; i < page.size() && advertised.size() < 4 * kMaxAdvertised; ++i) {
    if (page[i].tag != GUMBO_TAG_LINK) continue;
    const std::string_view rel = page.attribute(i, "rel");
    const std::string_view type = page.attribute(i, "type");
    const bool alternate = has_token(rel, "alternate");
    // rel="feed" names a feed whatever its type says (HTML's feed discovery).
    if (!alternate && !has_token(rel, "feed")) continue;
    const std::string_view href = feeds::trim_view(page.attribute(i, "href"));
    if (href.empty()) continue;
    std::string url = feeds::resolve_url(base, href);
    const std::string_view title = feeds::trim_view(page.attribute(i, "title"));
    int rank = rank_of(type, title, url);
    if (rank < 0 && !alternate && type.empty()) rank = rank_of("application/rss+xml", title, url);
    if (rank < 0) continue;
    advertised.push_back({rank, {std::move(url), feeds::ascii_lower(feeds::trim_view(type)), std::string(title),
                                 FeedCandidate::Source::advertised}});
  }
  std::ranges::stable_sort(advertised, {}, &Ranked::rank);
  std::vector<FeedCandidate> out;
  for (Ranked& ranked : advertised) {
    if (out.size() == kMaxAdvertised) break;
    add(out, std::move(ranked.candidate));
  }
  // The page's own directory first (a blog under /blog/ has its feed there), then the site's root.
  for (const std::string_view prefix : {"", "/"})
    for (const std::string_view path : kWellKnownPaths)
      add(out, {feeds::resolve_url(page_url, std::string(prefix) + std::string(path)), "", "",
                FeedCandidate::Source::well_known});
  return out;
}

Discovery try_candidates(const std::vector<FeedCandidate>& candidates, const FetchNow& fetch, std::size_t wanted,
                         std::size_t max_entries) {
  Discovery out;
  for (const FeedCandidate& candidate : candidates) {
    if (out.found.size() >= wanted) break;
    feeds::FetchResult fetched = fetch(candidate.url);
    if (!fetched) {
      out.missed.push_back({candidate.url, fetched.error().reason, candidate.source});
      continue;
    }
    feeds::FetchResponse& response = *fetched;
    const std::string& url = response.effective_url.empty() ? candidate.url : response.effective_url;
    auto parsed = feeds::parse_feed(std::move(response.body),
                                    feeds::Served{url, response.content_type, response.content_location,
                                                  response.content_language},
                                    max_entries);
    response.body.clear();
    if (!parsed) {
      out.missed.push_back({candidate.url, parsed.error().reason, candidate.source});
      continue;
    }
    FoundFeed found{candidate, std::move(response), std::move(*parsed)};
    // Where a permanent redirect led is where the feed lives.
    if (found.response.moved_permanently && feeds::is_http_url(found.response.effective_url))
      found.candidate.url = found.response.effective_url;
    out.found.push_back(std::move(found));
  }
  return out;
}

std::string nothing_found(const Discovery& discovery) {
  std::string advertised;
  std::string paths;
  for (const MissedCandidate& missed : discovery.missed) {
    if (missed.source == FeedCandidate::Source::well_known) {
      paths += (paths.empty() ? "" : ", ") + missed.url;
    } else {
      advertised += (advertised.empty() ? "" : "; ") + missed.url + ": " + missed.reason;
    }
  }
  std::string out = advertised.empty() ? "the page advertises no feed (no <link rel=\"alternate\"> with a feed type)"
                                        : "the feeds the page advertises cannot be read (" + advertised + ")";
  if (!paths.empty()) out += ", and none of " + paths + " is a feed";
  return out;
}

}  // namespace sluice::pipeline
