#include "config/opml.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <unordered_map>
#include <unordered_set>

#include <pugixml.hpp>

namespace sluice::config {
namespace {

constexpr std::size_t kNameLength = 60;

Position position_at(std::string_view document, std::ptrdiff_t offset) {
  Position at{1, 1};
  if (offset < 0) return {};
  const std::size_t end = std::min(static_cast<std::size_t>(offset), document.size());
  for (std::size_t i = 0; i < end; ++i) {
    if (document[i] == '\n') {
      ++at.line;
      at.column = 1;
    } else if ((static_cast<unsigned char>(document[i]) & 0xC0) != 0x80) {
      ++at.column;  // a character, not a UTF-8 continuation byte
    }
  }
  return at;
}

// Attribute names are matched without regard to case: exports write xmlUrl, xmlurl and XMLURL.
std::string_view attribute_of(const pugi::xml_node& node, std::string_view name) {
  for (const pugi::xml_attribute& attr : node.attributes()) {
    const std::string_view have = attr.name();
    if (have.size() == name.size() &&
        std::equal(have.begin(), have.end(), name.begin(), [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b)); }))
      return attr.value();
  }
  return {};
}

std::string_view trimmed(std::string_view text) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
}

std::string_view outline_title(const pugi::xml_node& outline) {
  const std::string_view text = trimmed(attribute_of(outline, "text"));
  return text.empty() ? trimmed(attribute_of(outline, "title")) : text;
}

void add_tag(std::vector<std::string>& tags, std::string_view text) {
  std::string tag = name_from(text);
  if (!tag.empty() && std::find(tags.begin(), tags.end(), tag) == tags.end()) tags.push_back(std::move(tag));
}

// "host/path" of an http(s) URL, for a name when the outline has no title.
std::string_view url_words(std::string_view url) {
  const std::size_t scheme = url.find("://");
  if (scheme != std::string_view::npos) url.remove_prefix(scheme + 3);
  if (url.starts_with("www.")) url.remove_prefix(4);
  return url.substr(0, url.find_first_of("?#"));
}

class Reader {
 public:
  Reader(std::string_view document, const std::vector<FeedConfig>& configured) : document_(document) {
    for (const FeedConfig& feed : configured) {
      taken_.insert(feed.name);
      configured_.emplace(feed.url, feed.name);
    }
  }

  void read(const pugi::xml_node& parent, std::vector<std::string>& folders) {
    for (const pugi::xml_node& outline : parent.children()) {
      if (std::string_view(outline.name()) != "outline") continue;
      const std::string_view url = trimmed(attribute_of(outline, "xmlUrl"));
      if (url.empty()) {
        // A folder: its title is a tag of every feed inside it.
        folders.emplace_back(outline_title(outline));
        read(outline, folders);
        folders.pop_back();
        continue;
      }
      add(outline, url, folders);
      read(outline, folders);  // some exports nest items under a feed; any feeds there count too
    }
  }

  OpmlList list;

 private:
  void add(const pugi::xml_node& outline, std::string_view url, const std::vector<std::string>& folders) {
    if (!(url.starts_with("http://") || url.starts_with("https://"))) {
      const Position at = position_at(document_, outline.offset_debug());
      list.notes.push_back("line " + std::to_string(at.line) + ": '" + std::string(url) +
                             "' is not an http or https URL");
      return;
    }
    if (const auto known = configured_.find(std::string(url)); known != configured_.end()) {
      if (seen_urls_.emplace(url, 0).second)
        list.notes.push_back(std::string(url) + " is configured already as '" + known->second + "': not added");
      return;
    }
    if (const auto listed = seen_urls_.find(std::string(url)); listed != seen_urls_.end()) {
      // Listed again, in another folder: one feed, with the tags of both places.
      for (const std::string& folder : folders) add_tag(list.feeds[listed->second].tags, folder);
      add_categories(list.feeds[listed->second], outline);
      return;
    }
    seen_urls_.emplace(url, list.feeds.size());
    OpmlFeed feed;
    feed.url = url;
    feed.title = outline_title(outline);
    feed.site = trimmed(attribute_of(outline, "htmlUrl"));
    for (const std::string& folder : folders) add_tag(feed.tags, folder);
    add_categories(feed, outline);
    feed.name = unique_name(feed.title.empty() ? url_words(url) : std::string_view(feed.title), url);
    list.feeds.push_back(std::move(feed));
  }

  // The `category` attribute: comma-separated paths such as "/programming/rust", each part a tag.
  static void add_categories(OpmlFeed& feed, const pugi::xml_node& outline) {
    std::string_view categories = attribute_of(outline, "category");
    while (!categories.empty()) {
      const std::size_t end = categories.find_first_of(",/");
      add_tag(feed.tags, categories.substr(0, end));
      categories = end == std::string_view::npos ? std::string_view() : categories.substr(end + 1);
    }
  }

