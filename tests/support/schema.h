// Checks a JSON value against the subset of JSON Schema that schema/article.schema.json uses:
// type (one or a list), const, enum, pattern, minimum, required, properties, items.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace sluice::test {

// Every place where value breaks schema, as "path: what"; empty when it conforms.
std::vector<std::string> schema_violations(const nlohmann::json& schema, const nlohmann::json& value,
                                           const std::string& path = "$");

nlohmann::json load_json(const std::filesystem::path& file);

// The published article schema (tests/fixtures/schema).
const nlohmann::json& article_schema();

}  // namespace sluice::test
