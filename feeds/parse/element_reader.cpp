#include "feeds/parse/element_reader.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "feeds/dates.h"
#include "feeds/html/html_sanitizer.h"
#include "feeds/text.h"
#include "feeds/urls.h"
#include "feeds/parse/xml.h"
#include "feeds/parse/xml_repair.h"

namespace sluice::feeds {
namespace {

struct Vocabulary {
  std::string_view uri;
  std::string_view prefix;
};

// Namespaces sluice reads, by the prefix it knows them under; RSS's own are the empty prefix.
constexpr std::array<Vocabulary, 15> kVocabularies{{
    {"", ""},
    {xml::kRss10, ""},
    {xml::kRss090, ""},
    {"http://backend.userland.com/rss2", ""},
    {"http://blogs.law.harvard.edu/tech/rss", ""},
    {xml::kAtom10, "atom"},
    {xml::kAtom03, "atom"},
    {xml::kDublinCore, "dc"},
    {xml::kDcTerms, "dcterms"},
    {xml::kContent, "content"},
    {xml::kMedia, "media"},
    {"http://search.yahoo.com/mrss", "media"},
    {"http://www.itunes.com/dtds/podcast-1.0.dtd", "itunes"},
    {"http://purl.org/rss/1.0/modules/slash/", "slash"},
    {"http://www.w3.org/1999/xhtml", "xhtml"},
}};

std::string content_type_of(std::string_view declared) {
  const std::string type = ascii_lower(trim(declared));
  if (type == "text" || type == "plain") return "text/plain";
  if (type == "html") return "text/html";
  if (type == "xhtml") return "application/xhtml+xml";
  return type;
}

// itunes:duration in seconds: "H:MM:SS", "MM:SS" or seconds, fractions dropped; nullopt when it is
// none of these.
std::optional<std::int64_t> parse_duration(std::string_view text) {
  text = trim_view(text);
  text = text.substr(0, text.find('.'));
  if (text.empty()) return std::nullopt;
  std::int64_t total = 0;
  int parts = 0;
  for (std::size_t start = 0; start <= text.size(); ++parts) {
    const std::size_t end = std::min(text.find(':', start), text.size());
    const std::string_view part = text.substr(start, end - start);
    if (part.empty() || part.size() > 9 || parts >= 3 ||
        !std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return std::nullopt;
    total = total * 60 + std::stoll(std::string(part));
    start = end + 1;
  }
  return total;
}

bool is_html_type(std::string_view type) { return type == "text/html" || type == "application/xhtml+xml"; }

// HTML that holds no markup but is wholly escaped markup: "&lt;p&gt;...&lt;/p&gt;", beginning with
// an element HTML knows and ending with a tag's end. (Text that only mentions a tag is left alone.)
bool escaped_twice(std::string_view html) {
  html = trim_view(html);
  if (html.find('<') != std::string_view::npos || !html.starts_with("&lt;") || !html.ends_with("&gt;")) return false;
  std::size_t end = 4;
  while (end < html.size() && is_ascii_alnum(html[end])) ++end;
  const std::string name = ascii_lower(html.substr(4, end - 4));
  if (name.empty() || !is_acceptable_html_element(name)) return false;
  return html.substr(end).starts_with("&gt;") || html.substr(end).starts_with(" ") || html.substr(end).starts_with("/");
}

// One level of escaping undone: &lt; &gt; &quot; &#39; &apos; and, last, &amp;.
std::string unescape_once(std::string_view html) {
  std::string out;
  out.reserve(html.size());
  static constexpr std::pair<std::string_view, char> kEscapes[] = {
      {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}, {"&apos;", '\''}, {"&amp;", '&'}};
  for (std::size_t i = 0; i < html.size();) {
    bool replaced = false;
    if (html[i] == '&')
      for (const auto& [escape, character] : kEscapes)
        if (html.substr(i).starts_with(escape)) {
          out += character;
          i += escape.size();
          replaced = true;
          break;
        }
    if (!replaced) out += html[i++];
  }
  return out;
}

std::string language_of(pugi::xml_node node) {
  for (pugi::xml_node at = node; at; at = at.parent())
    if (const pugi::xml_attribute lang = at.attribute("xml:lang")) return normalize_language(lang.value());
  return "";
}

std::string decode_base64(std::string_view text) {
  auto value_of = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
  };
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    const int value = value_of(c);
    if (value < 0) continue;
    buffer = (buffer << 6) | static_cast<unsigned>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  return out;
}

// An Atom xhtml construct wraps its markup in one <div>, which is not part of the content.
std::string xhtml_content(pugi::xml_node node) {
  pugi::xml_node only_element;
  int elements = 0;
  bool other_text = false;
  for (pugi::xml_node child : node.children()) {
    if (child.type() == pugi::node_element) {
      ++elements;
      only_element = child;
    } else if ((child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) &&
               !trim(child.value()).empty()) {
      other_text = true;
    }
  }
  if (elements == 1 && !other_text && xml::local_name(only_element) == "div") return xml::xhtml_markup(only_element);
  return xml::xhtml_markup(node);
}

// Whether a nominally plain-text RSS field holds HTML: an end tag or a character reference, and
// only tags and entities that HTML knows.
bool looks_like_html(std::string_view text) {
  bool end_tag = false;
  bool reference = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '<') {
      std::size_t j = i + 1;
      const bool closing = j < text.size() && text[j] == '/';
      if (closing) ++j;
      const std::size_t start = j;
      while (j < text.size() && (std::isalnum(static_cast<unsigned char>(text[j])) || text[j] == '_')) ++j;
      if (j == start) continue;
      if (!is_acceptable_html_element(ascii_lower(text.substr(start, j - start)))) return false;
      end_tag = end_tag || (closing && j < text.size() && text[j] == '>');
    } else if (text[i] == '&') {
      std::size_t j = i + 1;
      const bool numeric = j < text.size() && text[j] == '#';
      if (numeric) ++j;
      const std::size_t start = j;
      while (j < text.size() && (std::isalnum(static_cast<unsigned char>(text[j])) || text[j] == '_')) ++j;
      if (j == start || j >= text.size() || text[j] != ';') continue;
      if (!numeric && html_entity(text.substr(start, j - start)).empty()) return false;
      reference = true;
    }
  }
  return end_tag || reference;
}

