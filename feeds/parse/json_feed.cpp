#include "feeds/parse/json_feed.h"

#include <nlohmann/json.hpp>

#include "feeds/dates.h"
#include "feeds/html/html_sanitizer.h"
#include "feeds/text.h"
#include "feeds/urls.h"

namespace sluice::feeds {
namespace {

using Json = nlohmann::json;

std::string string_of(const Json& object, const char* key) {
  if (!object.is_object()) return "";
  const auto found = object.find(key);
  if (found == object.end()) return "";
  if (found->is_string()) return found->get<std::string>();
  if (found->is_number_integer()) return std::to_string(found->get<std::int64_t>());
  return "";
}

std::string absolute(std::string_view base, const std::string& url) {
  if (url.empty()) return "";
  std::string resolved = resolve_url(base, url);
  return resolved.empty() ? url : resolved;
}

// JSON Feed 1.1's "authors" list, or 1.0's "author", whichever the version: feeds mix them. An
// author's "mailto:" URL is their address.
std::vector<Person> people_of(const Json& object, std::string_view base) {
  std::vector<Person> people;
  auto add = [&](const Json& author) {
    const std::string url = string_of(author, "url");
    Person person{string_of(author, "name"), "", ""};
    if (url.size() > 7 && ascii_lower(url.substr(0, 7)) == "mailto:") person.email = url.substr(7);
    else person.href = absolute(base, url);
    if (!person.empty()) people.push_back(std::move(person));
  };
  if (const auto authors = object.find("authors"); authors != object.end() && authors->is_array())
    for (const Json& author : *authors) add(author);
  if (const auto author = object.find("author"); people.empty() && author != object.end()) add(*author);
  return people;
}

void read_date(const Json& object, const char* key, std::optional<Timestamp>& date, std::string& raw) {
  raw = string_of(object, key);
  if (!raw.empty()) date = parse_date(raw);
}

Entry read_item(const Json& item, std::string_view base, const std::string& feed_language) {
  Entry entry;
  entry.id = string_of(item, "id");
  entry.link = absolute(base, string_of(item, "url"));
  if (!entry.link.empty()) entry.links.push_back(Link{entry.link, "alternate", "text/html", "", std::nullopt});
  if (const std::string external = absolute(base, string_of(item, "external_url")); !external.empty())
    entry.links.push_back(Link{external, "related", "", "", std::nullopt});
  if (const std::string title = string_of(item, "title"); !title.empty()) entry.title = Text{title, "text/plain", ""};
  if (const std::string html = string_of(item, "content_html"); !html.empty())
    entry.content.push_back(Text{sanitize_html(html, entry.link.empty() ? base : entry.link), "text/html", ""});
  if (const std::string text = string_of(item, "content_text"); !text.empty())
    entry.content.push_back(Text{text, "text/plain", ""});
  if (const std::string summary = string_of(item, "summary"); !summary.empty())
    entry.summary = Text{summary, "text/plain", ""};
  else if (!entry.content.empty())
    entry.summary = entry.content.front();
  entry.image = absolute(base, string_of(item, "image"));
  if (entry.image.empty()) entry.image = absolute(base, string_of(item, "banner_image"));
  read_date(item, "date_published", entry.published, entry.published_raw);
  read_date(item, "date_modified", entry.updated, entry.updated_raw);
  entry.authors = people_of(item, base);
  if (const auto tags = item.find("tags"); tags != item.end() && tags->is_array())
    for (const Json& tag : *tags)
      if (tag.is_string()) entry.tags.push_back(Category{tag.get<std::string>(), "", ""});
  if (const auto attachments = item.find("attachments"); attachments != item.end() && attachments->is_array()) {
    for (const Json& attachment : *attachments) {
      Enclosure enclosure{absolute(base, string_of(attachment, "url")), std::nullopt, std::nullopt, std::nullopt};
      if (enclosure.url.empty()) continue;
      if (const std::string type = string_of(attachment, "mime_type"); !type.empty()) enclosure.type = type;
      if (const auto size = attachment.find("size_in_bytes"); size != attachment.end() && size->is_number_integer())
        enclosure.length = size->get<std::int64_t>();
      if (const auto seconds = attachment.find("duration_in_seconds"); seconds != attachment.end() && seconds->is_number() &&
                                                                         seconds->get<double>() >= 0 && seconds->get<double>() < 1e12)
        enclosure.duration = static_cast<std::int64_t>(seconds->get<double>());
      entry.enclosures.push_back(std::move(enclosure));
    }
  }
  entry.language = normalize_language(string_of(item, "language"));
  if (entry.language.empty()) entry.language = feed_language;
  return entry;
}

}  // namespace

std::expected<FeedDocument, ParseError> parse_json_feed(std::string_view text, std::string_view url,
                                                        std::size_t max_entries) {
  const Json root = Json::parse(text.begin(), text.end(), nullptr, false);
  if (root.is_discarded()) return std::unexpected(ParseError{"not valid JSON"});
  if (!root.is_object()) return std::unexpected(ParseError{"not a JSON Feed: the document is not an object"});
  // A document with an items list is a feed, whatever its version says: a missing, bare ("1.1"),
  // http:// or misspelt version is a formality, read past and reported as bozo.
  const std::string version = string_of(root, "version");
  const auto items = root.find("items");
  const bool has_items = items != root.end() && items->is_array();
  const bool named = version == "https://jsonfeed.org/version/1" || version == "https://jsonfeed.org/version/1.1";
  if (!named && !has_items) {
    if (version.find("jsonfeed.org") == std::string::npos)
      return std::unexpected(ParseError{"not a JSON Feed: no jsonfeed.org version and no items list"});
  }

  FeedDocument feed;
  feed.encoding = "utf-8";
  feed.version = version.ends_with("1.1") ? "json11" : "json1";
  if (!named) {
    feed.bozo = true;
    feed.bozo_reason = version.empty() ? "JSON Feed without a version; read as " + feed.version
                                       : "JSON Feed version '" + version.substr(0, 100) +
                                             "' is not https://jsonfeed.org/version/1 or 1.1; read as " + feed.version;
  }
  const std::string home = absolute(url, string_of(root, "home_page_url"));
  const std::string self = absolute(url, string_of(root, "feed_url"));
  const std::string base = !home.empty() ? home : !self.empty() ? self : std::string(url);
  if (const std::string title = string_of(root, "title"); !title.empty()) feed.feed.title = Text{title, "text/plain", ""};
  if (const std::string description = string_of(root, "description"); !description.empty())
    feed.feed.subtitle = Text{description, "text/plain", ""};
  feed.feed.link = home;
  if (!home.empty()) feed.feed.links.push_back(Link{home, "alternate", "text/html", "", std::nullopt});
  if (!self.empty()) feed.feed.links.push_back(Link{self, "self", "application/feed+json", "", std::nullopt});
  // "hubs": the endpoints that push the feed, as links rel=hub (the type says which protocol).
  if (const auto hubs = root.find("hubs"); hubs != root.end() && hubs->is_array())
    for (const Json& hub : *hubs)
      if (hub.is_object())
        if (const std::string href = absolute(url, string_of(hub, "url")); !href.empty())
          feed.feed.links.push_back(Link{href, "hub", string_of(hub, "type"), "", std::nullopt});
  feed.feed.language = normalize_language(string_of(root, "language"));
  feed.feed.authors = people_of(root, base);
  if (const std::string icon = absolute(base, string_of(root, "icon")); !icon.empty())
    feed.feed.image = Image{icon, feed.feed.title ? feed.feed.title->value : "", home};
  if (!has_items) {
    feed.bozo = true;
    feed.bozo_reason = "JSON Feed without an items list";
    return feed;
  }
  for (const Json& item : *items)
    if (item.is_object()) add_entry(feed, read_item(item, base, feed.feed.language), max_entries);
  feed.entries_dropped += keep_newest_entries(feed.entries, max_entries);
  return feed;
}

}  // namespace sluice::feeds
