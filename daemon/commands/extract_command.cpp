// `sluice extract`: one web page (file, URL or "-") through the cleaning stage → the article JSON on
// stdout. `--text` reads scraped plain text instead of HTML. `--batch` reads one request per line on
// stdin ({"file"} or {"html"} or {"text"}, with "url") and answers one article JSON (or {"error"})
// per line.
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <expected>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

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
  std::string content;              // --content: the selector of the element holding the article
  std::vector<std::string> remove;  // --remove: selectors of elements dropped first
  config::PageRules rules;          // the two, parsed
};


// Standalone articles are not journaled; they carry the first sequence number of their own stream.
constexpr std::uint64_t kStandaloneSeq = 1;

// Time spent decoding, cleaning and filling in the article (text, HTML, fingerprint): the part a
// benchmark compares with other extractors.
std::chrono::steady_clock::duration cleaning_time{};

// source names the document in messages (a path, a URL, "-", or "request N" for inline batch input).
std::string extract_one(const Document& document, const std::string& source, const std::string& url, bool text,
                        const config::PageRules& rules, std::string* explain = nullptr) {
  const std::string page_url = url.empty() ? document.url : url;
  const auto started = std::chrono::steady_clock::now();
  const feeds::DecodedDocument decoded = feeds::decode_document(document.body, document.content_type);
  const pipeline::CleanedStory story =
      text ? pipeline::clean_text(decoded.text()) : pipeline::clean_page(decoded.text(), page_url, explain, &rules);

  feeds::Article article;
  article.feed_name = "extract";
  article.feed_url = page_url.empty() ? source : page_url;
  if (!story.metadata.site_name.empty()) article.feed_title = story.metadata.site_name;
  article.fetched = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  article.source = feeds::Article::Source::page;
  pipeline::apply_story(story, article);
  cleaning_time += std::chrono::steady_clock::now() - started;
  if (!story.problem.empty()) std::fprintf(stderr, "sluice extract: %s: %s\n", source.c_str(), story.problem.c_str());
  if (story.content_missed)
    std::fprintf(stderr, "sluice extract: %s: --content '%s' matched nothing; the page was extracted without it\n",
                 source.c_str(), rules.content->text.c_str());
  if (!article.url && !page_url.empty()) article.url = page_url;
  article.id = pipeline::article_id(article.feed_name, article.url ? *article.url : article.title + source);
  return pipeline::article_json(article, kStandaloneSeq);
}

void print_line(const std::string& line) {
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fputc('\n', stdout);
}

// One --batch request line, answered with the article JSON or a reason. The document is one of
// "file" (a path or URL to read; "text": true when it holds plain text), "html" (the page itself)
// or "text" (the plain text itself); "url" is the page's URL.
std::expected<std::string, std::string> answer(const std::string& line, std::size_t number, bool text,
                                               const config::PageRules& rules) {
  const nlohmann::json request = nlohmann::json::parse(line, nullptr, false);
  if (!request.is_object()) return std::unexpected("bad request line: not a JSON object");
  const auto string_field = [&request](const char* key) -> std::expected<std::string, std::string> {
    const auto found = request.find(key);
    if (found == request.end()) return std::string();
    if (!found->is_string()) return std::unexpected(std::string("bad request line: \"") + key + "\" is not a string");
    return found->get<std::string>();
  };
  const auto url = string_field("url");
  if (!url) return std::unexpected(url.error());
  const auto text_field = request.find("text");
  const bool inline_text = text_field != request.end() && text_field->is_string();
  if (text_field != request.end() && !inline_text && !text_field->is_boolean())
    return std::unexpected("bad request line: \"text\" is the plain text itself (a string) or says the file holds "
                           "plain text (true)");
  const bool has_file = request.contains("file"), has_html = request.contains("html");
  if (has_file + has_html + inline_text != 1)
    return std::unexpected("bad request line: give one of \"file\", \"html\" or \"text\" (the plain text)");
  const std::string source = "request " + std::to_string(number);
  if (inline_text)
    return extract_one(Document{text_field->get<std::string>(), "", "text/plain"}, source, *url, true, rules);
  if (has_html) {
    const auto html = string_field("html");
    if (!html) return std::unexpected(html.error());
    return extract_one(Document{*html, "", "text/html"}, source, *url, false, rules);
  }
  const auto file = string_field("file");
  if (!file) return std::unexpected(file.error());
  const auto document = read_document(*file);
  if (!document) return std::unexpected(document.error());
  const bool plain = text_field != request.end() ? text_field->get<bool>() : text;
  return extract_one(*document, *file, *url, plain, rules);
}

