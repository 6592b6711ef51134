#include "feeds/parse/xml.h"

#include <cctype>
#include <sstream>
#include <vector>

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
  const std::string_view prefix = colon == std::string_view::npos ? std::string_view() : name.substr(0, colon);
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
                                       std::pair{"xhtml", std::string_view("http://www.w3.org/1999/xhtml")}})
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

std::string html(pugi::xml_node node) {
  for (pugi::xml_node child : node.children())
    if (child.type() == pugi::node_element) return inner_xml(node);
  std::string raw;
  append_text(node, raw);
  return raw;
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