void read_date(pugi::xml_node node, std::optional<Timestamp>& date, std::string& raw) {
  raw = xml::text(node);
  date = parse_date(raw);
}

std::optional<std::int64_t> parse_length(std::string_view text) {
  const auto value = parse_integer<std::int64_t>(text);
  if (value && *value < 0) return std::nullopt;
  return value;
}

template <typename T>
void add_tag(T& target, std::string term, std::string scheme = "", std::string label = "") {
  target.tags.push_back(Category{std::move(term), std::move(scheme), std::move(label)});
}

}  // namespace

namespace {

// The key of an element in namespace `uri` (see element_key).
std::string key_in(std::string_view uri, pugi::xml_node node) {
  for (const Vocabulary& vocabulary : kVocabularies) {
    if (!iequals(vocabulary.uri, uri)) continue;
    std::string key(vocabulary.prefix);
    if (!key.empty()) key += ':';
    key += xml::local_name(node);
    return key;
  }
  return "?";
}

bool declares_namespace(pugi::xml_node node) {
  for (pugi::xml_attribute attribute : node.attributes())
    if (std::string_view(attribute.name()).starts_with("xmlns")) return true;
  return false;
}

}  // namespace

std::string element_key(pugi::xml_node node) { return key_in(xml::namespace_uri(node), node); }

