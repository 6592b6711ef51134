// `sluice extract`: one web page (file, URL or "-") through the cleaning stage → the article JSON on
// stdout. `--text` reads scraped plain text instead of HTML. `--batch` reads one request per line on
// stdin ({"file", "url", "text"}) and answers one article JSON (or {"error"}) per line.
#pragma once

#include <string>

namespace sluice::daemon {

struct ExtractOptions {
  std::string source;  // a file path, an http(s) URL to fetch, or "-" for stdin
  std::string url;     // the page's URL (base for links, canonical fallback); "" = not given
  bool text = false;
  bool batch = false;
  bool explain = false;  // print the extractor's decisions to stderr
};

int run_extract(const ExtractOptions& options);

}  // namespace sluice::daemon
