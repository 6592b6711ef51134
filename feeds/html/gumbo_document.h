// RAII owner of one gumbo parse. Every GumboNode and text pointer it hands out lives as long as the
// document does.
//
// Before gumbo sees the markup, one pass over the bytes drops <script>, <style>, <svg> (the
// elements kInvisibleElements marks dropped_before_parse) and comments
// (often half of a modern page, and nothing a reader sees), keeping JSON-LD blocks aside; cuts the
// markup at kMaxMarkupBytes and flattens elements nested deeper than kMaxDepth, so that a huge or
// hostile document costs bounded memory, time and stack (gumbo itself recurses over the tree).
#pragma once

#include <gumbo.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::feeds {

inline constexpr std::size_t kMaxMarkupBytes = std::size_t{4} << 20;
inline constexpr int kMaxDepth = 1000;

// The markup as gumbo gets it, with what was set aside or had to be changed.
struct PreparedMarkup {
  std::string markup;  // without scripts, styles, inline SVG and comments
  std::vector<std::string> json_ld;
  std::string problem;  // "" or what was cut or flattened, one line
};

PreparedMarkup prepare_markup(std::string_view html);

class GumboDocument {
 public:
  // Parses html as an HTML5 browser would; throws std::bad_alloc when gumbo cannot allocate.
  explicit GumboDocument(std::string_view html);
  // Parses markup prepare_markup() has already prepared.
  explicit GumboDocument(PreparedMarkup prepared);
  GumboDocument(const GumboDocument&) = delete;
  GumboDocument& operator=(const GumboDocument&) = delete;
  ~GumboDocument();

  const GumboNode* root() const noexcept { return output_->root; }
  const GumboNode* document() const noexcept { return output_->document; }

  // The text of the <script type="application/ld+json"> blocks, in document order.
  const std::vector<std::string>& json_ld() const noexcept { return prepared_.json_ld; }
  // What had to be cut or flattened, "" when nothing.
  const std::string& problem() const noexcept { return prepared_.problem; }

 private:
  PreparedMarkup prepared_;
  GumboOutput* output_;
};

}  // namespace sluice::feeds
