#include "feeds/feed_parser.h"

#include <pugixml.hpp>

#include <charconv>

#include "feeds/dates.h"
#include "feeds/formats.h"
#include "feeds/xml.h"

namespace sluice::feeds {
namespace {

std::string_view skip_bom_and_space(std::string_view body) {
  if (body.starts_with("\xEF\xBB\xBF")) body.remove_prefix(3);
  const auto first = body.find_first_not_of(" \t\r\n");
  return first == std::string_view::npos ? std::string_view() : body.substr(first);
}

}  // namespace

void read_date(pugi::xml_node node, std::optional<Timestamp>& date, std::string& raw) {
  raw = xml::text(node);
  date = parse_date(raw);
}

std::optional<std::int64_t> parse_length(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

std::expected<FeedDocument, ParseError> parse_feed(std::string_view body, std::string_view url) {
  const std::string_view start = skip_bom_and_space(body);
  if (start.empty()) return std::unexpected(ParseError{"empty document"});
  if (start.front() == '{') return std::unexpected(ParseError{"JSON Feed documents are not supported yet"});

  pugi::xml_document document;
  const pugi::xml_parse_result result =
      document.load_buffer(body.data(), body.size(), pugi::parse_default, pugi::encoding_auto);
  const pugi::xml_node root = document.document_element();
  if (!root) {
    return std::unexpected(ParseError{std::string("not an XML document: ") + result.description() +
                                      " at byte " + std::to_string(result.offset)});
  }
  FeedDocument feed;
  if (!result) {
    feed.bozo = true;
    feed.bozo_reason = std::string("XML error at byte ") + std::to_string(result.offset) + ": " +
                       result.description() + "; kept what was read before it";
  }
  const std::string_view name = xml::local_name(root);
  if (name == "rss" || name == "RDF") parse_rss(root, url, feed);
  else if (name == "feed") parse_atom(root, url, feed);
  else return std::unexpected(ParseError{"not a feed: the root element is <" + std::string(root.name()) + ">"});
  return feed;
}

}  // namespace sluice::feeds
