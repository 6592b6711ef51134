// Turns a parsed feed entry, or a cleaned page, into the article subscribers receive. A feed entry's
// content (else its summary) goes through the cleaning stage like a page's body does: repeats and
// hidden parts removed, markup reduced to an allowlist.
#pragma once

#include "config/config.h"
#include "feeds/model.h"
#include "pipeline/clean/cleaner.h"

namespace sluice::pipeline {

feeds::Article make_article(const config::FeedConfig& feed, const feeds::FeedInfo& info,
                            const feeds::Entry& entry, feeds::Timestamp fetched);

// Copies a cleaned story into article: body blocks, HTML, summary (the story's description, else
// the teaser cut from before the title, else the first paragraph) and fingerprint; the page's
// metadata fills the fields the article does not have yet.
void apply_story(const CleanedStory& story, feeds::Article& article);

// The article of a page an HTML feed links to: the cleaned story is all there is. `url` is the
// link the page was found under, canonical: the article's identity, and its URL unless the page
// names its own canonical one.
feeds::Article make_page_article(const config::FeedConfig& feed, const CleanedStory& story, const std::string& url,
                                 feeds::Timestamp fetched);

// Full text: when the page holds clearly more of the story than the feed item did (a summary, a
// truncated excerpt), its body replaces the item's; the item's own title, date and summary stay.
// Returns whether the page was used.
bool use_page_body(const CleanedStory& story, feeds::Article& article);

// The stable article id: 32 hex digits derived from the feed name and the entry's identity.
std::string article_id(std::string_view feed_name, std::string_view entry_key);

// Fingerprints that tell an edited entry (SeenEntries): of the entry as the feed gave it (title,
// link, summary, content), and of the article's cleaned title and text. Never 0.
std::uint64_t entry_fingerprint(const feeds::Entry& entry);
std::uint64_t text_fingerprint(const feeds::Article& article);

}  // namespace sluice::pipeline
