#include "feeds/gumbo_document.h"

#include <new>

namespace sluice::feeds {

GumboDocument::GumboDocument(std::string_view html)
    : output_(gumbo_parse_with_options(&kGumboDefaultOptions, html.data(), html.size())) {
  if (!output_) throw std::bad_alloc();
}

GumboDocument::~GumboDocument() { gumbo_destroy_output(&kGumboDefaultOptions, output_); }

}  // namespace sluice::feeds
