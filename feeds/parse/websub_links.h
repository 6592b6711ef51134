// What a feed says about WebSub (W3C Recommendation, 2018): the hubs that push it and its topic
// URL, from the HTTP Link header (RFC 8288) and from the document's own links (atom:link
// rel="hub"/"self", in Atom and inside RSS; JSON Feed's "hubs").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "feeds/model.h"

namespace sluice::feeds {

// One link of a Link header: its target as written and its relation types, lower case.
struct HeaderLink {
  std::string target;
  std::vector<std::string> rels;
};

// The links of a Link header value (several headers joined by ", "); malformed ones are skipped.
std::vector<HeaderLink> parse_link_header(std::string_view value);

struct WebSubLinks {
  std::vector<std::string> hubs;  // absolute http(s), each once, header's first
  std::string self;               // the topic: the header's rel=self, else the document's; "" when none
};

// The hubs and topic of a fetched feed. The Link header comes first, as the specification says
// subscribers should prefer it; relative targets resolve against base_url.
WebSubLinks websub_links(const FeedDocument& document, std::string_view link_header, std::string_view base_url);

}  // namespace sluice::feeds
