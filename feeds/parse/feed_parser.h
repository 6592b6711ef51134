// Entry point of parsing: detects the format from the content (never from the URL or the
// Content-Type) and hands the document to that format's parser.
#pragma once

#include <cstddef>
#include <expected>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "feeds/model.h"

namespace sluice::feeds {

struct ParseError {
  std::string reason;  // one line: what the document is and why it cannot be read as a feed
};

// What the server said about a document beside its body: where it came from (after redirects),
// and the response headers that change how it reads. The daemon and `sluice parse --header` pass
// the same, so a saved document parses as the daemon parsed it.
struct Served {
  std::string_view url;               // the base for relative links; may be empty
  std::string_view content_type;      // Content-Type: its charset counts
  std::string_view content_location;  // Content-Location: where the document lives, the base when given
  std::string_view content_language;  // Content-Language: the feed's language when the document names none
};

std::expected<FeedDocument, ParseError> parse_feed(std::string body, const Served& served,
                                                   std::size_t max_entries = std::numeric_limits<std::size_t>::max());

// Parses one feed document. `url` is where it came from (the base for relative links; may be
// empty); `content_type` is the HTTP Content-Type it came with, whose charset counts. A malformed document that still yields a feed is returned with `bozo` set; only a
// document that is not a feed at all is an error. Never throws for bad input.
// The body is taken by value because the XML is parsed in place: callers that can, move it in.
// At most `max_entries` entries are kept (as keep_newest_entries chooses them), and never more
// than twice that many are held while parsing, so a document listing a million items costs the
// memory of `max_entries`; `entries_dropped` counts the others.
std::expected<FeedDocument, ParseError> parse_feed(std::string body, std::string_view url,
                                                   std::string_view content_type = "",
                                                   std::size_t max_entries = std::numeric_limits<std::size_t>::max());

// Keeps at most `most` entries, the newest: by date when every entry has one (published, else
// updated; the document's order breaks ties), else the first ones (feeds list newest first).
// Those kept stay in document order. Returns how many were dropped.
std::size_t keep_newest_entries(std::vector<Entry>& entries, std::size_t most);

// Appends entry to document.entries, trimming them to the newest `most` whenever they reach
// twice that (the dropped ones counted in entries_dropped). For the format readers.
void add_entry(FeedDocument& document, Entry entry, std::size_t most);

}  // namespace sluice::feeds
