#include "feeds/parse/feed_json.h"

#include <nlohmann/json.hpp>

#include "feeds/dates.h"
#include "feeds/parse/element_reader.h"

namespace sluice::feeds {
namespace {

using Json = nlohmann::ordered_json;

void put_text(Json& out, const char* name, const std::optional<Text>& text) {
  if (!text) return;
  out[name] = text->value;
  out[std::string(name) + "_type"] = text->type;
  if (!text->language.empty()) out[std::string(name) + "_language"] = text->language;
}

void put_string(Json& out, const char* name, const std::string& value) {
  if (!value.empty()) out[name] = value;
}

void put_date(Json& out, const char* name, const std::optional<Timestamp>& time, const std::string& raw) {
  if (!time && raw.empty()) return;
  out[name] = time ? Json(format_rfc3339(*time)) : Json(nullptr);
  if (!raw.empty()) out[std::string(name) + "_raw"] = raw;
}

Json person_json(const Person& person) {
  Json out = Json::object();
  put_string(out, "name", person.name);
  put_string(out, "email", person.email);
  put_string(out, "href", person.href);
  return out;
}

void put_people(Json& out, const std::vector<Person>& authors, const std::vector<Person>& contributors) {
  if (!authors.empty()) {
    out["author"] = format_person(authors.front());
    out["author_detail"] = person_json(authors.front());
    Json list = Json::array();
    for (const Person& person : authors) list.push_back(person_json(person));
    out["authors"] = std::move(list);
  }
  if (!contributors.empty()) {
    Json list = Json::array();
    for (const Person& person : contributors) list.push_back(person_json(person));
    out["contributors"] = std::move(list);
  }
}

auto or_null(const std::string& value) { return value.empty() ? Json(nullptr) : Json(value); }

template <typename Target>
void put_common(Json& out, const Target& target) {
  put_text(out, "title", target.title);
  put_text(out, "rights", target.rights);
  put_string(out, "link", target.link);
  if (!target.links.empty()) {
    Json links = Json::array();
    for (const Link& link : target.links) {
      Json item = {{"href", link.href}, {"rel", link.rel}};
      if (!link.type.empty()) item["type"] = link.type;
      if (!link.title.empty()) item["title"] = link.title;
      if (link.length) item["length"] = std::to_string(*link.length);
      links.push_back(std::move(item));
    }
    out["links"] = std::move(links);
  }
  put_string(out, "language", target.language);
  put_date(out, "published", target.published, target.published_raw);
  put_date(out, "updated", target.updated, target.updated_raw);
  put_people(out, target.authors, target.contributors);
  if (!target.tags.empty()) {
    Json tags = Json::array();
    for (const Category& tag : target.tags)
      tags.push_back({{"term", tag.term}, {"scheme", or_null(tag.scheme)}, {"label", or_null(tag.label)}});
    out["tags"] = std::move(tags);
  }
}

Json feed_info_json(const FeedInfo& feed) {
  Json out = Json::object();
  put_common(out, feed);
  put_text(out, "subtitle", feed.subtitle);
  put_string(out, "id", feed.id);
  put_string(out, "generator", feed.generator);
  if (feed.image) {
    Json image = Json::object();
    put_string(image, "href", feed.image->href);
    put_string(image, "title", feed.image->title);
    put_string(image, "link", feed.image->link);
    out["image"] = std::move(image);
  }
  return out;
}

Json entry_json(const Entry& entry) {
  Json out = Json::object();
  put_string(out, "id", entry.id);
  put_common(out, entry);
  put_text(out, "summary", entry.summary);
  if (!entry.content.empty()) {
    Json content = Json::array();
    for (const Text& text : entry.content)
      content.push_back({{"value", text.value}, {"type", text.type}, {"language", or_null(text.language)}});
    out["content"] = std::move(content);
  }
  if (!entry.enclosures.empty()) {
    Json enclosures = Json::array();
    for (const Enclosure& enclosure : entry.enclosures) {
      Json item = {{"href", enclosure.url}};
      if (enclosure.type) item["type"] = *enclosure.type;
      if (enclosure.length) item["length"] = std::to_string(*enclosure.length);
      enclosures.push_back(std::move(item));
    }
    out["enclosures"] = std::move(enclosures);
  }
  put_string(out, "comments", entry.comments);
  put_string(out, "itunes_duration", entry.duration_raw);
  put_string(out, "slash_comments", entry.comment_count);
  return out;
}

}  // namespace

std::string feed_json(const FeedDocument& document) {
  Json entries = Json::array();
  for (const Entry& entry : document.entries) entries.push_back(entry_json(entry));
  const Json out = {
      {"bozo", document.bozo},
      {"bozo_exception", document.bozo ? Json(document.bozo_reason) : Json(nullptr)},
      {"encoding", or_null(document.encoding)},
      {"version", or_null(document.version)},
      {"feed", feed_info_json(document.feed)},
      {"entries", std::move(entries)},
  };
  return out.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string feed_error_json(const std::string& reason) {
  const Json out = {{"bozo", true}, {"bozo_exception", reason}, {"encoding", nullptr},
                    {"version", nullptr}, {"feed", Json::object()}, {"entries", Json::array()}};
  return out.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace sluice::feeds
