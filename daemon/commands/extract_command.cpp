// `sluice extract`: one web page (file, URL or "-") through the cleaning stage → the article JSON on
// stdout. `--text` reads scraped plain text instead of HTML. `--batch` reads one request per line on
// stdin ({"file", "url", "text"}) and answers one article JSON (or {"error"}) per line.
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "daemon/commands/commands.h"
#include "daemon/commands/document_source.h"
#include "feeds/parse/encoding.h"
#include "pipeline/clean/article_builder.h"
#include "pipeline/clean/article_json.h"
#include "pipeline/clean/cleaner.h"

namespace sluice::daemon {
namespace {

struct ExtractOptions {
  std::string source;  // a file path, an http(s) URL to fetch, or "-" for stdin
  std::string url;     // the page's URL (base for links, canonical fallback); "" = not given
  bool text = false;
  bool batch = false;
  bool explain = false;  // print the extractor's decisions to stderr
};


// Standalone articles are not journaled; they carry the first sequence number of their own stream.
constexpr std::uint64_t kStandaloneSeq = 1;

// Time spent decoding, cleaning and filling in the article (text, HTML, fingerprint): the part a
// benchmark compares with other extractors.
std::chrono::steady_clock::duration cleaning_time{};

std::expected<std::string, std::string> extract_one(const std::string& source, const std::string& url, bool text,
                                                    std::string* explain = nullptr) {
  auto document = read_document(source);
  if (!document) return std::unexpected(document.error());
  const std::string page_url = url.empty() ? document->url : url;
  const auto started = std::chrono::steady_clock::now();
  const feeds::DecodedDocument decoded = feeds::decode_document(document->body, document->content_type);
  const pipeline::CleanedStory story =
      text ? pipeline::clean_text(decoded.text()) : pipeline::clean_page(decoded.text(), page_url, explain);

  feeds::Article article;
  article.feed_name = "extract";
  article.feed_url = page_url.empty() ? source : page_url;
  if (!story.metadata.site_name.empty()) article.feed_title = story.metadata.site_name;
  article.fetched = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  article.source = feeds::Article::Source::page;
  pipeline::apply_story(story, article);
  cleaning_time += std::chrono::steady_clock::now() - started;
  if (!story.problem.empty()) std::fprintf(stderr, "sluice extract: %s: %s\n", source.c_str(), story.problem.c_str());
  if (!article.url && !page_url.empty()) article.url = page_url;
  article.id = pipeline::article_id(article.feed_name, article.url ? *article.url : article.title + source);
  return pipeline::article_json(article, kStandaloneSeq);
}

void print_line(const std::string& line) {
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fputc('\n', stdout);
}

int run_batch(bool text) {
  std::string line;
  std::size_t pages = 0;
  while (std::getline(std::cin, line)) {
    nlohmann::json error;
    try {
      const auto request = nlohmann::json::parse(line);
      const auto url = request.value("url", std::string());
      auto result = extract_one(request.at("file").get<std::string>(), url, request.value("text", text));
      ++pages;
      if (result) {
        print_line(*result);
        std::fflush(stdout);
        continue;
      }
      error["error"] = result.error();
    } catch (const std::exception& e) {
      error["error"] = std::string("bad request line: ") + e.what();
    }
    print_line(error.dump());
    std::fflush(stdout);
  }
  // Pages per second of decoding and cleaning alone (no file reading, no JSON writing).
  const double seconds = std::chrono::duration<double>(cleaning_time).count();
  if (pages > 0 && seconds > 0)
    std::fprintf(stderr, "sluice extract pages=%zu extract_pages_per_s=%.1f\n", pages, static_cast<double>(pages) / seconds);
  return 0;
}


int run_extract(const ExtractOptions& options) {
  if (options.batch) return run_batch(options.text);
  std::string explain;
  const auto result = extract_one(options.source, options.url, options.text, options.explain ? &explain : nullptr);
  std::fwrite(explain.data(), 1, explain.size(), stderr);
  if (!result) {
    std::fprintf(stderr, "sluice extract: %s\n", result.error().c_str());
    return 1;
  }
  print_line(*result);
  return 0;
}

}  // namespace

Subcommand add_extract_command(CLI::App& app) {
  auto options = std::make_shared<ExtractOptions>();
  auto* extract = app.add_subcommand("extract", "Clean one web page (file, URL or -) and print the article JSON");
  extract->add_option("source", options->source, "HTML file, http(s) URL, or - for stdin");
  extract->add_option("--url", options->url, "The page's URL, the base for relative links (empty: none)");
  extract->add_flag("--text", options->text,
                    "The input is plain text: a paragraph per line (blank-line paragraphs when hard-wrapped)");
  extract->add_flag("--explain", options->explain, "Print why each part of the page was kept or dropped (stderr)");
  extract->add_flag("--batch", options->batch,
                    "Read requests {\"file\",\"url\",\"text\"} from stdin, one per line; answer one JSON per line");
  return {extract, [options] {
            if (!options->batch && options->source.empty()) {
              std::fprintf(stderr, "sluice extract: give a FILE, URL or -, or --batch\n");
              return kUsageError;
            }
            return run_extract(*options);
          }};
}

}  // namespace sluice::daemon
