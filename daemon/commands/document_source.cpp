#include "daemon/commands/document_source.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include "feeds/fetch/http_fetcher.h"
#include "feeds/urls.h"

namespace sluice::daemon {
namespace {

using namespace std::chrono_literals;

std::expected<Document, std::string> fetch(const std::string& url) {
  feeds::FetchRequest request;
  request.url = url;
  request.user_agent = "sluice/" SLUICE_VERSION;
  feeds::FetchResult result = fetch_once(request);
  if (!result) return std::unexpected(url + ": " + result.error().reason);
  return Document{std::move(result->body), result->effective_url, result->content_type};
}

}  // namespace

feeds::FetchResult fetch_once(const feeds::FetchRequest& request) {
  std::optional<feeds::FetchResult> result;
  feeds::HttpFetcher fetcher([&](std::uint64_t, feeds::FetchResult done) { result = std::move(done); });
  fetcher.start(request);
  while (!result) fetcher.poll(1s);
  return std::move(*result);
}

std::expected<Document, std::string> read_document(const std::string& source) {
  if (feeds::is_http_url(source)) return fetch(source);
  std::ostringstream body;
  if (source == "-") {
    body << std::cin.rdbuf();
    return Document{body.str(), "", ""};
  }
  std::ifstream in(source, std::ios::binary);
  if (!in) return std::unexpected(source + ": cannot open: " + std::strerror(errno));
  body << in.rdbuf();
  if (in.bad()) return std::unexpected(source + ": cannot read: " + std::strerror(errno));
  return Document{body.str(), "", ""};
}

}  // namespace sluice::daemon
