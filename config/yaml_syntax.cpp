#include "config/yaml_syntax.h"

#include <algorithm>
#include <optional>
#include <string_view>
#include <vector>

namespace sluice::config {
namespace {

std::string_view trim(std::string_view text) {
  const std::size_t first = text.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r") - first + 1);
}

// The line with its comment cut, and the net change of flow nesting ([ { against ] }) outside
// quotes; first_open is the column (0-based) of the first bracket that stays open, if any.
struct Scanned {
  std::string_view content;
  int depth_change = 0;
  std::optional<std::size_t> first_open;
};

Scanned scan(std::string_view line) {
  Scanned scanned;
  char quote = 0;
  std::vector<std::size_t> open;
  std::size_t end = line.size();
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quote) {
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) {
      end = i;
      break;
    } else if (c == '[' || c == '{') {
      open.push_back(i);
      ++scanned.depth_change;
    } else if (c == ']' || c == '}') {
      if (!open.empty()) open.pop_back();
      --scanned.depth_change;
    }
  }
  scanned.content = line.substr(0, end);
  if (!open.empty()) scanned.first_open = open.front();
  return scanned;
}

// The key a block line starts with ("key: value", "key:"), unquoted; "" when it has none.
std::string key_of(std::string_view content) {
  std::size_t colon = std::string_view::npos;
  if (!content.empty() && (content.front() == '"' || content.front() == '\'')) {
    const std::size_t close = content.find(content.front(), 1);
    if (close == std::string_view::npos || close + 1 >= content.size() || content[close + 1] != ':') return "";
    if (close + 2 < content.size() && content[close + 2] != ' ') return "";
    return std::string(content.substr(1, close - 1));
  }
  for (std::size_t at = content.find(':'); at != std::string_view::npos; at = content.find(':', at + 1)) {
    if (at + 1 == content.size() || content[at + 1] == ' ' || content[at + 1] == '\t') {
      colon = at;
      break;
    }
  }
  if (colon == std::string_view::npos || colon == 0) return "";
  const std::string_view key = trim(content.substr(0, colon));
  if (key.find_first_of("[]{},") != std::string_view::npos) return "";
  return std::string(key);
}

// The block structure of the text read so far, by indentation: the keys and list items that
// enclose the current line, so an error on it can be named as feeds[2].interval is.
class Outline {
 public:
  // Reads one line outside any flow collection; it returns the line's own indentation.
  void add(std::string_view content) {
    const std::size_t indent = content.find_first_not_of(' ');
    if (indent == std::string_view::npos) return;
    std::string_view rest = content.substr(indent);
    std::size_t at = indent;
    while (rest.starts_with("- ") || rest == "-") {
      // A list item: the next one of the list at this indentation, or the first of a new list.
      while (!entries_.empty() && entries_.back().indent > at) entries_.pop_back();
      if (!entries_.empty() && entries_.back().indent == at && entries_.back().item) {
        ++entries_.back().index;
      } else {
        entries_.push_back({at, "", true, 0});
      }
      const std::size_t skip = std::min(rest.size(), rest.find_first_not_of(' ', 1));
      at += skip;
      rest = rest.substr(skip);
    }
    const std::string key = key_of(rest);
    if (key.empty()) return;
    while (!entries_.empty() && entries_.back().indent >= at && !(entries_.back().item && entries_.back().indent < at))
      entries_.pop_back();
    entries_.push_back({at, key, false, 0});
  }

  std::string path() const {
    std::string path;
    for (const Entry& entry : entries_) {
      if (entry.item) {
        path += "[" + std::to_string(entry.index) + "]";
      } else {
        if (!path.empty()) path += '.';
        path += entry.key;
      }
    }
    return path;
  }

  // The indentation of the innermost key, which its siblings share; nullopt at the top.
  std::optional<std::size_t> key_indent() const {
    for (auto entry = entries_.rbegin(); entry != entries_.rend(); ++entry)
      if (!entry->item) return entry->indent;
    return std::nullopt;
  }

  // The path of what encloses the innermost key (where a sibling of it belongs).
  std::string parent_path() const {
    Outline parent = *this;
    if (!parent.entries_.empty() && !parent.entries_.back().item) parent.entries_.pop_back();
    return parent.path();
  }

 private:
  struct Entry {
    std::size_t indent;
    std::string key;
    bool item;
    int index;
  };
  std::vector<Entry> entries_;
};

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  for (std::size_t at = 0; at <= text.size();) {
    std::size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  return lines;
}