Person parse_person(std::string_view text) {
  Person person;
  const std::string value = trim(text);
  // An e-mail address: the word around an '@' that has a dot after it.
  const auto is_address_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' || c == '+';
  };
  std::size_t at = value.find('@');
  while (at != std::string::npos) {
    std::size_t start = at;
    while (start > 0 && is_address_char(value[start - 1])) --start;
    std::size_t end = at + 1;
    while (end < value.size() && is_address_char(value[end])) ++end;
    while (end > at + 1 && value[end - 1] == '.') --end;
    if (start < at && value.find('.', at) < end) {
      person.email = value.substr(start, end - start);
      std::string rest = value.substr(0, start) + value.substr(end);
      for (const char* wrapper : {"()", "<>", "[]"})
        for (std::size_t found; (found = rest.find(wrapper)) != std::string::npos;) rest.erase(found, 2);
      person.name = trim(rest);
      if (person.name.size() >= 2 && ((person.name.front() == '(' && person.name.back() == ')') ||
                                      (person.name.front() == '<' && person.name.back() == '>')))
        person.name = trim(person.name.substr(1, person.name.size() - 2));
      return person;
    }
    at = value.find('@', at + 1);
  }
  person.name = value;
  return person;
}

std::string format_person(const Person& person) {
  if (!person.name.empty() && !person.email.empty()) return person.name + " (" + person.email + ")";
  return person.name.empty() ? person.email : person.name;
}

std::string_view ElementReader::base(pugi::xml_node node) const {
  const pugi::xml_node parent = node.parent();
  if (parent != base_scope_ || base_scope_.empty()) {
    base_scope_ = parent;
    scope_base_ = xml::base_url(parent, url_);
  }
  const pugi::xml_attribute own = node.attribute("xml:base");
  if (!own) return scope_base_;
  base_ = resolve_url(scope_base_, own.value());
  return base_.empty() ? scope_base_ : base_;
}

std::string_view ElementReader::namespace_of(pugi::xml_node node) const {
  if (declares_namespace(node)) return xml::namespace_uri(node);
  const std::string_view name = node.name();
  const std::string_view prefix = name.substr(0, std::min(name.find(':'), name.size()));
  const std::string_view own_prefix = prefix.size() == name.size() ? std::string_view() : prefix;
  if (node.parent() != namespace_scope_ || namespace_scope_.empty()) {
    namespace_scope_ = node.parent();
    prefixes_.clear();
  }
  for (const auto& [known, uri] : prefixes_)
    if (known == own_prefix) return uri;
  const std::string_view uri = xml::namespace_uri(node);
  prefixes_.emplace_back(own_prefix, uri);
  return uri;
}

std::string ElementReader::resolved(pugi::xml_node node) const {
  const std::string text = xml::text(node);
  const std::string absolute = resolve_url(base(node), text);
  return absolute.empty() ? text : absolute;
}

std::string ElementReader::key_of(pugi::xml_node node) const {
  const std::string_view uri = namespace_of(node);
  if (uri == native_namespace_) return (atom_ ? "atom:" : "") + std::string(xml::local_name(node));
  return key_in(uri, node);
}

Text ElementReader::read_text(pugi::xml_node node, std::string_view default_type) const {
  Text text;
  const std::string_view declared = node.attribute("type").value();
  text.type = content_type_of(declared.empty() ? default_type : declared);
  const std::string_view mode = node.attribute("mode").value();
  const bool xml_mode = mode == "xml" || text.type == "application/xhtml+xml";
  const bool base64 = mode == "base64" || (atom_ && !declared.empty() && !text.type.starts_with("text/") &&
                                           !xml_mode && text.type.find("xml") == std::string::npos &&
                                           text.type.find("html") == std::string::npos);
  // Atom 1.0 wraps xhtml in a <div> that is not part of the content; older formats do not.
  const bool unwrap = atom_ && native_namespace_ == xml::kAtom10;
  std::string storage;
  std::string_view raw = xml_mode ? std::string_view(storage = unwrap ? xhtml_content(node) : xml::xhtml_markup(node))
                                  : xml::html_view(node, storage);
  raw = trim_view(raw);
  if (base64) raw = storage = decode_base64(raw);
  if (!atom_ && text.type == "text/plain" && looks_like_html(raw)) text.type = "text/html";
  if (is_html_type(text.type) && escaped_twice(raw)) {
    // What a reader would see is the markup itself: the publisher escaped it twice.
    raw = storage = unescape_once(raw);
    if (problem_.empty()) problem_ = "HTML escaped twice; decoded once more";
  }
  if (is_html_type(text.type)) {
    text.value = sanitize_html(raw, base(node));
    trim_in_place(text.value);
  } else {
    text.value = raw;
  }
  text.language = language_of(node);
  return text;
}

