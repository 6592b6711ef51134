// Turns a fetched document into UTF-8. The charset is taken, in this order, from a byte-order
// mark, the HTTP Content-Type, the XML declaration (or an HTML <meta>), and finally detection
// (uchardet). Bytes that are invalid in the chosen charset never stop parsing: in a document that
// says UTF-8 they are read as Windows-1252 (the usual mistake), elsewhere replaced by U+FFFD.
#pragma once

#include <string>
#include <string_view>

namespace sluice::feeds {

struct DecodedDocument {
  std::string_view original;  // the input, when it was clean UTF-8 (or ASCII) already
  std::string converted;      // the text, when it had to be converted or repaired
  bool is_converted = false;
  std::string encoding;   // the charset it was read in, lower case ("utf-8", "windows-1252", ...)
  std::string problem;    // one line when the declared charset was wrong or missing; "" otherwise

  // UTF-8, without a byte-order mark.
  std::string_view text() const noexcept { return is_converted ? std::string_view(converted) : original; }
};

// The result may point into `body`, which must outlive it.
DecodedDocument decode_document(std::string_view body, std::string_view content_type);

// The charset parameter of a Content-Type ("text/xml; charset=UTF-8" → "utf-8"), "" when none.
std::string charset_of(std::string_view content_type);

}  // namespace sluice::feeds
