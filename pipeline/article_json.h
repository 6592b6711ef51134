// The article JSON of schema/article.schema.json: one object, fields in the schema's order.
#pragma once

#include <cstdint>
#include <string>

#include "feeds/model.h"

namespace sluice::pipeline {

std::string article_json(const feeds::Article& article, std::uint64_t seq);

}  // namespace sluice::pipeline
