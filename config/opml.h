// Feed lists in OPML (1.0 and 2.0), as feed readers import and export them: reading one into
// feed entries for the configuration, and writing the configured feeds as OPML 2.0.
//
// Reading: every outline with an xmlUrl is a feed, however deep; the titles of the outlines
// around it (folders) and its `category` attribute (comma-separated, each "/a/b" path giving a
// and b) become its tags, normalized as names are. Its name is made from its title (text or
// title attribute), else from its URL's host and path: lower-case letters, digits and '-', unique
// among the names already taken and those read before it (a "-2", "-3" added).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace sluice::config {

struct OpmlFeed {
  std::string name;
  std::string url;       // xmlUrl
  std::string title;     // as the file gives it, for a comment; may be empty
  std::string site;      // htmlUrl; may be empty
  std::vector<std::string> tags;
};

struct OpmlList {
  std::vector<OpmlFeed> feeds;
  // What the reader did not take as it stood, one line each: outlines whose URL sluice cannot poll
  // ("line N: ...") or that are configured already, names given a suffix because they were taken.
  std::vector<std::string> notes;
};

// Reads an OPML document. Feeds whose URL is among `configured` are left out (noted), and the
// names there are taken. Throws ConfigError naming source:line:column when the document is not OPML.
OpmlList read_opml(std::string_view document, const std::string& source, const std::vector<FeedConfig>& configured = {});

// A name as configuration names are ([a-z0-9][a-z0-9-]*, at most 60 characters) from free text:
// letters and digits kept (ASCII lower-cased), every other run one '-'; empty when none is left.
std::string name_from(std::string_view text);

// The feeds as YAML sequence items ("  - name: ...\n    url: ...\n"), each indented by indent
// spaces, its title as a comment.
std::string feeds_yaml(const std::vector<OpmlFeed>& feeds, std::size_t indent = 2);

// The text of a configuration file (`config`, as parsed from it) with feeds added at the end of
// its `feeds:` list, in the indentation that list uses; everything else in it is left as it was
// (comments included). Throws ConfigError when the list is written inline (`feeds: [...]` with
// feeds in it) or the result would not be a valid configuration (a name or URL there already).
std::string add_feeds(const std::string& text, const Config& config, const std::vector<OpmlFeed>& feeds);

// The configured feeds of `type: feed` as an OPML 2.0 document, each in the folder of its first
// tag (feeds without tags at the top level), all its tags in `category`.
std::string write_opml(const Config& config, std::string_view title = "sluice feeds");

}  // namespace sluice::config
