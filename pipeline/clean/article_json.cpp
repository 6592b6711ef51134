#include "pipeline/clean/article_json.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cstdio>
#include <cstring>

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

// Well-formed UTF-8: no stray continuation bytes, overlong forms, surrogates or code points past
// U+10FFFF (what nlohmann's decoder accepts).
bool valid_utf8(std::string_view text) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t size = text.size();
  for (std::size_t i = 0; i < size;) {
    // Eight ASCII bytes at a time.
    if (i + 8 <= size) {
      std::uint64_t word;
      std::memcpy(&word, bytes + i, 8);
      if ((word & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    const unsigned char lead = bytes[i];
    if (lead < 0x80) {
      ++i;
      continue;
    }
    std::size_t length = 0;
    unsigned char low = 0x80, high = 0xBF;  // the second byte's range
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) low = 0xA0;
      if (lead == 0xED) high = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) low = 0x90;
      if (lead == 0xF4) high = 0x8F;
    } else {
      return false;
    }
    if (i + length > size || bytes[i + 1] < low || bytes[i + 1] > high) return false;
    for (std::size_t k = 2; k < length; ++k)
      if (bytes[i + k] < 0x80 || bytes[i + k] > 0xBF) return false;
    i += length;
  }
  return true;
}

// Compact JSON as nlohmann's dump() writes it (no spaces; only ", \ and control characters
// escaped, those without a short form as \u00xx); `valid` turns false at a string that is not
// well-formed UTF-8.
class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  bool valid() const noexcept { return valid_; }

  void raw(std::string_view text) { out_ += text; }
  void key(std::string_view name) {
    if (!first_) out_ += ',';
    first_ = false;
    out_ += '"';
    out_ += name;
    out_ += "\":";
  }
  void open_object() {
    out_ += '{';
    first_ = true;
  }
  void close_object() {
    out_ += '}';
    first_ = false;
  }
  void number(std::uint64_t value) {
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
    out_.append(digits, end);
  }
  void signed_number(std::int64_t value) {
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
    out_.append(digits, end);
  }
  void string(std::string_view text) {
    out_ += '"';
    escaped(text);
    out_ += '"';
  }
  // Strings joined by a separator, as one JSON string.
  void joined(const std::vector<std::string>& parts, std::string_view separator) {
    out_ += '"';
    for (std::size_t i = 0; i < parts.size(); ++i) {
      if (i > 0) escaped(separator);
      escaped(parts[i]);
    }
    out_ += '"';
  }
  void string_or_null(const std::optional<std::string>& text) {
    if (text) string(*text);
    else out_ += "null";
  }
  void strings(const std::vector<std::string>& items) {
    out_ += '[';
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (i > 0) out_ += ',';
      string(items[i]);
    }
    out_ += ']';
  }

 private:
  void escaped(std::string_view text) {
    if (!valid_utf8(text)) valid_ = false;
    std::size_t run = 0;  // the start of bytes not yet written
    for (std::size_t i = 0; i < text.size(); ++i) {
      const auto c = static_cast<unsigned char>(text[i]);
      if (c >= 0x20 && c != '"' && c != '\\') continue;
      out_.append(text.data() + run, i - run);
      run = i + 1;
      switch (c) {
        case '"': out_ += "\\\""; break;
        case '\\': out_ += "\\\\"; break;
        case '\b': out_ += "\\b"; break;
        case '\f': out_ += "\\f"; break;
        case '\n': out_ += "\\n"; break;
        case '\r': out_ += "\\r"; break;
        case '\t': out_ += "\\t"; break;
        default: {
          static constexpr char kHex[] = "0123456789abcdef";
          const char code[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
          out_.append(code, sizeof code);
        }
      }
    }
    out_.append(text.data() + run, text.size() - run);
  }

  std::string& out_;
  bool first_ = true;
  bool valid_ = true;
};

// words: the paragraphs' count_words, which the caller may have already.
std::string write_article_json(const feeds::Article& article, std::uint64_t seq, std::size_t words) {
  std::string out;
  std::size_t size = 512 + article.summary.size() + 2 * article.html.size();
  for (const std::string& paragraph : article.paragraphs) size += paragraph.size() + 2;
  out.reserve(size);
  JsonWriter json(out);
  json.open_object();
  json.key("schema");
  json.raw("1");
  json.key("seq");
  json.number(seq);
  json.key("id");
  json.string(article.id);
  json.key("revision");
  json.signed_number(article.revision);
  json.key("feed");
  json.open_object();
  json.key("name");
  json.string(article.feed_name);
  json.key("url");
  json.string(article.feed_url);
  json.key("title");
  json.string_or_null(article.feed_title);
  json.close_object();
  json.key("url");
  json.string_or_null(article.url);
  json.key("guid");
  json.string_or_null(article.guid);
  json.key("title");
  json.string(article.title);
  json.key("authors");
  json.strings(article.authors);
  for (const auto& [name, time] : {std::pair{"published", &article.published}, std::pair{"updated", &article.updated}}) {
    json.key(name);
    if (*time) json.string(feeds::format_rfc3339(**time));
    else json.raw("null");
  }
  json.key("fetched");
  json.string(feeds::format_rfc3339(article.fetched));
  json.key("language");
  json.string_or_null(article.language);
  json.key("tags");
  json.strings(article.tags);
  json.key("summary");
  json.string(article.summary);
  json.key("text");
  json.joined(article.paragraphs, "\n\n");
  json.key("html");
  json.string(article.html);
  json.key("enclosures");
  json.raw("[");
  for (std::size_t i = 0; i < article.enclosures.size(); ++i) {
    const feeds::Enclosure& enclosure = article.enclosures[i];
    if (i > 0) json.raw(",");
    json.open_object();
    json.key("url");
    json.string(enclosure.url);
    json.key("type");
    json.string_or_null(enclosure.type);
    for (const auto& [name, value] : {std::pair{"length", &enclosure.length}, std::pair{"duration", &enclosure.duration}}) {
      json.key(name);
      if (*value) json.signed_number(**value);
      else json.raw("null");
    }
    json.close_object();
  }
  json.raw("]");
  json.key("image");
  json.string_or_null(article.image);
  json.key("word_count");
  json.number(words);
  json.key("simhash");
  char simhash_hex[17];
  std::snprintf(simhash_hex, sizeof simhash_hex, "%016llx", static_cast<unsigned long long>(article.simhash));
  json.string(simhash_hex);
  json.key("source");
  json.string(article.source == feeds::Article::Source::page ? "page" : "feed");
  json.close_object();
  if (!json.valid()) return article_json_generic(article, seq);
  return out;
}

}  // namespace

std::string article_json(const feeds::Article& article, std::uint64_t seq) {
  return write_article_json(article, seq, count_words(article.paragraphs));
}

std::string article_json_generic(const feeds::Article& article, std::uint64_t seq) {
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
  const std::size_t words = count_words(article.paragraphs);
  PreparedArticle prepared{article.id, article.revision, article.feed_name, article.title, article.url, article.simhash,
                           {},         {},               words,           write_article_json(article, 0, words)};
  prepared.sketch = article.word_hashes.empty() ? sketch_story(article.paragraphs, &prepared.shingles)
                                                : sketch_words(article.word_hashes, &prepared.shingles);
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
