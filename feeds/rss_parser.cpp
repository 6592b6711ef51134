// RSS 2.0: https://www.rssboard.org/rss-specification
// RSS 1.0: https://web.resource.org/rss/1.0/spec (items are siblings of <channel> under <rdf:RDF>)
// Modules: content (https://web.resource.org/rss/1.0/modules/content/), Dublin Core, Media RSS.
#include "feeds/dates.h"
#include "feeds/formats.h"
#include "feeds/html_text.h"
#include "feeds/urls.h"
#include "feeds/xml.h"

namespace sluice::feeds {
namespace {

std::string version_of(pugi::xml_node root, std::string_view rss_ns) {
  if (xml::local_name(root) == "RDF") return rss_ns == xml::kRss090 ? "rss090" : "rss10";
  const std::string_view version = root.attribute("version").value();
  if (version == "2.0" || version == "2.0.1") return "rss20";
  if (version == "0.91") return "rss091u";
  if (version == "0.92") return "rss092";
  if (version == "0.93") return "rss093";
  if (version == "0.94") return "rss094";
  return "rss";
}

bool is_image_type(std::string_view type) { return type.starts_with("image/"); }

class RssReader {
 public:
  RssReader(std::string_view rss_ns, std::string_view url) : rss_ns_(rss_ns), url_(url) {}

  void channel(pugi::xml_node node, FeedInfo& feed) const {
    const std::string base = xml::base_url(node, url_);
    for (pugi::xml_node child : node.children()) {
      if (child.type() != pugi::node_element) continue;
      const std::string ns = xml::namespace_uri(child);
      const std::string_view name = xml::local_name(child);
      if (ns == rss_ns_) {
        if (name == "title") feed.title = html_to_text(xml::html(child));
        else if (name == "link") feed.link = resolve_url(base, xml::text(child));
        else if (name == "description") feed.subtitle = xml::html(child);
        else if (name == "language") feed.language = xml::text(child);
        else if (name == "lastBuildDate" || (name == "pubDate" && !feed.updated))
          feed.updated = parse_date(xml::text(child));
      } else if (ns == xml::kDublinCore) {
        if (name == "language") feed.language = xml::text(child);
        else if (name == "date" && !feed.updated) feed.updated = parse_date(xml::text(child));
      }
    }
    if (feed.link.empty()) feed.link = url_;
  }

  Entry item(pugi::xml_node node) const {
    Entry entry;
    const std::string base = xml::base_url(node, url_);
    bool guid_is_permalink = false;
    for (pugi::xml_node child : node.children()) {
      if (child.type() != pugi::node_element) continue;
      const std::string ns = xml::namespace_uri(child);
      const std::string_view name = xml::local_name(child);
      if (ns == rss_ns_) rss_element(child, name, base, entry, guid_is_permalink);
      else if (ns == xml::kContent && name == "encoded") entry.content = xml::html(child);
      else if (ns == xml::kDublinCore) dublin_core_element(child, name, entry);
      else if (ns == xml::kDcTerms && name == "modified") read_date(child, entry.updated, entry.updated_raw);
      else if (ns == xml::kMedia) media_element(child, name, base, entry);
    }
    if (entry.link.empty() && guid_is_permalink) entry.link = resolve_url(base, entry.id);
    return entry;
  }

 private:
  void rss_element(pugi::xml_node node, std::string_view name, const std::string& base, Entry& entry,
                   bool& guid_is_permalink) const {
    if (name == "title") entry.title = html_to_text(xml::html(node));
    else if (name == "link") entry.link = resolve_url(base, xml::text(node));
    else if (name == "guid") {
      entry.id = xml::text(node);
      const std::string_view permalink = node.attribute("isPermaLink").value();
      guid_is_permalink = permalink.empty() || permalink == "true";
    } else if (name == "description") entry.summary = xml::html(node);
    else if (name == "pubDate") read_date(node, entry.published, entry.published_raw);
    else if (name == "author") entry.authors.push_back(html_to_text(xml::text(node)));
    else if (name == "category") {
      if (std::string tag = xml::text(node); !tag.empty()) entry.tags.push_back(std::move(tag));
    } else if (name == "enclosure") {
      Enclosure enclosure;
      enclosure.url = resolve_url(base, node.attribute("url").value());
      if (const pugi::xml_attribute type = node.attribute("type")) enclosure.type = type.value();
      enclosure.length = parse_length(node.attribute("length").value());
      if (enclosure.url.empty()) return;
      if (entry.image.empty() && enclosure.type && is_image_type(*enclosure.type)) entry.image = enclosure.url;
      entry.enclosures.push_back(std::move(enclosure));
    }
  }

  static void dublin_core_element(pugi::xml_node node, std::string_view name, Entry& entry) {
    if (name == "creator") {
      if (std::string author = xml::text(node); !author.empty()) entry.authors.push_back(std::move(author));
    } else if (name == "date" && !entry.published) read_date(node, entry.published, entry.published_raw);
    else if (name == "subject") {
      if (std::string tag = xml::text(node); !tag.empty()) entry.tags.push_back(std::move(tag));
    } else if (name == "language") entry.language = xml::text(node);
  }

  static void media_element(pugi::xml_node node, std::string_view name, const std::string& base, Entry& entry) {
    if (!entry.image.empty()) return;
    const std::string_view medium = node.attribute("medium").value();
    const bool image = name == "thumbnail" ||
                       (name == "content" && (medium == "image" || is_image_type(node.attribute("type").value())));
    if (image) entry.image = resolve_url(base, node.attribute("url").value());
  }

  std::string rss_ns_;
  std::string url_;
};

}  // namespace

void parse_rss(pugi::xml_node root, std::string_view url, FeedDocument& out) {
  pugi::xml_node channel;
  for (pugi::xml_node child : root.children())
    if (child.type() == pugi::node_element && xml::local_name(child) == "channel") channel = child;
  const std::string rss_ns = channel ? xml::namespace_uri(channel) : xml::namespace_uri(root);
  out.version = version_of(root, rss_ns);
  const RssReader reader(rss_ns, url);
  if (channel) reader.channel(channel, out.feed);
  // RSS 2.0 nests items in <channel>; RSS 0.90 and 1.0 place them beside it.
  for (pugi::xml_node parent : {channel, root}) {
    if (!parent) continue;
    for (pugi::xml_node child : parent.children())
      if (xml::is(child, rss_ns, "item")) out.entries.push_back(reader.item(child));
  }
}

}  // namespace sluice::feeds
