// JSON Feed 1.0 and 1.1 (https://www.jsonfeed.org/version/1.1/) into the same model as RSS and Atom.
#pragma once

#include <expected>
#include <string_view>

#include "feeds/parse/feed_parser.h"
#include "feeds/model.h"

namespace sluice::feeds {

// Reads a JSON Feed document (already UTF-8). Malformed JSON is an error; a document that parses
// but breaks the spec (wrong types, missing fields) is read as far as it goes.
std::expected<FeedDocument, ParseError> parse_json_feed(std::string_view text, std::string_view url,
                                                        std::size_t max_entries = std::numeric_limits<std::size_t>::max());

}  // namespace sluice::feeds