Link ElementReader::read_link(pugi::xml_node node) const {
  Link link;
  link.rel = node.attribute("rel").value();
  if (link.rel.empty()) link.rel = "alternate";
  link.type = node.attribute("type").value();
  link.title = node.attribute("title").value();
  link.length = parse_length(node.attribute("length").value());
  // Some Atom 0.3 feeds put the address in the element's text instead of href.
  const std::string href = node.attribute("href") ? trim(node.attribute("href").value()) : xml::text(node);
  link.href = resolve_url(base(node), href);
  if (link.href.empty()) link.href = href;
  return link;
}

Person ElementReader::read_person(pugi::xml_node node) const {
  bool structured = false;
  Person person;
  for (pugi::xml_node child : node.children()) {
    if (child.type() != pugi::node_element) continue;
    structured = true;
    const std::string_view name = xml::local_name(child);
    if (name == "name") person.name = xml::text(child);
    else if (name == "email") person.email = xml::text(child);
    else if (name == "uri" || name == "url") person.href = resolve_url(base(child), xml::text(child));
  }
  return structured ? person : parse_person(xml::text(node));
}

template <typename Target>
bool ElementReader::read_common(std::string_view key, pugi::xml_node node, Target& target, Held& held) const {
  // The single-valued fields: the source the precedence table ranks best, whatever the order.
  const auto date_of = [&](std::optional<Timestamp>& date, std::string& raw) {
    std::optional<Timestamp> read;
    std::string text;
    read_date(node, read, text);
    date = read;
    raw = std::move(text);
  };
  if (source_rank(Field::title, key) >= 0) {
    if (held.take(Field::title, key)) target.title = read_text(node, "text/plain");
  } else if (source_rank(Field::published, key) >= 0) {
    if (held.take(Field::published, key)) date_of(target.published, target.published_raw);
  } else if (source_rank(Field::updated, key) >= 0) {
    if (held.take(Field::updated, key)) date_of(target.updated, target.updated_raw);
  } else if (source_rank(Field::language, key) >= 0) {
    // As written (trimmed): feed readers keep the element's text; xml:lang is the one normalized.
    if (held.take(Field::language, key)) target.language = xml::text(node);
  } else if (source_rank(Field::rights, key) >= 0) {
    if (held.take(Field::rights, key)) target.rights = read_text(node, "text/plain");
  } else if (key == "link") {
    // <link>URL</link>, or the Atom-style <link href="URL"/> some RSS feeds write without a prefix.
    const std::string href = node.attribute("href") ? trim(node.attribute("href").value()) : xml::text(node);
    if (href.empty()) return true;
    const std::string resolved = resolve_url(base(node), href);
    const std::string& link = resolved.empty() ? href : resolved;
    target.link = link;  // of several, the last: as feedparser and gofeed read them
    target.links.push_back(Link{link, "alternate", "text/html", "", std::nullopt});
  } else if (key == "atom:link") {
    Link link = read_link(node);
    // Of several alternates, the last HTML one (a type-less one is HTML); another kind only when
    // there is nothing better.
    const bool html = link.type.empty() || link.type == "text/html" || link.type == "application/xhtml+xml";
    if (link.rel == "alternate" && (html || target.link.empty())) target.link = link.href;
    target.links.push_back(std::move(link));
  } else if (key == "author" || key == "atom:author" || key == "dc:creator" || key == "dc:author" ||
             key == "itunes:author" || key == "managingEditor") {
    Person person = read_person(node);
    const bool known = std::any_of(target.authors.begin(), target.authors.end(), [&](const Person& p) {
      return p.name == person.name && p.email == person.email;
    });
    if (!person.empty() && !known) target.authors.push_back(std::move(person));
  } else if (key == "atom:contributor" || key == "dc:contributor") {
    if (Person person = read_person(node); !person.empty()) target.contributors.push_back(std::move(person));
  } else if (key == "category") {
    add_tag(target, xml::text(node), node.attribute("domain").value());
  } else if (key == "atom:category") {
    std::string term = node.attribute("term").value();
    if (term.empty()) term = xml::text(node);
    add_tag(target, std::move(term), node.attribute("scheme").value(), node.attribute("label").value());
  } else if (key == "dc:subject") {
    add_tag(target, xml::text(node));
  } else if (key == "itunes:keywords") {
    const std::string keywords = xml::text(node);
    std::size_t start = 0;
    while (start < keywords.size()) {
      const std::size_t end = std::min(keywords.find(',', start), keywords.size());
      std::string term = trim(std::string_view(keywords).substr(start, end - start));
      const bool known = std::any_of(target.tags.begin(), target.tags.end(), [&](const Category& c) { return c.term == term; });
      if (!term.empty() && !known) add_tag(target, std::move(term), "http://www.itunes.com/");
      start = end + 1;
    }
  } else if (key == "itunes:category") {
    for (pugi::xml_node category = node; category; category = xml::child(category, xml::namespace_uri(node), "category"))
      if (std::string term = category.attribute("text").value(); !term.empty())
        add_tag(target, std::move(term), "http://www.itunes.com/");
  } else if (key == "media:category") {
    const std::string_view scheme = node.attribute("scheme").value();
    add_tag(target, xml::text(node), scheme.empty() ? "http://search.yahoo.com/mrss/category_schema" : std::string(scheme),
            node.attribute("label").value());
  } else {
    return false;
  }
  return true;
}

