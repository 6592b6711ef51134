// RAII owner of one gumbo parse. Every GumboNode and text pointer it hands out lives as long as the
// document does.
#pragma once

#include <gumbo.h>

#include <string_view>

namespace sluice::feeds {

class GumboDocument {
 public:
  // Parses html as an HTML5 browser would; throws std::bad_alloc when gumbo cannot allocate.
  explicit GumboDocument(std::string_view html);
  GumboDocument(const GumboDocument&) = delete;
  GumboDocument& operator=(const GumboDocument&) = delete;
  ~GumboDocument();

  const GumboNode* root() const noexcept { return output_->root; }
  const GumboNode* document() const noexcept { return output_->document; }

 private:
  GumboOutput* output_;
};

}  // namespace sluice::feeds
