// Turns a parsed feed entry into the article subscribers receive. Until the cleaning stage lands,
// the article's text is the entry's content (else its summary) reduced to plain paragraphs, and
// its HTML is rebuilt from those paragraphs, so nothing from the feed's markup passes through.
#pragma once

#include "config/config.h"
#include "feeds/model.h"

namespace sluice::pipeline {

feeds::Article make_article(const config::FeedConfig& feed, const feeds::FeedInfo& info,
                            const feeds::Entry& entry, feeds::Timestamp fetched);

// The stable article id: 32 hex digits derived from the feed name and the entry's identity.
std::string article_id(std::string_view feed_name, std::string_view entry_key);

}  // namespace sluice::pipeline
