// Helpers for the parser tests: parse or fail the test, and print model values compactly.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "feeds/dates.h"
#include "feeds/parse/element_reader.h"
#include "feeds/parse/feed_parser.h"
#include "tests/support/temp_dir.h"

namespace sluice::feeds::testing_helpers {

inline FeedDocument parse_ok(std::string_view body, std::string_view url = "", std::string_view content_type = "") {
  auto result = parse_feed(std::string(body), url, content_type);
  if (!result) ADD_FAILURE() << "parse failed: " << result.error().reason;
  return result.value_or(FeedDocument{});
}

// The captures of real-world feeds beside the parser's tests (testdata/).
inline const std::filesystem::path kTestdata(SLUICE_TESTDATA_DIR);

inline FeedDocument parse_file(const std::string& name, std::string_view url = "", std::string_view content_type = "") {
  SCOPED_TRACE(name);
  return parse_ok(test::read_file(kTestdata / name), url, content_type);
}

inline std::string date(const std::optional<Timestamp>& time) { return time ? format_rfc3339(*time) : "null"; }

inline std::string value(const std::optional<Text>& text) { return text ? text->value : "<absent>"; }

inline std::vector<std::string> names(const std::vector<Person>& people) {
  std::vector<std::string> out;
  for (const Person& person : people) out.push_back(format_person(person));
  return out;
}

// "term", or "term|label" when the category has a label.
inline std::vector<std::string> terms(const std::vector<Category>& tags) {
  std::vector<std::string> out;
  for (const Category& tag : tags) out.push_back(tag.label.empty() ? tag.term : tag.term + "|" + tag.label);
  return out;
}

}  // namespace sluice::feeds::testing_helpers