std::string plural(std::size_t count, const char* noun) {
  return std::to_string(count) + " " + noun + (count == 1 ? "" : "s");
}

}  // namespace

ConfigError yaml_syntax_error(const std::string& yaml, const std::string& source, const YAML::ParserException& error) {
  const std::vector<std::string_view> lines = lines_of(yaml);
  const std::size_t error_line = static_cast<std::size_t>(std::max(error.mark.line, 0));
  const Position at{error.mark.line + 1, error.mark.column + 1};
  Outline outline;
  int depth = 0;
  std::optional<Position> flow_opened;
  std::string flow_key;
  char flow_bracket = 0;
  // The structure up to the line before the error, and whether a bracket is still open there.
  for (std::size_t i = 0; i < std::min(error_line, lines.size()); ++i) {
    const Scanned scanned = scan(lines[i]);
    if (depth == 0) outline.add(scanned.content);
    if (depth == 0 && scanned.depth_change > 0 && scanned.first_open) {
      flow_opened = Position{static_cast<int>(i) + 1, static_cast<int>(*scanned.first_open) + 1};
      flow_key = outline.path();
      flow_bracket = lines[i][*scanned.first_open];
    }
    depth = std::max(0, depth + scanned.depth_change);
  }
  const auto wording = [&error]() { return "invalid YAML: " + error.msg; };
  if (depth > 0 && flow_opened) {
    const char close = flow_bracket == '[' ? ']' : '}';
    return ConfigError(source, *flow_opened, flow_key,
                       std::string("invalid YAML: the ") + flow_bracket + " opened here is not closed with " + close);
  }
  const std::string_view line = error_line < lines.size() ? lines[error_line] : std::string_view();
  const std::string_view content = scan(line).content;
  const std::string_view body = trim(content);
  const std::size_t indent = body.empty() ? 0 : content.find_first_not_of(' ');
  const std::string& message = error.msg;

  if (message == YAML::ErrorMsg::END_OF_MAP || message == YAML::ErrorMsg::END_OF_SEQ) {
    const std::optional<std::size_t> siblings = outline.key_indent();
    const std::string key = key_of(body);
    if (body.starts_with("- "))
      return ConfigError(source, at, outline.parent_path(),
                         "invalid YAML: a list item ('- ') where a key belongs; a list goes under its key, "
                         "indented further");
    if (siblings && !key.empty() && indent != *siblings) {
      const std::string parent = outline.parent_path();
      return ConfigError(source, at, parent.empty() ? key : parent + "." + key,
                         "invalid YAML: indented " + plural(indent, "space") + ", where the keys before it are "
                         "indented " + std::to_string(*siblings));
    }
    return ConfigError(source, at, outline.path(),
                       "invalid YAML: this line is indented neither as the keys before it nor as a new list item");
  }
  Outline here = outline;
  here.add(content);
  if (message == YAML::ErrorMsg::TAB_IN_INDENTATION) {
    const std::string key = key_of(trim(content));
    const std::string parent = outline.parent_path();
    return ConfigError(source, at, key.empty() ? outline.path() : parent.empty() ? key : parent + "." + key,
                       "invalid YAML: a tab indents this line; indent with spaces");
  }
  if (message == YAML::ErrorMsg::MAP_VALUE)
    return ConfigError(source, at, here.path(),
                       "invalid YAML: ': ' inside a value; put the value in quotes (\"...\")");
  if (message == YAML::ErrorMsg::FLOW_END)
    return ConfigError(source, at, here.path(), "invalid YAML: a ] or } that closes nothing");
  if (message == YAML::ErrorMsg::END_OF_MAP_FLOW || message == YAML::ErrorMsg::END_OF_SEQ_FLOW)
    return ConfigError(source, at, here.path(),
                       std::string("invalid YAML: a ") + (message == YAML::ErrorMsg::END_OF_MAP_FLOW ? "{" : "[") +
                           " is not closed with " + (message == YAML::ErrorMsg::END_OF_MAP_FLOW ? "}" : "]"));
  if (message == YAML::ErrorMsg::BLOCK_ENTRY)
    return ConfigError(source, at, here.path(),
                       "invalid YAML: a list item ('- ') cannot begin here; check the indentation of this line");
  return ConfigError(source, at, here.path(), wording());
}

}  // namespace sluice::config
