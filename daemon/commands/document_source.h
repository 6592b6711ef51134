// Where the one-shot commands (`sluice parse`, `sluice extract`) read a document from: a file, an
// http(s) URL fetched once through the daemon's fetcher, or "-" for stdin.
#pragma once

#include <expected>
#include <string>

#include "feeds/fetch/http_fetcher.h"

namespace sluice::daemon {

struct Document {
  std::string body;
  std::string url;           // where it was fetched from, after redirects; "" for files
  std::string content_type;  // from the response; "" for files
};

// One request through the daemon's fetcher (its SSRF guard, size cap and timeout), waited for.
feeds::FetchResult fetch_once(const feeds::FetchRequest& request);

// The document, or a one-line reason naming the source.
std::expected<Document, std::string> read_document(const std::string& source);

}  // namespace sluice::daemon
