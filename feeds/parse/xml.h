// Namespace-aware helpers over pugixml, which itself sees "content:encoded" as one name. Elements
// are matched by namespace URI and local name, whatever prefix the document chose.
#pragma once

#include <pugixml.hpp>

#include <string>
#include <string_view>

namespace sluice::feeds::xml {

inline constexpr std::string_view kAtom10 = "http://www.w3.org/2005/Atom";
inline constexpr std::string_view kAtom03 = "http://purl.org/atom/ns#";
inline constexpr std::string_view kRdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
inline constexpr std::string_view kRss10 = "http://purl.org/rss/1.0/";
inline constexpr std::string_view kRss090 = "http://my.netscape.com/rdf/simple/0.9/";
inline constexpr std::string_view kContent = "http://purl.org/rss/1.0/modules/content/";
inline constexpr std::string_view kDublinCore = "http://purl.org/dc/elements/1.1/";
inline constexpr std::string_view kDcTerms = "http://purl.org/dc/terms/";
inline constexpr std::string_view kMedia = "http://search.yahoo.com/mrss/";

std::string_view local_name(pugi::xml_node node);

// The namespace URI of node's prefix (or of the default namespace), "" when none is declared.
// The view points into the document (or static storage) and lives as long as the document.
std::string_view namespace_uri(pugi::xml_node node);

// The namespace a prefix ("" for the default) is bound to at node, by the declarations in scope or,
// for an undeclared customary prefix (atom, dc, media, xlink, ...), its usual one.
std::string_view prefix_namespace(pugi::xml_node node, std::string_view prefix);

// True when node is the element {ns}local; "" as ns means "no namespace".
bool is(pugi::xml_node node, std::string_view ns, std::string_view local);

// The first child element {ns}local, or an empty node.
pugi::xml_node child(pugi::xml_node parent, std::string_view ns, std::string_view local);

// All character data below node, whitespace collapsed and trimmed: for titles, ids, names.
std::string text(pugi::xml_node node);

// Node's content as HTML source: its character data when it has only text, else its children
// serialized (markup that a feed put inline without escaping).
std::string html(pugi::xml_node node);

// Like html(), without a copy when the node holds a single run of text: the view then points into
// the document; otherwise it points into `storage`.
std::string_view html_view(pugi::xml_node node, std::string& storage);

// Node's children serialized as XML (an Atom xhtml div, inline markup).
std::string inner_xml(pugi::xml_node node);

// Node's children as HTML source, for XHTML content: elements of the XHTML, SVG and MathML
// namespaces by their local names whatever prefix the document gave them ("svg:circle" →
// "circle"), xlink attributes as "xlink:", namespace declarations left to the sanitizer, and an
// empty element as "<x></x>" (HTML's void elements as "<br />"), which an HTML reader reads as
// the XML meant. Elements of other namespaces keep their qualified names (the sanitizer drops
// their tags).
std::string xhtml_markup(pugi::xml_node node);

// The base URL in effect at node: document_url with every xml:base from the root down applied.
std::string base_url(pugi::xml_node node, std::string_view document_url);

}  // namespace sluice::feeds::xml