  std::string unique_name(std::string_view title, std::string_view url) {
    std::string base = name_from(title);
    if (base.empty()) base = name_from(url_words(url));
    if (base.empty()) base = "feed";
    std::string name = base;
    for (int n = 2; taken_.contains(name); ++n) {
      const std::string suffix = "-" + std::to_string(n);
      name = base.substr(0, kNameLength - suffix.size());
      while (name.ends_with('-')) name.pop_back();
      name += suffix;
    }
    if (name != base) list.notes.push_back("'" + base + "' is taken: " + std::string(url) + " is named '" + name + "'");
    taken_.insert(name);
    return name;
  }

  std::string_view document_;
  std::unordered_set<std::string> taken_;
  std::unordered_map<std::string, std::size_t> seen_urls_;  // URL: index in list.feeds
  std::unordered_map<std::string, std::string> configured_;  // URL: name
};

// A YAML double-quoted scalar.
std::string yaml_quoted(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
      char escape[8];
      std::snprintf(escape, sizeof escape, "\\x%02X", static_cast<unsigned char>(c));
      out += escape;
    } else {
      out += c;
    }
  }
  return out + '"';
}

// Text for a YAML comment: one line, no control characters.
std::string comment_text(std::string_view text) {
  std::string out;
  for (const char c : text) out += static_cast<unsigned char>(c) < 0x20 || c == 0x7F ? ' ' : c;
  return std::string(trimmed(out));
}

struct StringWriter : pugi::xml_writer {
  std::string text;
  void write(const void* data, std::size_t size) override { text.append(static_cast<const char*>(data), size); }
};

std::string rfc822_now() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char text[40];
  std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[utc.tm_wday], utc.tm_mday,
                kMonths[utc.tm_mon], utc.tm_year + 1900, utc.tm_hour, utc.tm_min, utc.tm_sec);
  return text;
}

}  // namespace

std::string name_from(std::string_view text) {
  // Latin letters U+00C0 to U+017F as ASCII: A ae, O oe, I ij, S ss, T th; '-' none (× and ÷).
  static constexpr std::string_view kLatin =
      "aaaaaaAceeeeiiiidnooooo-ouuuuyTSaaaaaaAceeeeiiiidnooooo-ouuuuyTy"
      "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiiIIjjkkklllllll"
      "lllnnnnnnnnnooooooOOrrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";
  std::string name;
  bool dash = false;
  const auto letters = [&](std::string_view add) {
    if (dash && !name.empty()) name += '-';
    dash = false;
    name += add;
  };
  for (std::size_t at = 0; at < text.size() && name.size() < kNameLength;) {
    const auto byte = static_cast<unsigned char>(text[at]);
    if (byte < 0x80) {
      if (std::isalnum(byte)) {
        const char lower = static_cast<char>(std::tolower(byte));
        letters(std::string_view(&lower, 1));
      } else {
        dash = true;
      }
      ++at;
      continue;
    }
    // A two-byte UTF-8 sequence in the Latin range; anything else separates words.
    const bool two = (byte & 0xE0) == 0xC0 && at + 1 < text.size() && (static_cast<unsigned char>(text[at + 1]) & 0xC0) == 0x80;
    const char32_t code = two ? (char32_t{byte & 0x1FU} << 6) | (static_cast<unsigned char>(text[at + 1]) & 0x3FU) : 0;
    if (code >= 0xC0 && code < 0xC0 + kLatin.size() && kLatin[code - 0xC0] != '-') {
      switch (const char folded = kLatin[code - 0xC0]) {
        case 'A': letters("ae"); break;
        case 'O': letters("oe"); break;
        case 'I': letters("ij"); break;
        case 'S': letters("ss"); break;
        case 'T': letters("th"); break;
        default: letters(std::string_view(&folded, 1));
      }
    } else {
      dash = true;
    }
    at += two ? 2 : 1;
  }
  if (name.size() > kNameLength) name.resize(kNameLength);
  while (name.ends_with('-')) name.pop_back();
  return name;
}

OpmlList read_opml(std::string_view document, const std::string& source, const std::vector<FeedConfig>& configured) {
  pugi::xml_document xml;
  const pugi::xml_parse_result parsed = xml.load_buffer(document.data(), document.size());
  if (!parsed)
    throw ConfigError(source, position_at(document, parsed.offset), "opml",
                      std::string("not well-formed XML: ") + parsed.description());
  const pugi::xml_node opml = xml.document_element();
  if (std::string_view(opml.name()) != "opml")
    throw ConfigError(source, position_at(document, opml.offset_debug()), "opml",
                      "the document is <" + std::string(opml.name()) + ">, not <opml>");
  const pugi::xml_node body = opml.child("body");
  if (!body) throw ConfigError(source, position_at(document, opml.offset_debug()), "opml", "<opml> has no <body>");
  Reader reader(document, configured);
  std::vector<std::string> folders;
  reader.read(body, folders);
  return std::move(reader.list);
}

