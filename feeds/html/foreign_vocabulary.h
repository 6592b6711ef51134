// The SVG and MathML that may stay inline in feed content: the elements and attributes that draw
// or lay out and cannot run anything (no script, no event handler, no style, no animation that
// could rewrite a link, no foreign URL but through the sanitizer's URL check), the vocabulary
// feed readers have long allowed less what could be turned against a reader.
#pragma once

#include <string_view>

namespace sluice::feeds {

inline constexpr std::string_view kSvgNamespace = "http://www.w3.org/2000/svg";
inline constexpr std::string_view kMathMlNamespace = "http://www.w3.org/1998/Math/MathML";
inline constexpr std::string_view kXlinkNamespace = "http://www.w3.org/1999/xlink";

// An SVG element or attribute, given in lower case (as HTML tokenizes it), as SVG spells it
// ("foreignobject" → "foreignObject", "viewbox" → "viewBox"); "" when it may not stay.
std::string_view svg_element(std::string_view lower);
std::string_view svg_attribute(std::string_view lower);

bool is_mathml_element(std::string_view lower);
bool is_mathml_attribute(std::string_view lower);

}  // namespace sluice::feeds
