// The per-format parsers behind parse_feed(). Each fills a FeedDocument from a parsed XML tree.
#pragma once

#include <pugixml.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "feeds/model.h"

namespace sluice::feeds {

// RSS 0.9x / 2.0 (<rss>) and RSS 0.90 / 1.0 (<rdf:RDF>).
void parse_rss(pugi::xml_node root, std::string_view url, FeedDocument& out);

// Atom 1.0 and 0.3 (<feed>).
void parse_atom(pugi::xml_node root, std::string_view url, FeedDocument& out);

// Reads a date element: its text into `raw`, the parsed time (or nullopt) into `date`.
void read_date(pugi::xml_node node, std::optional<Timestamp>& date, std::string& raw);

// An enclosure length: a non-negative decimal integer, else nullopt.
std::optional<std::int64_t> parse_length(std::string_view text);

}  // namespace sluice::feeds