std::string feeds_yaml(const std::vector<OpmlFeed>& feeds, std::size_t indent) {
  const std::string item(indent, ' ');
  const std::string key(indent + 2, ' ');
  std::string out;
  for (const OpmlFeed& feed : feeds) {
    out += item + "- name: " + feed.name;
    if (const std::string title = comment_text(feed.title); !title.empty()) out += "  # " + title;
    out += '\n';
    out += key + "url: " + yaml_quoted(feed.url) + '\n';
    if (!feed.tags.empty()) {
      out += key + "tags: [";
      for (std::size_t i = 0; i < feed.tags.size(); ++i) out += (i == 0 ? "" : ", ") + feed.tags[i];
      out += "]\n";
    }
  }
  return out;
}

std::string add_feeds(const std::string& text, const Config& config, const std::vector<OpmlFeed>& feeds) {
  // The lines of the text, and the one holding the top-level `feeds:` key.
  std::vector<std::string_view> lines;
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t end = text.find('\n', at);
    lines.push_back(std::string_view(text).substr(at, end == std::string::npos ? std::string::npos : end - at + 1));
    at = end == std::string::npos ? text.size() : end + 1;
  }
  const auto key = std::find_if(lines.begin(), lines.end(), [](std::string_view line) { return line.starts_with("feeds:"); });
  if (key == lines.end())
    throw ConfigError(config.source, {}, "feeds", "no line starts with 'feeds:' (the list is written another way): add the feeds by hand");
  std::string out;
  std::string_view value = trimmed(key->substr(6));
  if (const std::size_t hash = value.find(" #"); hash != std::string_view::npos) value = trimmed(value.substr(0, hash));
  if (value.starts_with('#')) value = {};
  if (!value.empty() && value != "[]") {
    const auto line = static_cast<int>(key - lines.begin()) + 1;
    throw ConfigError(config.source, {line, 8}, "feeds",
                      "the list is written inline; write it as a block list (one '- name:' per feed) to add feeds to it");
  }
  // The list ends before the first line at the left margin that is neither a comment nor an item.
  auto end = key + 1;
  auto last = key;
  for (; end != lines.end(); ++end) {
    const std::string_view line = *end;
    const std::string_view content = trimmed(line);
    const bool indented = line.starts_with(' ') || line.starts_with('\t');
    // Blank lines and comments at the margin may stand before what follows; an indented comment
    // belongs to the feed above it.
    if (content.empty() || (content.starts_with('#') && !indented)) continue;
    if (!(indented || line.starts_with('-'))) break;
    last = end;
  }
  // Items as indented as the first feed's (its map starts two columns after the dash).
  const std::size_t indent = config.feeds.empty() || config.feeds.front().position.column < 3
                                 ? 2
                                 : static_cast<std::size_t>(config.feeds.front().position.column - 3);
  for (auto line = lines.begin(); line != lines.end(); ++line) {
    if (line == key && !value.empty()) {
      out += "feeds:\n";  // the empty inline list "[]" becomes the block list
    } else {
      out += *line;
      if (!out.ends_with('\n')) out += '\n';
    }
    if (line == last) out += feeds_yaml(feeds, indent);
  }
  parse_config(out, config.source);  // throws when the result is not valid
  return out;
}

std::string write_opml(const Config& config, std::string_view title) {
  pugi::xml_document xml;
  auto opml = xml.append_child("opml");
  opml.append_attribute("version") = "2.0";
  auto head = opml.append_child("head");
  head.append_child("title").text() = std::string(title).c_str();
  head.append_child("dateCreated").text() = rfc822_now().c_str();
  auto body = opml.append_child("body");
  for (const FeedConfig& feed : config.feeds) {
    if (feed.type != FeedConfig::Type::feed) continue;
    pugi::xml_node parent = body;
    if (!feed.tags.empty()) {
      parent = body.find_child_by_attribute("outline", "text", feed.tags.front().c_str());
      if (!parent) {
        parent = body.append_child("outline");
        parent.append_attribute("text") = feed.tags.front().c_str();
        parent.append_attribute("title") = feed.tags.front().c_str();
      }
    }
    auto outline = parent.append_child("outline");
    outline.append_attribute("type") = "rss";
    outline.append_attribute("text") = feed.name.c_str();
    outline.append_attribute("title") = feed.name.c_str();
    outline.append_attribute("xmlUrl") = feed.url.c_str();
    if (!feed.tags.empty()) {
      std::string categories;
      for (const std::string& tag : feed.tags) categories += (categories.empty() ? "/" : ",/") + tag;
      outline.append_attribute("category") = categories.c_str();
    }
  }
  StringWriter writer;
  xml.save(writer, "  ", pugi::format_indent | pugi::format_no_declaration);
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + writer.text;
}

}  // namespace sluice::config
