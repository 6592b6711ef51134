// `sluice parse`: one feed document (a file or a URL) → the feed JSON on stdout; `--batch` reads
// one request per line on stdin ({"file", "url", "headers"}) and answers one JSON line each.
#include <strings.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "daemon/commands/commands.h"
#include "daemon/commands/document_source.h"
#include "feeds/parse/feed_json.h"
#include "feeds/parse/feed_parser.h"
#include "feeds/urls.h"

namespace sluice::daemon {
namespace {

struct ParseOptions {
  std::string source;        // a file path, or an http(s) URL to fetch
  std::string url;           // the document's URL (base for relative links); "" = not given
  std::string content_type;  // its Content-Type (charset); "" = not given
  bool batch = false;
};


// The feed JSON for one request, and whether it is a feed.
std::pair<std::string, bool> parse_one(const std::string& source, const std::string& url,
                                       const std::string& content_type, const std::string& content_location = "") {
  auto document = read_document(source);
  if (!document) return {feeds::feed_error_json(document.error()), false};
  if (!url.empty()) document->url = url;
  // Content-Location names where the document really lives: the base for its relative links.
  if (!content_location.empty()) {
    const std::string location = feeds::resolve_url(document->url, content_location);
    if (!location.empty()) document->url = location;
  }
  if (!content_type.empty()) document->content_type = content_type;
  const auto parsed = feeds::parse_feed(std::move(document->body), document->url, document->content_type);
  if (!parsed) return {feeds::feed_error_json(parsed.error().reason), false};
  return {feeds::feed_json(*parsed), true};
}

std::string header(const nlohmann::json& headers, const char* name) {
  if (!headers.is_object()) return "";
  for (const auto& [key, value] : headers.items())
    if (strcasecmp(key.c_str(), name) == 0 && value.is_string()) return value.get<std::string>();
  return "";
}

int run_batch() {
  std::string line;
  while (std::getline(std::cin, line)) {
    std::string out;
    try {
      const auto request = nlohmann::json::parse(line);
      const std::string url = request.value("url", nlohmann::json()).is_string() ? request["url"].get<std::string>() : "";
      const nlohmann::json headers = request.value("headers", nlohmann::json());
      out = parse_one(request.at("file").get<std::string>(), url, header(headers, "Content-Type"),
                      header(headers, "Content-Location"))
                .first;
    } catch (const std::exception& e) {
      out = feeds::feed_error_json(std::string("bad request line: ") + e.what());
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
  }
  return 0;
}


int run_parse(const ParseOptions& options) {
  if (options.batch) return run_batch();
  const auto [json, is_feed] = parse_one(options.source, options.url, options.content_type);
  std::fwrite(json.data(), 1, json.size(), stdout);
  std::fputc('\n', stdout);
  if (!is_feed) {
    const auto reason = nlohmann::json::parse(json)["bozo_exception"].get<std::string>();
    std::fprintf(stderr, "sluice parse: %s\n", reason.c_str());
    return 1;
  }
  return 0;
}

}  // namespace

Subcommand add_parse_command(CLI::App& app) {
  auto options = std::make_shared<ParseOptions>();
  auto* parse = app.add_subcommand("parse", "Parse one feed document (file or URL) and print the feed JSON");
  parse->add_option("source", options->source, "Feed file or http(s) URL");
  parse->add_option("--url", options->url, "The document's URL, the base for relative links (empty: none)");
  parse->add_option("--content-type", options->content_type, "The document's Content-Type (empty: none)");
  parse->add_flag("--batch", options->batch,
                  "Read requests {\"file\",\"url\",\"headers\"} from stdin, one per line; answer one JSON per line");
  return {parse, [options] {
            if (!options->batch && options->source.empty()) {
              std::fprintf(stderr, "sluice parse: give a FILE or URL, or --batch\n");
              return kUsageError;
            }
            return run_parse(*options);
          }};
}

}  // namespace sluice::daemon
