// Allowlist sanitizing of HTML found in feeds (summaries, content, HTML titles).
//
// A tokenizer, not a tree builder: allowed markup is re-emitted as written (character and entity
// references are kept, so "&#38;" stays "&#38;"), attributes are filtered, sorted and quoted,
// relative URLs are resolved against the base, and everything else is dropped: script, style and
// applet with their content, iframe, object, embed, forms' dangerous attributes, on* handlers,
// javascript: and other unsafe URL schemes (data: is kept for images only), comments, processing
// instructions and declarations.
#pragma once

#include <string>
#include <string_view>

namespace sluice::feeds {

std::string sanitize_html(std::string_view html, std::string_view base_url);

// Whether `name` (lower case) is an HTML element the sanitizer keeps.
bool is_acceptable_html_element(std::string_view name);

}  // namespace sluice::feeds