void ElementReader::read_feed(pugi::xml_node channel, FeedInfo& feed) const {
  Person webmaster;
  Held held;
  for (pugi::xml_node child : channel.children()) {
    if (child.type() != pugi::node_element) continue;
    const std::string key_text = key_of(child);
    const std::string_view key = key_text;  // compared by size first
    if (key == "item" || key == "atom:entry") continue;
    if (read_common(key, child, feed, held)) continue;
    if (source_rank(Field::subtitle, key) >= 0) {
      if (held.take(Field::subtitle, key))
        feed.subtitle = read_text(child, key == "description" ? "text/html" : "text/plain");
    } else if (source_rank(Field::id, key) >= 0) {
      if (held.take(Field::id, key)) feed.id = resolved(child);
    } else if (key == "ttl") {
      if (const auto minutes = parse_length(xml::text(child)); minutes && *minutes <= 60 * 24 * 30)
        feed.ttl = std::chrono::minutes(*minutes);
    } else if (key == "webMaster") {
      webmaster = read_person(child);
    } else if (key == "generator" || key == "atom:generator") {
      feed.generator = xml::text(child);
    } else if (key == "itunes:image") {
      if (!feed.image) feed.image = Image{resolve_url(base(child), trim(child.attribute("href").value())), "", ""};
    } else if (key == "image") {
      Image image;
      for (pugi::xml_node part : child.children()) {
        const std::string_view name = xml::local_name(part);
        if (name == "url") image.href = resolve_url(base(part), xml::text(part));
        else if (name == "title") image.title = xml::text(part);
        else if (name == "link") image.link = resolve_url(base(part), xml::text(part));
      }
      feed.image = std::move(image);
    }
  }
  if (feed.language.empty()) feed.language = language_of(channel);
  // The webmaster answers for a feed that names no editor or author.
  if (feed.authors.empty() && !webmaster.empty()) feed.authors.push_back(std::move(webmaster));
}

namespace {

// What an entry's links and enclosures say of its media: Atom enclosure links are enclosures,
// the item's duration is its audio's or video's, and an image enclosure is its image when it has
// none.
void finish_media(Entry& entry) {
  for (const Link& link : entry.links)
    if (link.rel == "enclosure" && !link.href.empty())
      entry.enclosures.push_back(Enclosure{link.href, link.type.empty() ? std::nullopt : std::optional(link.type),
                                           link.length, std::nullopt});
  if (entry.duration)
    for (Enclosure& enclosure : entry.enclosures)
      if (!enclosure.type || enclosure.type->starts_with("audio/") || enclosure.type->starts_with("video/"))
        enclosure.duration = entry.duration;
  if (entry.image.empty())
    for (const Enclosure& enclosure : entry.enclosures)
      if (enclosure.type && enclosure.type->starts_with("image/")) {
        entry.image = enclosure.url;
        break;
      }
}

}  // namespace

