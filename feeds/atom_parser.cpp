// Atom 1.0: RFC 4287 (https://www.rfc-editor.org/rfc/rfc4287)
// Atom 0.3: https://web.archive.org/web/2004/http://www.mnot.net/drafts/draft-nottingham-atom-format-02.html
#include "feeds/dates.h"
#include "feeds/formats.h"
#include "feeds/html_text.h"
#include "feeds/urls.h"
#include "feeds/xml.h"

namespace sluice::feeds {
namespace {

enum class TextKind { text, html, xhtml };

// The kind of an Atom text construct; 0.3 spells types as MIME types.
TextKind kind_of(pugi::xml_node node) {
  const std::string_view type = node.attribute("type").value();
  const std::string_view mode = node.attribute("mode").value();
  if (type == "xhtml" || type == "application/xhtml+xml" || mode == "xml") return TextKind::xhtml;
  if (type == "html" || type == "text/html" || mode == "escaped") return TextKind::html;
  return TextKind::text;
}

std::string xhtml_of(pugi::xml_node node) {
  for (pugi::xml_node child : node.children())
    if (child.type() == pugi::node_element && xml::local_name(child) == "div") return xml::inner_xml(child);
  return xml::inner_xml(node);
}

// A text construct as HTML source.
std::string construct_html(pugi::xml_node node) {
  switch (kind_of(node)) {
    case TextKind::xhtml: return xhtml_of(node);
    case TextKind::html: return xml::html(node);
    case TextKind::text: break;
  }
  return escape_html(xml::text(node));
}

// A text construct as plain text (titles).
std::string construct_text(pugi::xml_node node) {
  switch (kind_of(node)) {
    case TextKind::xhtml: return html_to_text(xhtml_of(node));
    case TextKind::html: return html_to_text(xml::html(node));
    case TextKind::text: break;
  }
  return xml::text(node);
}

std::string language_of(pugi::xml_node node) {
  for (pugi::xml_node at = node; at; at = at.parent())
    if (const pugi::xml_attribute lang = at.attribute("xml:lang")) return lang.value();
  return "";
}

class AtomReader {
 public:
  AtomReader(std::string_view ns, std::string_view url) : ns_(ns), url_(url) {}

  void feed(pugi::xml_node node, FeedInfo& feed) const {
    feed.language = language_of(node);
    for (pugi::xml_node child : node.children()) {
      if (!is_atom(child)) continue;
      const std::string_view name = xml::local_name(child);
      if (name == "title") feed.title = construct_text(child);
      else if (name == "subtitle" || name == "tagline") feed.subtitle = construct_html(child);
      else if (name == "id") feed.id = xml::text(child);
      else if (name == "updated" || name == "modified") feed.updated = parse_date(xml::text(child));
      else if (name == "link" && feed.link.empty() && is_alternate(child)) feed.link = href(child);
    }
    if (feed.link.empty()) feed.link = url_;
  }

  std::vector<std::string> authors(pugi::xml_node parent) const {
    std::vector<std::string> out;
    for (pugi::xml_node child : parent.children()) {
      if (!is_atom(child) || xml::local_name(child) != "author") continue;
      std::string name = xml::text(xml::child(child, ns_, "name"));
      if (name.empty()) name = xml::text(xml::child(child, ns_, "email"));
      if (!name.empty()) out.push_back(std::move(name));
    }
    return out;
  }

  Entry entry(pugi::xml_node node, const std::vector<std::string>& feed_authors) const {
    Entry entry;
    entry.language = language_of(node);
    for (pugi::xml_node child : node.children()) {
      if (!is_atom(child)) continue;
      const std::string_view name = xml::local_name(child);
      if (name == "id") entry.id = xml::text(child);
      else if (name == "title") entry.title = construct_text(child);
      else if (name == "summary") entry.summary = construct_html(child);
      else if (name == "content" && !child.attribute("src")) entry.content = construct_html(child);
      else if (name == "published" || name == "issued") read_date(child, entry.published, entry.published_raw);
      else if (name == "updated" || name == "modified") read_date(child, entry.updated, entry.updated_raw);
      else if (name == "category") {
        const std::string_view label = child.attribute("label").value();
        std::string term = label.empty() ? child.attribute("term").value() : std::string(label);
        if (term.empty()) term = xml::text(child);
        if (!term.empty()) entry.tags.push_back(std::move(term));
      } else if (name == "link") link(child, entry);
    }
    entry.authors = authors(node);
    if (entry.authors.empty()) entry.authors = feed_authors;
    return entry;
  }

 private:
  bool is_atom(pugi::xml_node node) const {
    return node.type() == pugi::node_element && xml::namespace_uri(node) == ns_;
  }

  static bool is_alternate(pugi::xml_node link) {
    const std::string_view rel = link.attribute("rel").value();
    return rel.empty() || rel == "alternate";
  }

  std::string href(pugi::xml_node link) const {
    return resolve_url(xml::base_url(link, url_), link.attribute("href").value());
  }

  void link(pugi::xml_node node, Entry& entry) const {
    const std::string_view rel = node.attribute("rel").value();
    const std::string_view type = node.attribute("type").value();
    if (rel == "enclosure") {
      Enclosure enclosure{href(node), std::nullopt, parse_length(node.attribute("length").value())};
      if (!type.empty()) enclosure.type = std::string(type);
      if (!enclosure.url.empty()) entry.enclosures.push_back(std::move(enclosure));
      if (entry.image.empty() && type.starts_with("image/")) entry.image = href(node);
    } else if (is_alternate(node) && (entry.link.empty() || type == "text/html")) {
      entry.link = href(node);
    }
  }

  std::string ns_;
  std::string url_;
};

}  // namespace

void parse_atom(pugi::xml_node root, std::string_view url, FeedDocument& out) {
  const std::string ns = xml::namespace_uri(root);
  out.version = ns == xml::kAtom03 ? "atom03" : ns == xml::kAtom10 ? "atom10" : "atom";
  const AtomReader reader(ns, url);
  reader.feed(root, out.feed);
  const std::vector<std::string> feed_authors = reader.authors(root);
  for (pugi::xml_node child : root.children())
    if (xml::is(child, ns, "entry")) out.entries.push_back(reader.entry(child, feed_authors));
}

}  // namespace sluice::feeds
