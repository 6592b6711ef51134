// The feed JSON of `sluice parse` (DESIGN.md §4, conformance/SCHEMA.md): the parser's view of one
// document, with feedparser's field names so existing tooling can read it.
#pragma once

#include <string>

#include "feeds/model.h"

namespace sluice::feeds {

std::string feed_json(const FeedDocument& document);

// The JSON for a document that could not be read as a feed at all: bozo, the reason, no entries.
std::string feed_error_json(const std::string& reason);

}  // namespace sluice::feeds
