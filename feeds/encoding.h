// Turns a fetched document into UTF-8. The charset is taken, in this order, from a byte-order
// mark, the HTTP Content-Type, the XML declaration (or an HTML <meta>), and finally detection
// (uchardet). Bytes that are invalid in the chosen charset never stop parsing: in a document that
// says UTF-8 they are read as Windows-1252 (the usual mistake), elsewhere replaced by U+FFFD.
#pragma once

#include <string>
#include <string_view>

namespace sluice::feeds {

struct DecodedDocument {
  std::string text;      // UTF-8, without a byte-order mark
  std::string encoding;  // the charset it was read in, lower case ("utf-8", "windows-1252", ...)
  std::string problem;   // one line when the declared charset was wrong or missing; "" otherwise
};

DecodedDocument decode_document(std::string_view body, std::string_view content_type);

// The charset parameter of a Content-Type ("text/xml; charset=UTF-8" → "utf-8"), "" when none.
std::string charset_of(std::string_view content_type);

}  // namespace sluice::feeds
