// The one list of elements whose content is never text a reader sees: scripts and styles,
// embedded documents, media and graphics, form controls. prepare_markup() drops the first few
// from the bytes before gumbo parses them (they are often half of a modern page); turning HTML
// into text (html_text) and laying a page out for cleaning (PageDom) leave out all of them.
#pragma once

#include <gumbo.h>

#include <algorithm>
#include <string_view>

namespace sluice::feeds {

struct InvisibleElement {
  GumboTag tag;
  std::string_view name;
  bool dropped_before_parse;  // raw text (or a whole vocabulary, SVG) cut from the markup itself
};

inline constexpr InvisibleElement kInvisibleElements[] = {
    {GUMBO_TAG_SCRIPT, "script", true},       {GUMBO_TAG_STYLE, "style", true},
    {GUMBO_TAG_SVG, "svg", true},             {GUMBO_TAG_NOSCRIPT, "noscript", false},
    {GUMBO_TAG_TEMPLATE, "template", false},  {GUMBO_TAG_IFRAME, "iframe", false},
    {GUMBO_TAG_OBJECT, "object", false},      {GUMBO_TAG_EMBED, "embed", false},
    {GUMBO_TAG_CANVAS, "canvas", false},      {GUMBO_TAG_MATH, "math", false},
    {GUMBO_TAG_AUDIO, "audio", false},        {GUMBO_TAG_VIDEO, "video", false},
    {GUMBO_TAG_MAP, "map", false},            {GUMBO_TAG_SELECT, "select", false},
    {GUMBO_TAG_OPTION, "option", false},      {GUMBO_TAG_DATALIST, "datalist", false},
    {GUMBO_TAG_BUTTON, "button", false},      {GUMBO_TAG_INPUT, "input", false},
    {GUMBO_TAG_TEXTAREA, "textarea", false},
};

inline bool is_invisible(GumboTag tag) noexcept {
  return std::ranges::any_of(kInvisibleElements, [tag](const InvisibleElement& element) { return element.tag == tag; });
}

}  // namespace sluice::feeds
