#include "feeds/parse/xml.h"

#include <algorithm>
#include <cctype>
#include <sstream>
#include <vector>

#include "feeds/html/foreign_vocabulary.h"
#include "feeds/html/html_text.h"
#include "feeds/text.h"
#include "feeds/urls.h"

namespace sluice::feeds::xml {
namespace {

void append_text(pugi::xml_node node, std::string& out) {
  for (pugi::xml_node child : node.children()) {
    if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) out += child.value();
    else if (child.type() == pugi::node_element) append_text(child, out);
  }
}

std::string collapse_whitespace(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size();) {
    while (i < in.size() && is_ascii_space(in[i])) ++i;
    if (i == in.size()) break;
    std::size_t word = i;
    while (word < in.size() && !is_ascii_space(in[word])) ++word;
    if (!out.empty()) out += ' ';
    out.append(in.substr(i, word - i));
    i = word;
  }
  return out;
}

}  // namespace

std::string_view local_name(pugi::xml_node node) {
  const std::string_view name = node.name();
  const auto colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

std::string_view namespace_uri(pugi::xml_node node) {
  const std::string_view name = node.name();
  const auto colon = name.find(':');
  return prefix_namespace(node, colon == std::string_view::npos ? std::string_view() : name.substr(0, colon));
}

std::string_view prefix_namespace(pugi::xml_node node, std::string_view prefix) {
  // The declaration in scope: xmlns for the default namespace, xmlns:PREFIX otherwise.
  const auto declares = [&](std::string_view attribute) {
    if (!attribute.starts_with("xmlns")) return false;
    if (prefix.empty()) return attribute.size() == 5;
    return attribute.size() == 6 + prefix.size() && attribute[5] == ':' && attribute.substr(6) == prefix;
  };
  for (pugi::xml_node at = node; at; at = at.parent())
    for (pugi::xml_attribute attribute : at.attributes())
      if (declares(attribute.name())) return attribute.value();
  if (prefix.empty()) return "";
  // An undeclared prefix: feeds use the customary ones without declaring them often enough that
  // reading them as their usual namespace is what the publisher meant.
  for (const auto& [customary, uri] : {std::pair{"atom", kAtom10}, std::pair{"content", kContent},
                                       std::pair{"dc", kDublinCore}, std::pair{"dcterms", kDcTerms},
                                       std::pair{"media", kMedia}, std::pair{"rdf", kRdf},
                                       std::pair{"itunes", std::string_view("http://www.itunes.com/dtds/podcast-1.0.dtd")},
                                       std::pair{"xhtml", std::string_view("http://www.w3.org/1999/xhtml")},
                                       std::pair{"xlink", kXlinkNamespace}})
    if (prefix == customary) return uri;
  return "";
}

bool is(pugi::xml_node node, std::string_view ns, std::string_view local) {
  return node.type() == pugi::node_element && local_name(node) == local && namespace_uri(node) == ns;
}

pugi::xml_node child(pugi::xml_node parent, std::string_view ns, std::string_view local) {
  for (pugi::xml_node node : parent.children())
    if (is(node, ns, local)) return node;
  return {};
}

std::string text(pugi::xml_node node) {
  // One run of text, the common case, is read in place.
  const pugi::xml_node first = node.first_child();
  if (first && !first.next_sibling() && (first.type() == pugi::node_pcdata || first.type() == pugi::node_cdata))
    return collapse_whitespace(first.value());
  std::string raw;
  append_text(node, raw);
  return collapse_whitespace(raw);
}

std::string inner_xml(pugi::xml_node node) {
  std::ostringstream out;
  for (pugi::xml_node child : node.children())
    child.print(out, "", pugi::format_raw | pugi::format_no_declaration);
  return out.str();
}

namespace {

constexpr std::string_view kXhtmlNamespace = "http://www.w3.org/1999/xhtml";

bool is_void_html(std::string_view name) {
  static constexpr std::string_view kVoid[] = {"area", "base", "br", "col", "embed", "hr", "img", "input",
                                               "link", "meta", "param", "source", "track", "wbr"};
  return std::find(std::begin(kVoid), std::end(kVoid), name) != std::end(kVoid);
}

// raw_text: the text is HTML source itself (inline markup in content declared HTML), so it is
// written as it is; otherwise it is text, escaped.
void append_xhtml(pugi::xml_node node, std::string& out, int depth, bool raw_text) {
  for (pugi::xml_node child : node.children()) {
    switch (child.type()) {
      case pugi::node_pcdata:
      case pugi::node_cdata:
        if (raw_text) out += child.value();
        else append_escaped_html_text(out, child.value());
        break;
      case pugi::node_comment:
        out.append("<!--").append(child.value()).append("-->");
        break;
      case pugi::node_element: {
        if (depth > 256) break;  // deeper than any real content; pugixml's own limit is far above
        const std::string_view qualified = child.name();
        const std::size_t colon = qualified.find(':');
        const std::string_view prefix = colon == std::string_view::npos ? "" : qualified.substr(0, colon);
        const std::string_view local = colon == std::string_view::npos ? qualified : qualified.substr(colon + 1);
        const std::string_view uri = prefix_namespace(child, prefix);
        const bool known = uri.empty() || uri == kXhtmlNamespace || uri == kSvgNamespace || uri == kMathMlNamespace;
        const std::string_view name = known ? local : qualified;
        out.append("<").append(name);
        for (pugi::xml_attribute attribute : child.attributes()) {
          std::string_view attribute_name = attribute.name();
          if (attribute_name == "xmlns" || attribute_name.starts_with("xmlns:")) continue;
          std::string renamed;
          if (const std::size_t at = attribute_name.find(':'); at != std::string_view::npos) {
            const std::string_view attribute_prefix = attribute_name.substr(0, at);
            if (attribute_prefix != "xml" && prefix_namespace(child, attribute_prefix) == kXlinkNamespace)
              attribute_name = renamed = "xlink:" + std::string(attribute_name.substr(at + 1));
          }
          out.append(" ").append(attribute_name).append("=\"");
          append_escaped_html(out, attribute.value());
          out += '"';
        }
        if (!child.first_child() && is_void_html(name)) {
          out += " />";
          break;
        }
        out += '>';
        append_xhtml(child, out, depth + 1, raw_text);
        out.append("</").append(name).append(">");
        break;
      }
      default:
        break;
    }
  }
}

}  // namespace

std::string xhtml_markup(pugi::xml_node node) {
  std::string out;
  append_xhtml(node, out, 0, false);
  return out;
}

std::string html(pugi::xml_node node) {
  pugi::xml_node only_element;
  int elements = 0;
  bool text = false;
  for (pugi::xml_node child : node.children()) {
    if (child.type() == pugi::node_element) ++elements, only_element = child;
    else if ((child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) && !trim_view(child.value()).empty())
      text = true;
  }
  if (elements == 0) {
    std::string raw;
    append_text(node, raw);
    return raw;
  }
  // Markup the feed put inline instead of escaping it: its tags are HTML tags and its text HTML
  // source. A lone XHTML <div> around it all is a wrapper (as Atom's xhtml has one), not content.
  std::string out;
  const bool wrapper =
      elements == 1 && !text && local_name(only_element) == "div" && namespace_uri(only_element) == kXhtmlNamespace;
  append_xhtml(wrapper ? only_element : node, out, 0, true);
  return out;
}

std::string_view html_view(pugi::xml_node node, std::string& storage) {
  const pugi::xml_node first = node.first_child();
  if (first && !first.next_sibling() && (first.type() == pugi::node_pcdata || first.type() == pugi::node_cdata))
    return first.value();
  storage = html(node);
  return storage;
}

std::string base_url(pugi::xml_node node, std::string_view document_url) {
  std::vector<pugi::xml_node> chain;
  for (pugi::xml_node at = node; at && at.type() == pugi::node_element; at = at.parent()) chain.push_back(at);
  std::string base(document_url);
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    if (const pugi::xml_attribute attribute = it->attribute("xml:base")) {
      std::string resolved = resolve_url(base, attribute.value());
      if (!resolved.empty()) base = std::move(resolved);
    }
  }
  return base;
}

}  // namespace sluice::feeds::xml
