#include "feeds/html/foreign_vocabulary.h"

#include <array>
#include <string>
#include <unordered_map>

#include "feeds/html/word_set.h"
#include "feeds/text.h"

namespace sluice::feeds {
namespace {

// No animation elements (animate*, set, mpath): they can set an href to a javascript: URL after
// the sanitizer has looked at it.
constexpr std::array<std::string_view, 29> kSvgElements{
    "a", "circle", "defs", "desc", "ellipse", "font-face", "font-face-name", "font-face-src", "foreignObject", "g",
    "glyph", "hkern", "line", "linearGradient", "marker", "metadata", "missing-glyph", "path", "polygon",
    "polyline", "radialGradient", "rect", "stop", "svg", "switch", "text", "title", "tspan", "use"};

// No xml:base: it would move where the links it holds lead.
constexpr std::array<std::string_view, 139> kSvgAttributes{
    "accent-height", "accumulate", "additive", "alphabetic", "arabic-form", "ascent", "attributeName",
    "attributeType", "baseProfile", "bbox", "begin", "by", "calcMode", "cap-height", "class", "color",
    "color-rendering", "content", "cx", "cy", "d", "descent", "display", "dur", "dx", "dy", "end", "fill",
    "fill-opacity", "fill-rule", "font-family", "font-size", "font-stretch", "font-style", "font-variant",
    "font-weight", "from", "fx", "fy", "g1", "g2", "glyph-name", "gradientUnits", "hanging", "height",
    "horiz-adv-x", "horiz-origin-x", "id", "ideographic", "k", "keyPoints", "keySplines", "keyTimes", "lang",
    "marker-end", "marker-mid", "marker-start", "markerHeight", "markerUnits", "markerWidth", "mathematical",
    "max", "min", "name", "offset", "opacity", "orient", "origin", "overline-position", "overline-thickness",
    "panose-1", "path", "pathLength", "points", "preserveAspectRatio", "r", "refX", "refY", "repeatCount",
    "repeatDur", "requiredExtensions", "requiredFeatures", "restart", "rotate", "rx", "ry", "slope", "stemh",
    "stemv", "stop-color", "stop-opacity", "strikethrough-position", "strikethrough-thickness", "stroke",
    "stroke-dasharray", "stroke-dashoffset", "stroke-linecap", "stroke-linejoin", "stroke-miterlimit",
    "stroke-opacity", "stroke-width", "systemLanguage", "target", "text-anchor", "to", "transform", "type",
    "u1", "u2", "underline-position", "underline-thickness", "unicode", "unicode-range", "units-per-em",
    "values", "version", "viewBox", "visibility", "width", "widths", "x", "x-height", "x1", "x2",
    "xlink:actuate", "xlink:arcrole", "xlink:href", "xlink:role", "xlink:show", "xlink:title", "xlink:type",
    "xml:lang", "xml:space", "xmlns", "xmlns:xlink", "y", "y1", "y2", "zoomAndPan"};

constexpr std::array<std::string_view, 44> kMathMlElements{
    "annotation", "annotation-xml", "maction", "maligngroup", "malignmark", "math", "menclose", "merror",
    "mfenced", "mfrac", "mglyph", "mi", "mlabeledtr", "mlongdiv", "mmultiscripts", "mn", "mo", "mover",
    "mpadded", "mphantom", "mprescripts", "mroot", "mrow", "ms", "mscarries", "mscarry", "msgroup", "msline",
    "mspace", "msqrt", "msrow", "mstack", "mstyle", "msub", "msubsup", "msup", "mtable", "mtd", "mtext", "mtr",
    "munder", "munderover", "none", "semantics"};

constexpr std::array<std::string_view, 99> kMathMlAttributes{
    "accent", "accentunder", "actiontype", "align", "alignmentscope", "altimg", "altimg-height",
    "altimg-valign", "altimg-width", "alttext", "bevelled", "charalign", "close", "columnalign", "columnlines",
    "columnspacing", "columnspan", "columnwidth", "crossout", "decimalpoint", "denomalign", "depth", "dir",
    "display", "displaystyle", "edge", "encoding", "equalcolumns", "equalrows", "fence", "fontstyle",
    "fontweight", "form", "frame", "framespacing", "groupalign", "height", "href", "id", "indentalign",
    "indentalignfirst", "indentalignlast", "indentshift", "indentshiftfirst", "indentshiftlast", "indenttarget",
    "infixlinebreakstyle", "largeop", "length", "linebreak", "linebreakmultchar", "linebreakstyle",
    "lineleading", "linethickness", "location", "longdivstyle", "lquote", "lspace", "mathbackground",
    "mathcolor", "mathsize", "mathvariant", "maxsize", "minlabelspacing", "minsize", "movablelimits",
    "notation", "numalign", "open", "other", "overflow", "position", "rowalign", "rowlines", "rowspacing",
    "rowspan", "rquote", "rspace", "scriptlevel", "scriptminsize", "scriptsizemultiplier", "selection",
    "separator", "separators", "shift", "side", "src", "stackalign", "stretchy", "subscriptshift",
    "superscriptshift", "symmetric", "voffset", "width", "xlink:href", "xlink:show", "xlink:type", "xmlns",
    "xmlns:xlink"};

// Lower case → as SVG spells it.
template <std::size_t N>
std::unordered_map<std::string, std::string_view> spelled(const std::array<std::string_view, N>& words) {
  std::unordered_map<std::string, std::string_view> map;
  for (const std::string_view word : words) map.emplace(ascii_lower(word), word);
  return map;
}

std::string_view lookup(const std::unordered_map<std::string, std::string_view>& map, std::string_view lower) {
  const auto found = map.find(std::string(lower));
  return found == map.end() ? std::string_view() : found->second;
}

}  // namespace

std::string_view svg_element(std::string_view lower) {
  static const auto map = spelled(kSvgElements);
  return lookup(map, lower);
}

std::string_view svg_attribute(std::string_view lower) {
  static const auto map = spelled(kSvgAttributes);
  return lookup(map, lower);
}

bool is_mathml_element(std::string_view lower) {
  static const WordFlags set{{kMathMlElements, 1}};
  return set.contains(lower);
}

bool is_mathml_attribute(std::string_view lower) {
  static const WordFlags set{{kMathMlAttributes, 1}};
  return set.contains(lower);
}

}  // namespace sluice::feeds
