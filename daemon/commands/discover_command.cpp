// `sluice discover URL`: the feeds behind a site's address, best first, one per line (URL, format,
// entries, title, how it was found), as the daemon would find them for a feed whose `url` is a web
// page; the daemon takes the first. A URL that is a feed itself is printed alone.
#include <cstdio>
#include <limits>
#include <string>

#include "daemon/commands/commands.h"
#include "daemon/commands/document_source.h"
#include "feeds/parse/encoding.h"
#include "feeds/parse/feed_parser.h"
#include "feeds/urls.h"
#include "pipeline/clean/feed_discovery.h"

namespace sluice::daemon {
namespace {

struct DiscoverOptions {
  std::string url;
  bool allow_private = false;
};

// Entries read of each feed found: enough to count them, not the whole of a huge one.
constexpr std::size_t kEntriesRead = 1000;

void print_feed(const std::string& url, const feeds::FeedDocument& document, std::string_view how) {
  // One line per feed: white space in the title (tabs, line breaks) becomes single spaces.
  std::string title;
  bool space = false;
  if (document.feed.title) pipeline::append_collapsed(title, document.feed.title->value, space);
  std::printf("%s\t%s\t%zu\t%s\t%.*s\n", url.c_str(), document.version.c_str(),
              document.entries.size() + document.entries_dropped, title.c_str(), static_cast<int>(how.size()),
              how.data());
}

int discover(const DiscoverOptions& options) {
  if (!feeds::is_http_url(options.url)) {
    std::fprintf(stderr, "sluice discover: %s: not an http(s) URL\n", options.url.c_str());
    return kUsageError;
  }
  // Links on the page go where the page says: only to public addresses, unless on the site's own
  // server or allowed, as for the daemon's feeds.
  feeds::FetchRequest request;
  request.user_agent = "sluice/" SLUICE_VERSION;
  request.public_only = !options.allow_private;
  request.trusted_host = feeds::host_name(options.url);
  request.url = options.url;
  feeds::FetchResult page = fetch_once(request);
  if (!page) {
    std::fprintf(stderr, "sluice discover: %s: %s\n", options.url.c_str(), page.error().reason.c_str());
    return 1;
  }
  const std::string page_url = page->effective_url.empty() ? options.url : page->effective_url;
  const bool web_page = pipeline::is_web_page(page->body, page->content_type);
  std::string markup = web_page ? page->body : std::string();
  auto itself = feeds::parse_feed(std::move(page->body),
                                  feeds::Served{page_url, page->content_type, page->content_location,
                                                page->content_language},
                                  kEntriesRead);
  if (itself) {
    print_feed(page_url, *itself, "the URL itself");
    return 0;
  }
  if (!web_page) {
    std::fprintf(stderr, "sluice discover: %s: neither a feed nor a web page: %s\n", page_url.c_str(),
                 itself.error().reason.c_str());
    return 1;
  }
  std::vector<pipeline::FeedCandidate> candidates;
  {
    const feeds::DecodedDocument decoded = feeds::decode_document(markup, page->content_type);
    const pipeline::PageDom dom(decoded.text());
    candidates = pipeline::feed_candidates(dom, page_url);
  }
  const pipeline::Discovery discovery = pipeline::try_candidates(
      candidates,
      [&](const std::string& url) {
        request.url = url;
        return fetch_once(request);
      },
      std::numeric_limits<std::size_t>::max(), kEntriesRead);
  for (const pipeline::FoundFeed& found : discovery.found)
    print_feed(found.candidate.url, found.document, pipeline::source_name(found.candidate.source));
  if (discovery.found.empty()) {
    std::fprintf(stderr, "sluice discover: %s: no feed found: %s\n", page_url.c_str(),
                 pipeline::nothing_found(discovery).c_str());
    return 1;
  }
  // An advertised feed that cannot be read is worth knowing about even when another was found.
  for (const pipeline::MissedCandidate& missed : discovery.missed)
    if (missed.source == pipeline::FeedCandidate::Source::advertised)
      std::fprintf(stderr, "sluice discover: advertised but not read: %s: %s\n", missed.url.c_str(),
                   missed.reason.c_str());
  return 0;
}

}  // namespace

Subcommand add_discover_command(CLI::App& app) {
  auto options = std::make_shared<DiscoverOptions>();
  CLI::App* command = app.add_subcommand(
      "discover", "Find the feeds behind a web page: those it advertises, then the usual paths; best first");
  command->add_option("url", options->url, "The page (a site's home page, a blog's address)")->required();
  command->add_flag("--allow-private", options->allow_private,
                    "Follow the page's links to private and loopback addresses on other servers too");
  return {command, [options] { return discover(*options); }};
}

}  // namespace sluice::daemon
