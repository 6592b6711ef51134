#include "feeds/parse/websub_links.h"

#include <algorithm>

#include "feeds/text.h"
#include "feeds/urls.h"

namespace sluice::feeds {
namespace {

void skip_space(std::string_view text, std::size_t& at) {
  while (at < text.size() && (text[at] == ' ' || text[at] == '\t')) ++at;
}

// A parameter value: a token, or a quoted string with backslash escapes.
std::string param_value(std::string_view text, std::size_t& at) {
  std::string out;
  if (at < text.size() && text[at] == '"') {
    for (++at; at < text.size() && text[at] != '"'; ++at) {
      if (text[at] == '\\' && at + 1 < text.size()) ++at;
      out += text[at];
    }
    if (at < text.size()) ++at;  // the closing quote
    return out;
  }
  while (at < text.size() && text[at] != ';' && text[at] != ',') out += text[at++];
  return trim(out);
}

void add_hub(WebSubLinks& out, std::string_view base, std::string_view target) {
  std::string url = resolve_url(base, trim_view(target));
  if (is_http_url(url) && std::ranges::find(out.hubs, url) == out.hubs.end()) out.hubs.push_back(std::move(url));
}

}  // namespace

std::vector<HeaderLink> parse_link_header(std::string_view value) {
  std::vector<HeaderLink> out;
  std::size_t at = 0;
  while (at < value.size()) {
    skip_space(value, at);
    if (at < value.size() && value[at] == ',') {
      ++at;
      continue;
    }
    if (at >= value.size() || value[at] != '<') {
      // Not a link: skip to the next one.
      while (at < value.size() && value[at] != ',') ++at;
      continue;
    }
    const std::size_t close = value.find('>', at);
    if (close == std::string_view::npos) break;
    HeaderLink link{std::string(value.substr(at + 1, close - at - 1)), {}};
    at = close + 1;
    // Parameters up to the next link.
    while (true) {
      skip_space(value, at);
      if (at >= value.size() || value[at] != ';') break;
      ++at;
      skip_space(value, at);
      std::size_t name_end = at;
      while (name_end < value.size() && value[name_end] != '=' && value[name_end] != ';' && value[name_end] != ',')
        ++name_end;
      const std::string name = ascii_lower(trim_view(value.substr(at, name_end - at)));
      at = name_end;
      std::string parameter;
      if (at < value.size() && value[at] == '=') {
        ++at;
        skip_space(value, at);
        parameter = param_value(value, at);
      }
      // rel holds space-separated relation types; only the first rel parameter counts.
      if (name == "rel" && link.rels.empty()) {
        std::size_t from = 0;
        while (from < parameter.size()) {
          std::size_t end = parameter.find_first_of(" \t", from);
          if (end == std::string::npos) end = parameter.size();
          if (end > from) link.rels.push_back(ascii_lower(std::string_view(parameter).substr(from, end - from)));
          from = end + 1;
        }
      }
    }
    out.push_back(std::move(link));
    while (at < value.size() && value[at] != ',') ++at;  // whatever is left of a malformed link
  }
  return out;
}

WebSubLinks websub_links(const FeedDocument& document, std::string_view link_header, std::string_view base_url) {
  WebSubLinks out;
  for (const HeaderLink& link : parse_link_header(link_header)) {
    for (const std::string& rel : link.rels) {
      if (rel == "hub") add_hub(out, base_url, link.target);
      else if (rel == "self" && out.self.empty()) out.self = resolve_url(base_url, trim_view(link.target));
    }
  }
  for (const Link& link : document.feed.links) {
    const std::string rel = ascii_lower(link.rel);
    if (rel == "hub") add_hub(out, base_url, link.href);
    else if (rel == "self" && out.self.empty()) out.self = resolve_url(base_url, trim_view(link.href));
  }
  if (!is_http_url(out.self)) out.self.clear();
  return out;
}

}  // namespace sluice::feeds