Entry ElementReader::read_entry(pugi::xml_node item) const {
  Entry entry;
  bool guid_is_link = false;
  std::optional<Text> description;
  std::optional<Text> media_description;
  Held held;
  const int description_rank = source_rank(Field::summary, "description");
  for (pugi::xml_node child : item.children()) {
    if (child.type() != pugi::node_element) continue;
    const std::string key_text = key_of(child);
    const std::string_view key = key_text;  // compared by size first
    if (read_common(key, child, entry, held)) continue;
    const int summary_rank = source_rank(Field::summary, key);
    if (source_rank(Field::id, key) >= 0) {
      if (!held.take(Field::id, key)) continue;
      guid_is_link = false;
      if (key == "guid") {
        guid_is_link = ascii_lower(child.attribute("isPermaLink").value()) != "false";
        entry.id = guid_is_link ? resolved(child) : xml::text(child);
      } else {
        entry.id = resolved(child);
      }
    } else if (summary_rank == description_rank) {
      // description and dc:description: the summary, or the content when a better summary comes.
      if (!description || key == "description") description = read_text(child, "text/html");
    } else if (summary_rank > description_rank) {
      if (!media_description) media_description = read_text(child, "text/plain");
    } else if (summary_rank >= 0) {
      if (held.take(Field::summary, key))
        entry.summary = read_text(child, key == "summary" ? "text/html" : "text/plain");
    } else if (key == "atom:content") {
      if (!child.attribute("src")) entry.content.push_back(read_text(child, "text/plain"));
    } else if (key == "content:encoded" || key == "body" || key == "xhtml:body" || key == "fullitem") {
      entry.content.push_back(read_text(child, key == "xhtml:body" ? "application/xhtml+xml" : "text/html"));
    } else if (key == "itunes:duration") {
      entry.duration_raw = xml::text(child);
      entry.duration = parse_duration(entry.duration_raw);
    } else if (key == "slash:comments") {
      entry.comment_count = xml::text(child);
    } else if (key == "comments") {
      entry.comments = resolve_url(base(child), xml::text(child));
    } else if (key == "enclosure") {
      Enclosure enclosure;
      enclosure.url = resolve_url(base(child), trim(child.attribute("url").value()));
      if (const pugi::xml_attribute type = child.attribute("type")) enclosure.type = type.value();
      enclosure.length = parse_length(child.attribute("length").value());
      if (!enclosure.url.empty()) entry.enclosures.push_back(std::move(enclosure));
    } else if (key == "itunes:image") {
      if (entry.image.empty()) entry.image = resolve_url(base(child), trim(child.attribute("href").value()));
    } else if (key == "media:thumbnail" || key == "media:content") {
      const std::string_view medium = child.attribute("medium").value();
      const bool image = key == "media:thumbnail" || medium == "image" ||
                         std::string_view(child.attribute("type").value()).starts_with("image/");
      if (image && entry.image.empty()) entry.image = resolve_url(base(child), child.attribute("url").value());
    }
  }
  if (description) {
    // A description is the summary, unless the item has a summary of its own: then it is the body.
    if (!entry.summary) entry.summary = std::move(description);
    else if (entry.content.empty()) entry.content.push_back(std::move(*description));
  }
  if (!entry.summary && entry.content.empty() && media_description) entry.summary = std::move(media_description);
  if (entry.id.empty())
    if (const pugi::xml_attribute about = item.attribute("rdf:about")) entry.id = about.value();
  if (!entry.summary && !entry.content.empty()) entry.summary = entry.content.front();
  finish_media(entry);
  if (entry.link.empty() && guid_is_link && !entry.id.empty()) {
    entry.link = resolve_url(base(item), entry.id);
    if (!entry.link.empty()) entry.links.push_back(Link{entry.link, "alternate", "text/html", "", std::nullopt});
  }
  if (entry.language.empty()) entry.language = language_of(item);
  return entry;
}

}  // namespace sluice::feeds
