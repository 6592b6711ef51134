#include "tests/support/schema.h"

#include <regex>

#include "tests/support/temp_dir.h"

namespace sluice::test {
namespace {

bool has_type(const nlohmann::json& value, const std::string& type) {
  if (type == "string") return value.is_string();
  if (type == "integer") return value.is_number_integer();
  if (type == "number") return value.is_number();
  if (type == "boolean") return value.is_boolean();
  if (type == "array") return value.is_array();
  if (type == "object") return value.is_object();
  if (type == "null") return value.is_null();
  return false;
}

}  // namespace

std::vector<std::string> schema_violations(const nlohmann::json& schema, const nlohmann::json& value,
                                           const std::string& path) {
  std::vector<std::string> out;
  if (schema.contains("type")) {
    const nlohmann::json& types = schema["type"];
    bool ok = false;
    for (const auto& type : types.is_array() ? types : nlohmann::json::array({types}))
      ok = ok || has_type(value, type.get<std::string>());
    if (!ok) {
      out.push_back(path + ": expected type " + types.dump() + ", got " + value.dump().substr(0, 80));
      return out;
    }
  }
  if (schema.contains("const") && value != schema["const"]) out.push_back(path + ": expected " + schema["const"].dump());
  if (schema.contains("enum")) {
    bool listed = false;
    for (const auto& allowed : schema["enum"]) listed = listed || allowed == value;
    if (!listed) out.push_back(path + ": " + value.dump() + " is not one of " + schema["enum"].dump());
  }
  if (schema.contains("pattern") && value.is_string() &&
      !std::regex_search(value.get<std::string>(), std::regex(schema["pattern"].get<std::string>())))
    out.push_back(path + ": " + value.dump() + " does not match " + schema["pattern"].get<std::string>());
  if (schema.contains("minimum") && value.is_number() && value.get<double>() < schema["minimum"].get<double>())
    out.push_back(path + ": below minimum " + schema["minimum"].dump());
  if (value.is_object()) {
    if (schema.contains("required"))
      for (const auto& key : schema["required"])
        if (!value.contains(key.get<std::string>())) out.push_back(path + ": missing required " + key.dump());
    if (schema.contains("properties"))
      for (const auto& [key, property] : schema["properties"].items())
        if (value.contains(key)) {
          auto nested = schema_violations(property, value[key], path + "." + key);
          out.insert(out.end(), nested.begin(), nested.end());
        }
  }
  if (value.is_array() && schema.contains("items")) {
    for (std::size_t i = 0; i < value.size(); ++i) {
      auto nested = schema_violations(schema["items"], value[i], path + "[" + std::to_string(i) + "]");
      out.insert(out.end(), nested.begin(), nested.end());
    }
  }
  return out;
}

nlohmann::json load_json(const std::filesystem::path& file) { return nlohmann::json::parse(read_file(file)); }

const nlohmann::json& article_schema() {
  static const nlohmann::json schema = load_json(std::filesystem::path(SLUICE_FIXTURES_DIR) / "schema/article.schema.json");
  return schema;
}

}  // namespace sluice::test
