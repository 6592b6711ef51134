// Reads the elements of a feed document into the model, whatever format the document is:
// feeds mix vocabularies freely (atom:link and dc:creator inside RSS, dc:subject inside Atom), so
// every known element is handled by its namespace and local name, once, for all formats.
#pragma once

#include <pugixml.hpp>

#include <algorithm>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "feeds/model.h"
#include "feeds/parse/precedence.h"

namespace sluice::feeds {

class ElementReader {
 public:
  // document_url: the base for relative links. atom: the document is Atom, where text
  // constructs say their type; in RSS plain-text fields that look like HTML are taken as HTML.
  // native_namespace: the namespace of the document's root element, whose elements are read as
  // the format's own whatever its URI (RSS and Atom drafts used several).
  ElementReader(std::string_view document_url, bool atom, std::string_view native_namespace)
      : url_(document_url), atom_(atom), native_namespace_(native_namespace) {}

  // Reads the feed-level children of `channel` (items and entries are skipped).
  void read_feed(pugi::xml_node channel, FeedInfo& feed) const;

  // Reads one item / entry.
  Entry read_entry(pugi::xml_node item) const;

  // The first thing read that the document should not have done (bozo), "" when none.
  const std::string& problem() const noexcept { return problem_; }

 private:
  // The rank of the source that gave each single-valued field so far (precedence.h), -1 for none.
  struct Held {
    int rank[static_cast<int>(Field::image) + 1];
    Held() { std::fill(std::begin(rank), std::end(rank), -1); }
    // Whether key is a source of field that replaces what the field holds (and then it holds it).
    bool take(Field field, std::string_view key) {
      const int source = source_rank(field, key);
      if (!replaces(field, source, rank[static_cast<int>(field)])) return false;
      rank[static_cast<int>(field)] = source;
      return true;
    }
  };

  template <typename Target>
  bool read_common(std::string_view key, pugi::xml_node node, Target& target, Held& held) const;
  Text read_text(pugi::xml_node node, std::string_view default_type) const;
  Link read_link(pugi::xml_node node) const;
  Person read_person(pugi::xml_node node) const;
  // The base URL in effect at node (xml:base on it and its ancestors over the document URL).
  // Valid until the next call.
  std::string_view base(pugi::xml_node node) const;
  std::string key_of(pugi::xml_node node) const;
  std::string_view namespace_of(pugi::xml_node node) const;
  // The element's text as a URL resolved against the base in effect, or as written.
  std::string resolved(pugi::xml_node node) const;

  std::string url_;
  bool atom_;
  mutable std::string problem_;
  std::string native_namespace_;

  // Siblings share their scope: the namespaces and the base URL in effect under the last parent
  // asked about are kept, so reading an item's children walks its ancestors once, not per child.
  // (A reader is used by one thread.)
  mutable pugi::xml_node namespace_scope_;
  mutable std::vector<std::pair<std::string_view, std::string_view>> prefixes_;  // prefix → URI
  mutable pugi::xml_node base_scope_;
  mutable std::string scope_base_;
  mutable std::string base_;
};

// The namespace-qualified key the reader dispatches on: "title" for RSS (any RSS namespace),
// "atom:title", "dc:creator", "content:encoded", ...; "?" for unknown namespaces.
std::string element_key(pugi::xml_node node);

// Parses a free-form author string ("jo@example.org (Jo Smith)", "Jo Smith <jo@example.org>").
Person parse_person(std::string_view text);

// feedparser's spelling of a person: "Name (email)", or whichever of the two is present.
std::string format_person(const Person& person);

}  // namespace sluice::feeds
