// What a page says about its article beyond the body: title, dates, authors, canonical URL,
// language, lead image and description. Sources, most trusted first: JSON-LD (schema.org) and
// Open Graph / article:* meta tags, then plain <meta>, <link rel=canonical>, <h1>, <time> and
// <title> (with the site name cut off).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "feeds/model.h"
#include "pipeline/clean/page_dom.h"

namespace sluice::pipeline {

struct PageMetadata {
  std::string title;
  std::string site_name;
  std::string description;
  std::optional<std::string> url;  // canonical, absolute, tracking parameters removed
  std::optional<feeds::Timestamp> published;
  std::optional<feeds::Timestamp> updated;
  std::vector<std::string> authors;
  std::optional<std::string> language;
  std::optional<std::string> image;  // absolute
};

// page_url is where the page came from ("" when unknown); relative URLs resolve against it.
PageMetadata read_page_metadata(const PageDom& dom, std::string_view page_url);

// `title` without a trailing or leading site name ("Story | Site", "Site - Story").
std::string strip_site_name(std::string_view title, std::string_view site_name);

}  // namespace sluice::pipeline
