// `sluice parse`: one feed document (a file or a URL) → the feed JSON on stdout; `--header` gives
// the response headers the daemon would have seen (Content-Type, Content-Location,
// Content-Language), so a saved document parses as the daemon parsed it. `--batch` reads one
// request per line on stdin ({"file", "url", "headers"}) and answers one JSON line each.
#include <strings.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/commands/commands.h"
#include "daemon/commands/document_source.h"
#include "feeds/parse/feed_json.h"
#include "feeds/parse/feed_parser.h"
#include "feeds/text.h"

namespace sluice::daemon {
namespace {

// The response headers that change how a document reads (feeds::Served).
struct Headers {
  std::string content_type, content_location, content_language;

  // Takes "Name: value"; false for a header parse does not use or a line that is not one.
  bool add(std::string_view name, std::string value) {
    std::string* slot = strcasecmp(std::string(name).c_str(), "Content-Type") == 0       ? &content_type
                        : strcasecmp(std::string(name).c_str(), "Content-Location") == 0 ? &content_location
                        : strcasecmp(std::string(name).c_str(), "Content-Language") == 0 ? &content_language
                                                                                         : nullptr;
    if (!slot) return false;
    *slot = std::move(value);
    return true;
  }
};

struct ParseOptions {
  std::string source;  // a file path, or an http(s) URL to fetch
  std::string url;     // the document's URL (base for relative links); "" = not given
  std::string content_type;  // --content-type, the same as --header 'Content-Type: ...'
  std::vector<std::string> header_lines;
  bool batch = false;
};

// The feed JSON for one request, and whether it is a feed. Headers given override the fetched ones.
std::pair<std::string, bool> parse_one(const std::string& source, const std::string& url, const Headers& given) {
  auto document = read_document(source);
  if (!document) return {feeds::feed_error_json(document.error()), false};
  if (!url.empty()) document->url = url;
  if (!given.content_type.empty()) document->content_type = given.content_type;
  const feeds::Served served{document->url, document->content_type, given.content_location, given.content_language};
  const auto parsed = feeds::parse_feed(std::move(document->body), served);
  if (!parsed) return {feeds::feed_error_json(parsed.error().reason), false};
  return {feeds::feed_json(*parsed), true};
}

Headers headers_of(const nlohmann::json& object) {
  Headers headers;
  if (!object.is_object()) return headers;
  for (const auto& [key, value] : object.items())
    if (value.is_string()) headers.add(key, value.get<std::string>());
  return headers;
}

int run_batch() {
  std::string line;
  while (std::getline(std::cin, line)) {
    std::string out;
    try {
      const auto request = nlohmann::json::parse(line);
      const std::string url = request.value("url", nlohmann::json()).is_string() ? request["url"].get<std::string>() : "";
      out = parse_one(request.at("file").get<std::string>(), url, headers_of(request.value("headers", nlohmann::json())))
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
  Headers headers;
  for (const std::string& line : options.header_lines) {
    const std::size_t colon = line.find(':');
    const bool known = colon != std::string::npos &&
                       headers.add(feeds::trim_view(std::string_view(line).substr(0, colon)),
                                   std::string(feeds::trim_view(std::string_view(line).substr(colon + 1))));
    if (!known) {
      std::fprintf(stderr, "sluice parse: --header '%s': give 'Content-Type: ...', 'Content-Location: ...' or "
                   "'Content-Language: ...' (the headers that change how a feed reads)\n", line.c_str());
      return kUsageError;
    }
  }
  if (!options.content_type.empty()) headers.content_type = options.content_type;
  const auto [json, is_feed] = parse_one(options.source, options.url, headers);
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
  parse->add_option("--header", options->header_lines,
                    "A response header the daemon would have seen, 'Name: value' (Content-Type, Content-Location, "
                    "Content-Language); repeatable")
      ->allow_extra_args(false);
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
