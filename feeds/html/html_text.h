// HTML → plain text with an HTML5 parser (gumbo), so entities, unclosed tags and stray markup read
// as a browser would show them. Blocks become paragraphs; script, style and the like are dropped.
#pragma once

#include <gumbo.h>

#include <string>
#include <string_view>
#include <vector>

namespace sluice::feeds {

// The text of each block of html, in order, whitespace collapsed, empty blocks left out.
std::vector<std::string> html_paragraphs(std::string_view html);

// All the text of html on one line (for titles and names). Text without markup or entities is
// returned as given, whitespace collapsed, without running the parser.
std::string html_to_text(std::string_view html);

// Escapes &, <, >, " for use in HTML text and attribute values.
std::string escape_html(std::string_view text);
void append_escaped_html(std::string& out, std::string_view text);
// The same for text between tags, where a quote needs no escaping: &, < and > only.
void append_escaped_html_text(std::string& out, std::string_view text);

// Elements that start a new line of text: paragraphs, headings, lists, sections, tables, rows.
bool is_block_element(GumboTag tag);

}  // namespace sluice::feeds
