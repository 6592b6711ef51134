// `sluice parse`: one feed document (a file or a URL) → the feed JSON on stdout; `--batch` reads
// one request per line on stdin ({"file", "url", "headers"}) and answers one JSON line each.
#pragma once

#include <string>

namespace sluice::daemon {

struct ParseOptions {
  std::string source;        // a file path, or an http(s) URL to fetch
  std::string url;           // the document's URL (base for relative links); "" = not given
  std::string content_type;  // its Content-Type (charset); "" = not given
  bool batch = false;
};

int run_parse(const ParseOptions& options);

}  // namespace sluice::daemon
