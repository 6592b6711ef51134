// Feed dates → UTC. RFC 822 / RFC 1123 (RSS) with their common broken forms, and RFC 3339 /
// ISO 8601 / W3CDTF (Atom, Dublin Core).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "feeds/model.h"

namespace sluice::feeds {

// Parses any supported form; nullopt when the text is not a date sluice can read.
std::optional<Timestamp> parse_date(std::string_view text);

std::optional<Timestamp> parse_rfc822(std::string_view text);
std::optional<Timestamp> parse_rfc3339(std::string_view text);

// "2025-02-10T14:30:00Z".
std::string format_rfc3339(Timestamp time);

}  // namespace sluice::feeds
