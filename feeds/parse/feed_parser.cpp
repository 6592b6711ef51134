#include "feeds/parse/feed_parser.h"

#include <pugixml.hpp>
#include <strings.h>

#include <algorithm>
#include <vector>

#include "feeds/dates.h"
#include "feeds/parse/element_reader.h"
#include "feeds/parse/encoding.h"
#include "feeds/parse/json_feed.h"
#include "feeds/urls.h"
#include "feeds/parse/xml.h"
#include "feeds/parse/xml_repair.h"
#include "feeds/text.h"

namespace sluice::feeds {
namespace {

std::string_view skip_bom_and_space(std::string_view body) {
  if (body.starts_with("\xEF\xBB\xBF")) body.remove_prefix(3);
  const auto first = body.find_first_not_of(" \t\r\n");
  return first == std::string_view::npos ? std::string_view() : body.substr(first);
}

// feedparser's version names: rss090, rss091u, rss092, ..., rss20, rss10, atom03, atom10.
std::string rss_version(pugi::xml_node root, std::string_view rss_namespace) {
  if (xml::local_name(root) == "RDF") return rss_namespace == xml::kRss090 ? "rss090" : "rss10";
  const std::string_view version = root.attribute("version").value();
  if (version.starts_with("2.")) return "rss20";
  if (version == "0.91") return "rss091u";
  if (version == "0.92") return "rss092";
  if (version == "0.93") return "rss093";
  if (version == "0.94") return "rss094";
  return "rss";
}

void read_rss(pugi::xml_node root, std::string_view url, FeedDocument& out, std::size_t most) {
  pugi::xml_node channel;
  for (pugi::xml_node child : root.children())
    if (child.type() == pugi::node_element && xml::local_name(child) == "channel") channel = child;
  const std::string_view rss_namespace = xml::namespace_uri(channel ? channel : root);
  out.version = rss_version(root, rss_namespace);
  const ElementReader reader(url, false, xml::namespace_uri(root));
  if (channel) reader.read_feed(channel, out.feed);
  // RSS 2.0 nests items in <channel>; RSS 0.90 and 1.0 place them beside it.
  for (pugi::xml_node parent : {channel, root}) {
    if (!parent) continue;
    for (pugi::xml_node child : parent.children())
      if (child.type() == pugi::node_element && xml::local_name(child) == "item")
        add_entry(out, reader.read_entry(child), most);
  }
  if (!out.bozo && !reader.problem().empty()) out.bozo = true, out.bozo_reason = reader.problem();
}

void read_atom(pugi::xml_node root, std::string_view url, FeedDocument& out, std::size_t most) {
  const std::string_view ns = xml::namespace_uri(root);
  out.version = ns == xml::kAtom10 ? "atom10" : "atom03";
  const ElementReader reader(url, true, ns);
  reader.read_feed(root, out.feed);
  for (pugi::xml_node child : root.children())
    if (child.type() == pugi::node_element && xml::local_name(child) == "entry") {
      Entry entry = reader.read_entry(child);
      // An entry without an author has the feed's (RFC 4287 4.2.1).
      if (entry.authors.empty()) entry.authors = out.feed.authors;
      add_entry(out, std::move(entry), most);
    }
  if (!out.bozo && !reader.problem().empty()) out.bozo = true, out.bozo_reason = reader.problem();
}

// Channel Definition Format (https://www.w3.org/TR/NOTE-CDFsubmit.html): upper-case elements,
// links and dates in attributes.
void read_cdf(pugi::xml_node root, std::string_view url, FeedDocument& out, std::size_t most) {
  out.version = "cdf";
  auto text_of = [](pugi::xml_node parent, const char* name) -> std::optional<Text> {
    for (pugi::xml_node child : parent.children())
      if (child.type() == pugi::node_element && strcasecmp(child.name(), name) == 0)
        return Text{xml::text(child), "text/plain", ""};
    return std::nullopt;
  };
  auto attribute = [](pugi::xml_node node, const char* name) -> std::string {
    for (pugi::xml_attribute a : node.attributes())
      if (strcasecmp(a.name(), name) == 0) return a.value();
    return "";
  };
  out.feed.title = text_of(root, "title");
  out.feed.subtitle = text_of(root, "abstract");
  out.feed.link = resolve_url(url, attribute(root, "href"));
  for (pugi::xml_node child : root.children()) {
    if (child.type() != pugi::node_element || strcasecmp(child.name(), "item") != 0) continue;
    Entry entry;
    entry.title = text_of(child, "title");
    entry.summary = text_of(child, "abstract");
    const std::string href = attribute(child, "href");
    entry.link = resolve_url(url, href).empty() ? href : resolve_url(url, href);
    if (!entry.link.empty()) entry.links.push_back(Link{entry.link, "alternate", "text/html", "", std::nullopt});
    entry.updated_raw = attribute(child, "lastmod");
    entry.updated = parse_date(entry.updated_raw);
    add_entry(out, std::move(entry), most);
  }
}

}  // namespace

std::expected<FeedDocument, ParseError> parse_feed(std::string body, const Served& served, std::size_t max_entries) {
  // Content-Location is the base when it resolves to an http(s) URL.
  std::string base(served.url);
  if (!served.content_location.empty()) {
    const std::string location = resolve_url(served.url, served.content_location);
    if (is_http_url(location)) base = location;
  }
  auto parsed = parse_feed(std::move(body), base, served.content_type, max_entries);
  if (!parsed || served.content_language.empty()) return parsed;
  // The first language Content-Language names, for the feed and its entries that name none.
  std::string_view first = served.content_language.substr(0, served.content_language.find(','));
  const std::string language = normalize_language(first);
  if (language.empty()) return parsed;
  if (parsed->feed.language.empty()) parsed->feed.language = language;
  for (Entry& entry : parsed->entries)
    if (entry.language.empty()) entry.language = parsed->feed.language;
  return parsed;
}

std::expected<FeedDocument, ParseError> parse_feed(std::string body, std::string_view url,
                                                   std::string_view content_type, std::size_t max_entries) {
  if (skip_bom_and_space(body).empty()) return std::unexpected(ParseError{"empty document"});
  DecodedDocument decoded = decode_document(body, content_type);
  if (skip_bom_and_space(decoded.text()).starts_with("{")) return parse_json_feed(decoded.text(), url, max_entries);

  // The XML is parsed in place, in the one buffer that holds it: the caller's body when it was
  // clean UTF-8, the converted text otherwise, a repaired copy when the XML needed repair.
  std::string& owner = decoded.is_converted ? decoded.converted : body;
  const std::size_t offset = decoded.is_converted ? 0 : static_cast<std::size_t>(decoded.original.data() - body.data());
  const std::string_view text(owner.data() + offset, owner.size() - offset);
  RepairedXml repaired;
  bool expands_entities = false;
  repaired.problem = find_xml_problem(text, &expands_entities);
  char* xml = owner.data() + offset;
  std::size_t xml_size = text.size();
  if (!repaired.problem.empty() || expands_entities) {
    repaired = repair_xml(text);
    xml = repaired.text.data();
    xml_size = repaired.text.size();
  }
  pugi::xml_document document;
  const pugi::xml_parse_result result =
      document.load_buffer_inplace(xml, xml_size, pugi::parse_default, pugi::encoding_utf8);
  const pugi::xml_node root = document.document_element();
  if (!root) {
    return std::unexpected(ParseError{std::string("not an XML document: ") + result.description() +
                                      " at byte " + std::to_string(result.offset)});
  }
  FeedDocument feed;
  feed.encoding = decoded.encoding;
  if (!result) {
    feed.bozo = true;
    feed.bozo_reason = std::string("XML error at byte ") + std::to_string(result.offset) + ": " +
                       result.description() + "; kept what was read before it";
  } else if (!repaired.problem.empty()) {
    feed.bozo = true;
    feed.bozo_reason = "not well-formed XML: " + repaired.problem;
  } else if (!decoded.problem.empty()) {
    feed.bozo = true;
    feed.bozo_reason = "character encoding: " + decoded.problem;
  }
  const auto is_feed_element = [](pugi::xml_node node) {
    const std::string_view name = xml::local_name(node);
    return node.type() == pugi::node_element && (name == "rss" || name == "RDF" || name == "feed");
  };
  // A feed wrapped in something else (an XHTML page around an Atom feed, a SOAP envelope) is read
  // from its first feed element.
  const pugi::xml_node feed_root = is_feed_element(root) ? root : root.find_node(is_feed_element);
  const std::string_view name = feed_root ? xml::local_name(feed_root) : std::string_view();
  if (name == "rss" || name == "RDF") read_rss(feed_root, url, feed, max_entries);
  else if (name == "feed") read_atom(feed_root, url, feed, max_entries);
  else if (strcasecmp(root.name(), "channel") == 0) read_cdf(root, url, feed, max_entries);
  else if (strcasecmp(root.name(), "html") == 0)
    return std::unexpected(ParseError{"not a feed: the root element is <html>, a web page (to read its articles: "
                                      "type: html with a links selector, or sluice extract for one page)"});
  else return std::unexpected(ParseError{"not a feed: the root element is <" + std::string(root.name()) + ">"});
  feed.entries_dropped += keep_newest_entries(feed.entries, max_entries);
  return feed;
}

std::size_t keep_newest_entries(std::vector<Entry>& entries, std::size_t most) {
  if (entries.size() <= most) return 0;
  const std::size_t dropped = entries.size() - most;
  const auto date_of = [](const Entry& entry) { return entry.published ? entry.published : entry.updated; };
  if (!std::ranges::all_of(entries, [&](const Entry& entry) { return date_of(entry).has_value(); })) {
    entries.resize(most);
    return dropped;
  }
  std::vector<std::size_t> order(entries.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::ranges::stable_sort(order, [&](std::size_t a, std::size_t b) { return *date_of(entries[a]) > *date_of(entries[b]); });
  std::vector<bool> kept(entries.size(), false);
  for (std::size_t i = 0; i < most; ++i) kept[order[i]] = true;
  std::size_t write = 0;
  for (std::size_t read = 0; read < entries.size(); ++read)
    if (kept[read]) {
      if (write != read) entries[write] = std::move(entries[read]);
      ++write;
    }
  entries.resize(most);
  return dropped;
}

void add_entry(FeedDocument& document, Entry entry, std::size_t most) {
  document.entries.push_back(std::move(entry));
  if (document.entries.size() / 2 >= most) document.entries_dropped += keep_newest_entries(document.entries, most);
}

}  // namespace sluice::feeds
