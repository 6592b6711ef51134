// The cleaning stage: from a web page, a feed item's HTML or scraped plain text to the story once,
// clean, as blocks, with what the source says about it.
//
// Every path ends the same way: repeats of the title are dropped (with a teaser or kicker that
// comes before the first one), then repeated blocks of substance keep only their first occurrence.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/selector.h"
#include "pipeline/clean/blocks.h"
#include "pipeline/clean/page_metadata.h"

namespace sluice::pipeline {

struct CleanedStory {
  PageMetadata metadata;      // pages: everything found; text: the title; fragments: nothing
  std::vector<Block> blocks;  // the body
  std::string lead;           // a teaser or standfirst removed from before the title, if any
  std::string problem;        // what had to be cut or flattened to read the page, "" when nothing
  bool content_missed = false;  // the page rules' content selector matched nothing (pages only)
};

// A whole web page: the main content is found among the page's boilerplate (content_extractor.h),
// or where the feed's page rules say. explain, when given, receives the extractor's decisions.
CleanedStory clean_page(std::string_view html, std::string_view page_url, std::string* explain = nullptr,
                        const config::PageRules* rules = nullptr);

// A feed item's content: all of it is the story, but it still loses repeats, hidden parts and
// what the feed's `remove` rules match.
CleanedStory clean_fragment(std::string_view html, std::string_view base_url, std::string_view title,
                            const config::PageRules* rules = nullptr);

// Plain text with one block per line (blank lines ignored). Without a known title, the title is the
// short line that repeats, else a short first line.
CleanedStory clean_text(std::string_view text, std::string_view title = {});

}  // namespace sluice::pipeline
