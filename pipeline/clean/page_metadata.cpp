#include "pipeline/clean/page_metadata.h"

#include <algorithm>
#include <array>

#include <nlohmann/json.hpp>

#include "feeds/dates.h"
#include "feeds/html/html_text.h"
#include "feeds/text.h"
#include "feeds/urls.h"

namespace sluice::pipeline {
namespace {

using Json = nlohmann::json;

// <meta> values by lower-cased property, name or itemprop; the first one of a key wins.
class MetaTags {
 public:
  explicit MetaTags(const PageDom& dom) {
    for (int i = 0; i < dom.size(); ++i) {
      if (dom[i].tag != GUMBO_TAG_META) continue;
      const std::string_view content = dom.attribute(i, "content");
      if (content.empty()) continue;
      for (const char* key : {"property", "name", "itemprop", "http-equiv"})
        if (const std::string_view value = dom.attribute(i, key); !value.empty())
          entries_.emplace_back(feeds::ascii_lower(value), feeds::trim(content));
    }
  }

  std::string get(std::initializer_list<std::string_view> keys) const {
    for (std::string_view key : keys)
      for (const auto& [name, value] : entries_)
        if (name == key && !value.empty()) return value;
    return {};
  }

  std::vector<std::string> all(std::string_view key) const {
    std::vector<std::string> out;
    for (const auto& [name, value] : entries_)
      if (name == key && !value.empty()) out.push_back(value);
    return out;
  }