int run_batch(bool text, const config::PageRules& rules) {
  std::string line;
  std::size_t pages = 0, number = 0;
  while (std::getline(std::cin, line)) {
    const auto result = answer(line, ++number, text, rules);
    if (result) {
      ++pages;
      print_line(*result);
    } else {
      print_line(nlohmann::json{{"error", result.error()}}.dump());
    }
    std::fflush(stdout);
  }
  // Pages per second of decoding and cleaning alone (no file reading, no JSON writing).
  const double seconds = std::chrono::duration<double>(cleaning_time).count();
  if (pages > 0 && seconds > 0)
    std::fprintf(stderr, "sluice extract pages=%zu extract_pages_per_s=%.1f\n", pages, static_cast<double>(pages) / seconds);
  return 0;
}


// The --content and --remove selectors, parsed into options.rules; false after saying what is wrong.
bool parse_rules(ExtractOptions& options) {
  const auto parse = [](const char* flag, const std::string& text) -> std::optional<config::Selector> {
    auto selector = config::parse_selector(text);
    if (!selector) std::fprintf(stderr, "sluice extract: %s '%s': %s\n", flag, text.c_str(), selector.error().c_str());
    return selector ? std::optional(std::move(*selector)) : std::nullopt;
  };
  if (!options.content.empty()) {
    options.rules.content = parse("--content", options.content);
    if (!options.rules.content) return false;
  }
  for (const std::string& text : options.remove) {
    auto selector = parse("--remove", text);
    if (!selector) return false;
    options.rules.remove.push_back(std::move(*selector));
  }
  return true;
}

int run_extract(const ExtractOptions& options) {
  if (options.batch) return run_batch(options.text, options.rules);
  const auto document = read_document(options.source);
  if (!document) {
    std::fprintf(stderr, "sluice extract: %s\n", document.error().c_str());
    return 1;
  }
  std::string explain;
  const std::string article =
      extract_one(*document, options.source, options.url, options.text, options.rules,
                  options.explain ? &explain : nullptr);
  std::fwrite(explain.data(), 1, explain.size(), stderr);
  print_line(article);
  return 0;
}

}  // namespace

Subcommand add_extract_command(CLI::App& app) {
  auto options = std::make_shared<ExtractOptions>();
  auto* extract = app.add_subcommand("extract", "Clean one web page (file, URL or -) and print the article JSON");
  extract->add_option("source", options->source, "HTML file, http(s) URL, or - for stdin");
  extract->add_option("--url", options->url, "The page's URL, the base for relative links (empty: none)");
  extract->add_flag("--text", options->text,
                    "The input is plain text: a paragraph per line, or, hard-wrapped, paragraphs reflowed from its lines");
  extract->add_flag("--explain", options->explain, "Print why each part of the page was kept or dropped (stderr)");
  extract->add_option("--content", options->content,
                      "CSS selector of the element holding the article: extraction starts there (a feed's content:)");
  extract->add_option("--remove", options->remove,
                      "CSS selector of elements dropped before extraction; repeat for more (a feed's remove:)")
      ->allow_extra_args(false);
  extract->add_flag("--batch", options->batch,
                    "Read requests from stdin, one JSON object per line, and answer one article JSON (or "
                    "{\"error\"}) per line. A request names the document by \"file\" (a path or URL; with "
                    "\"text\": true it holds plain text), \"html\" (the page itself) or \"text\" (the plain text "
                    "itself), and may give the page's \"url\"");
  return {extract, [options] {
            if (!options->batch && options->source.empty()) {
              std::fprintf(stderr, "sluice extract: give a FILE, URL or -, or --batch\n");
              return kUsageError;
            }
            if (!parse_rules(*options)) return kUsageError;
            return run_extract(*options);
          }};
}

}  // namespace sluice::daemon
