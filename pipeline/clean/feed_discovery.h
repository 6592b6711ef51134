// Finds the feed behind a web page, as a reader's subscription finder does: the feeds the page
// advertises (<link rel="alternate"> with an RSS, Atom, RDF or JSON Feed type), then the paths
// where sites commonly serve one (/feed, /rss.xml, /atom.xml, /index.xml, /feed.json). A
// candidate counts only once fetched and parsed as a feed; the fetching is the caller's (the
// daemon through its fetch stage, `sluice discover` through a fetcher of its own), and so is the
// SSRF guard on it.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "feeds/fetch/http_fetcher.h"
#include "feeds/model.h"
#include "pipeline/clean/page_dom.h"

namespace sluice::pipeline {

struct FeedCandidate {
  enum class Source { advertised, well_known };
  std::string url;    // absolute, http(s)
  std::string type;   // the advertised MIME type; "" for a well-known path
  std::string title;  // the advertised title; "" when none
  Source source = Source::advertised;
};

std::string_view source_name(FeedCandidate::Source source) noexcept;

// Whether a document that did not parse as a feed is a web page: served as HTML, or markup that
// opens (after a BOM, white space, an XML declaration or comments) with a doctype or <html>.
bool is_web_page(std::string_view body, std::string_view content_type);

// The page's candidates, best first, each URL once: the advertised feeds in page order (comment
// feeds after the others, then those typed only as generic XML), then the well-known paths,
// under the page's own directory first when it is not the site's root. `page_url` is where the
// page came from; a <base href> in it counts.
std::vector<FeedCandidate> feed_candidates(const PageDom& page, std::string_view page_url);

// A candidate that turned out to be a feed.
struct FoundFeed {
  FeedCandidate candidate;
  feeds::FetchResponse response;  // the feed document as fetched (its body moved into `document`)
  feeds::FeedDocument document;
};

// A candidate that did not: its URL and why ("404", "not a feed: ...").
struct MissedCandidate {
  std::string url;
  std::string reason;
  FeedCandidate::Source source = FeedCandidate::Source::advertised;
};

struct Discovery {
  std::vector<FoundFeed> found;  // best first
  std::vector<MissedCandidate> missed;
};

// Fetches one URL and waits for it.
using FetchNow = std::function<feeds::FetchResult(const std::string& url)>;

// Fetches and parses the candidates in order, stopping after `wanted` feeds. At most
// `max_entries` entries of each are kept.
Discovery try_candidates(const std::vector<FeedCandidate>& candidates, const FetchNow& fetch, std::size_t wanted,
                         std::size_t max_entries);

// The one line that says nothing was found: what the page advertised and which paths were tried.
std::string nothing_found(const Discovery& discovery);

}  // namespace sluice::pipeline