 private:
  std::vector<std::pair<std::string, std::string>> entries_;
};

bool is_article_type(const Json& type) {
  static constexpr std::array<std::string_view, 14> kTypes = {
      "article", "newsarticle", "blogposting", "report", "reportagenewsarticle", "analysisnewsarticle",
      "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle", "techarticle", "scholarlyarticle",
      "liveblogposting", "socialmediaposting", "posting"};
  if (type.is_array()) return std::any_of(type.begin(), type.end(), is_article_type);
  if (!type.is_string()) return false;
  const std::string name = feeds::ascii_lower(type.get<std::string>());
  return std::find(kTypes.begin(), kTypes.end(), name) != kTypes.end();
}

// The first schema.org article object in the page's JSON-LD, searching @graph and arrays.
Json find_article(const std::vector<std::string>& blocks) {
  std::vector<const Json*> pending;
  for (const std::string& text : blocks) {
    const Json root = Json::parse(text, nullptr, false);
    if (root.is_discarded()) continue;
    pending = {&root};
    for (std::size_t i = 0; i < pending.size() && i < 256; ++i) {
      const Json& value = *pending[i];
      if (value.is_array()) {
        for (const Json& item : value) pending.push_back(&item);
      } else if (value.is_object()) {
        if (value.contains("@type") && is_article_type(value["@type"])) return value;
        if (auto graph = value.find("@graph"); graph != value.end()) pending.push_back(&*graph);
      }
    }
  }
  return nullptr;
}

std::string plain(std::string_view text) {
  return text.find_first_of("<&") == std::string_view::npos ? feeds::trim(text) : feeds::html_to_text(text);
}

std::string json_string(const Json& object, std::string_view key) {
  if (!object.is_object()) return {};
  const auto found = object.find(key);
  if (found == object.end()) return {};
  if (found->is_string()) return plain(found->get_ref<const std::string&>());
  if (found->is_array() && !found->empty()) {
    const Json& first = found->front();
    if (first.is_string()) return plain(first.get_ref<const std::string&>());
    if (first.is_object()) return json_string(first, "url");
  }
  if (found->is_object()) {
    if (std::string url = json_string(*found, "url"); !url.empty()) return url;
    return json_string(*found, "@id");
  }
  return {};
}

std::vector<std::string> json_authors(const Json& article) {
  std::vector<std::string> out;
  if (!article.is_object() || !article.contains("author")) return out;
  const Json& author = article["author"];
  auto add = [&](const Json& one) {
    std::string name = one.is_string() ? plain(one.get_ref<const std::string&>()) : json_string(one, "name");
    if (!name.empty() && std::find(out.begin(), out.end(), name) == out.end()) out.push_back(std::move(name));
  };
  if (author.is_array())
    for (const Json& one : author) add(one);
  else
    add(author);
  return out;
}

std::optional<feeds::Timestamp> first_date(std::initializer_list<std::string> candidates) {
  for (const std::string& candidate : candidates)
    if (!candidate.empty())
      if (auto date = feeds::parse_date(candidate)) return date;
  return std::nullopt;
}

std::optional<std::string> absolute(std::string_view page_url, std::string_view reference) {
  const std::string trimmed = feeds::trim(reference);
  if (trimmed.empty()) return std::nullopt;
  std::string url = page_url.empty() ? trimmed : feeds::resolve_url(page_url, trimmed);
  if (!url.starts_with("http://") && !url.starts_with("https://")) return std::nullopt;
  return url;
}

int first_element(const PageDom& dom, GumboTag tag, int from) {
  if (from < 0) return -1;
  for (int i = from; i < dom[from].end; ++i)
    if (dom[i].tag == tag && !dom[i].is_text) return i;
  return -1;
}

std::string canonical_link(const PageDom& dom) {
  for (int i = 0; i < dom.size(); ++i)
    if (dom[i].tag == GUMBO_TAG_LINK && feeds::ascii_lower(dom.attribute(i, "rel")) == "canonical")
      return std::string(dom.attribute(i, "href"));
  return {};
}

std::string first_time_element(const PageDom& dom) {
  const int body = dom.body();
  if (body < 0) return {};
  for (int i = body; i < dom[body].end; ++i) {
    if (dom[i].tag != GUMBO_TAG_TIME) continue;
    if (std::string_view value = dom.attribute(i, "datetime"); !value.empty()) return std::string(value);
  }
  return {};
}

}  // namespace

std::string strip_site_name(std::string_view title, std::string_view site_name) {
  static constexpr std::array<std::string_view, 6> kSeparators = {" | ", " - ", " – ", " — ", " · ", " :: "};
  std::string_view best = title;
  for (std::string_view separator : kSeparators) {
    const std::size_t last = title.rfind(separator);
    if (last == std::string_view::npos) continue;
    const std::string_view head = title.substr(0, last);
    const std::string_view tail = title.substr(last + separator.size());
    const std::size_t first = title.find(separator);
    const std::string_view lead = title.substr(0, first);
    const std::string_view rest = title.substr(first + separator.size());
    if (!site_name.empty() && feeds::iequals(feeds::trim_view(lead), site_name)) return feeds::trim(rest);
    if (!site_name.empty() && feeds::iequals(feeds::trim_view(tail), site_name)) return feeds::trim(head);
    // Without a known site name, a short last part after a long first part is taken for one.
    if (tail.size() * 2 < head.size() && head.size() < best.size()) best = head;
  }
  return feeds::trim(best);
}

PageMetadata read_page_metadata(const PageDom& dom, std::string_view page_url) {
  const MetaTags meta(dom);
  const Json article = find_article(dom.json_ld());
  PageMetadata out;

  out.site_name = meta.get({"og:site_name", "application-name"});
  const int title_element = first_element(dom, GUMBO_TAG_TITLE, dom.head() >= 0 ? dom.head() : dom.html());
  const std::string document_title = title_element >= 0 ? dom.text_of(title_element) : std::string();
  const int h1 = first_element(dom, GUMBO_TAG_H1, dom.body());
  out.title = meta.get({"og:title", "twitter:title"});
  if (out.title.empty()) out.title = json_string(article, "headline");
  if (out.title.empty() && h1 >= 0) out.title = dom.text_of(h1);
  if (out.title.empty()) out.title = strip_site_name(document_title, out.site_name);
  out.title = strip_site_name(out.title, out.site_name);

  out.description = meta.get({"og:description", "description", "twitter:description", "dc.description"});
  if (out.description.empty()) out.description = json_string(article, "description");

  std::string canonical = canonical_link(dom);
  if (canonical.empty()) canonical = meta.get({"og:url"});
  if (canonical.empty()) canonical = json_string(article, "url");
  if (auto url = absolute(page_url, canonical)) out.url = feeds::canonical_url(*url);
  else if (auto page = absolute("", page_url)) out.url = feeds::canonical_url(*page);

  out.published = first_date({json_string(article, "datePublished"), meta.get({"article:published_time"}),
                              meta.get({"datepublished", "pubdate", "publishdate", "publish-date",
                                        "dc.date.issued", "dc.date", "dcterms.created", "date", "sailthru.date",
                                        "parsely-pub-date"}),
                              first_time_element(dom)});
  out.updated = first_date({json_string(article, "dateModified"), meta.get({"article:modified_time"}),
                            meta.get({"og:updated_time", "datemodified", "dcterms.modified", "last-modified"})});

  out.authors = json_authors(article);
  if (out.authors.empty())
    for (const std::string& name : meta.all("author"))
      if (name.find("://") == std::string::npos) out.authors.push_back(plain(name));
  if (out.authors.empty())
    for (const std::string& name : meta.all("article:author"))
      if (name.find("://") == std::string::npos) out.authors.push_back(plain(name));

  std::string language = dom.html() >= 0 ? feeds::trim(dom.attribute(dom.html(), "lang")) : std::string();
  if (language.empty()) language = meta.get({"content-language", "og:locale", "language", "dc.language"});
  if (language.empty()) language = json_string(article, "inLanguage");
  std::replace(language.begin(), language.end(), '_', '-');
  if (!language.empty()) out.language = language;

  std::string image = meta.get({"og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src"});
  if (image.empty()) image = json_string(article, "image");
  out.image = absolute(page_url.empty() && out.url ? std::string_view(*out.url) : page_url, image);
  return out;
}

}  // namespace sluice::pipeline
