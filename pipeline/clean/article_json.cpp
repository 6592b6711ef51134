#include "pipeline/clean/article_json.h"

#include <nlohmann/json.hpp>

#include <cstdio>

#include "feeds/dates.h"
#include "pipeline/clean/simhash.h"

namespace sluice::pipeline {
namespace {

using Json = nlohmann::ordered_json;

template <typename T>
Json or_null(const std::optional<T>& value) {
  return value ? Json(*value) : Json(nullptr);
}

Json date_or_null(const std::optional<feeds::Timestamp>& time) {
  return time ? Json(feeds::format_rfc3339(*time)) : Json(nullptr);
}

std::string join_paragraphs(const std::vector<std::string>& paragraphs) {
  std::string text;
  for (const std::string& paragraph : paragraphs) {
    if (!text.empty()) text += "\n\n";
    text += paragraph;
  }
  return text;
}

}  // namespace

std::string article_json(const feeds::Article& article, std::uint64_t seq) {
  Json enclosures = Json::array();
  for (const feeds::Enclosure& enclosure : article.enclosures)
    enclosures.push_back({{"url", enclosure.url},
                          {"type", or_null(enclosure.type)},
                          {"length", or_null(enclosure.length)},
                          {"duration", or_null(enclosure.duration)}});
  char simhash_hex[17];
  std::snprintf(simhash_hex, sizeof simhash_hex, "%016llx", static_cast<unsigned long long>(article.simhash));

  const Json json = {
      {"schema", 1},
      {"seq", seq},
      {"id", article.id},
      {"revision", article.revision},
      {"feed", {{"name", article.feed_name}, {"url", article.feed_url}, {"title", or_null(article.feed_title)}}},
      {"url", or_null(article.url)},
      {"guid", or_null(article.guid)},
      {"title", article.title},
      {"authors", article.authors},
      {"published", date_or_null(article.published)},
      {"updated", date_or_null(article.updated)},
      {"fetched", feeds::format_rfc3339(article.fetched)},
      {"language", or_null(article.language)},
      {"tags", article.tags},
      {"summary", article.summary},
      {"text", join_paragraphs(article.paragraphs)},
      {"html", article.html},
      {"enclosures", std::move(enclosures)},
      {"image", or_null(article.image)},
      {"word_count", count_words(article.paragraphs)},
      {"simhash", simhash_hex},
      {"source", article.source == feeds::Article::Source::page ? "page" : "feed"},
  };
  // Invalid UTF-8 from a mis-declared feed is replaced, never a reason to lose the article.
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

namespace {

// How every article JSON starts ("schema" and "seq" come first, in the schema's order).
constexpr std::string_view kUnnumbered = R"({"schema":1,"seq":0,)";

}  // namespace

PreparedArticle prepare_article(const feeds::Article& article) {
  PreparedArticle prepared{article.id, article.revision, article.feed_name, article.title, article.url, article.simhash,
                           {},         {},               count_words(article.paragraphs), article_json(article, 0)};
  prepared.sketch = sketch_story(article.paragraphs, &prepared.shingles);
  return prepared;
}

std::array<std::string_view, 3> numbered_json_pieces(std::string_view json, std::string_view digits) {
  if (!json.starts_with(kUnnumbered)) return {json, {}, {}};  // not from article_json: left as it is
  return {json.substr(0, kUnnumbered.size() - 2), digits, json.substr(kUnnumbered.size() - 1)};
}

std::string numbered_json(std::string_view json, std::uint64_t seq) {
  const std::string digits = std::to_string(seq);
  std::string out;
  out.reserve(json.size() + digits.size());
  for (const std::string_view piece : numbered_json_pieces(json, digits)) out.append(piece);
  return out;
}

}  // namespace sluice::pipeline
