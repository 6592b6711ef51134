// Markup as simple as most feed items are, laid out without an HTML5 parser.
//
// A feed item's HTML is mostly a few paragraphs, links, emphasis and a figure: elements of a few
// dozen kinds, nested as written, which an HTML5 parser builds into exactly the tree the tags
// spell. lay_out_simple_markup() tokenizes such markup as HTML5 does (character references,
// attributes, line breaks, end tags a paragraph or list item may leave out) and lays the tree out
// as PageDom::lay_out_gumbo() lays out gumbo's, in a fraction of the time.
//
// It declines (returns false, the layout left half-built) whenever the tree could be other than
// the one the tags spell or a byte could read otherwise than it does here: an end tag that closes
// anything but the element open last (a paragraph or list item left open aside), elements with
// parsing rules of their own (tables, forms, head elements, foreign content, ...), unknown
// elements, a character reference outside its table, control characters, invalid UTF-8. PageDom
// then parses the markup with gumbo. tests/pipeline/clean/simple_markup_test.cpp holds every
// layout it makes to gumbo's.
#pragma once

#include <string_view>

#include "pipeline/clean/page_dom.h"

namespace sluice::pipeline {

// markup as feeds::prepare_markup() leaves it; texts in the layout may point into it, so it must
// outlive the layout.
bool lay_out_simple_markup(std::string_view markup, PageLayout& layout);

}  // namespace sluice::pipeline
