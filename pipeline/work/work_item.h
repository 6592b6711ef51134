// What the worker stage hands the delivery stage, in order: a document's articles, then its
// feed-state commit (which the delivery stage stores only once the articles before it are out).
#pragma once

#include <variant>

#include "pipeline/clean/article_json.h"
#include "pipeline/state/state_store.h"

namespace sluice::pipeline {

using WorkItem = std::variant<PreparedArticle, DocumentCommit>;

}  // namespace sluice::pipeline
