// A feed's keep and block rules (config/entry_rules.h) applied to a cleaned article, before it is
// published and before the story index sees it.
#pragma once

#include <string>

#include "config/entry_rules.h"
#include "feeds/model.h"

namespace sluice::pipeline {

// Why the article is not published, "" when it is: the first block rule it matches
// ("block title ~ (?i)sponsored"), or that there are keep rules and it matches none ("no keep
// rule matched"). Fields: title; text (the paragraphs as published, else the summary); url;
// author and tags (any one of them); language.
std::string blocked_by(const config::EntryRules& rules, const feeds::Article& article);

}  // namespace sluice::pipeline
