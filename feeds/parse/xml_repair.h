// Repairs the commonest ways feeds break XML before the XML parser sees them, so that a reader
// gets what the publisher meant: HTML named entities (&nbsp;, &hellip;) become character
// references, bare ampersands are escaped, control characters are dropped and junk before the
// first tag is skipped. The entities a DOCTYPE's internal subset declares with a literal value are
// expanded (the XML parser does not), bounded to 1 MiB and 8 levels per document; external ones
// are never fetched. CDATA sections, comments and the DOCTYPE are left as they are.
#pragma once

#include <string>
#include <string_view>

namespace sluice::feeds {

struct RepairedXml {
  std::string text;
  std::string problem;  // the first repair made, one line; "" when the document needed none
};

RepairedXml repair_xml(std::string_view document);

// The first repair repair_xml() would make, without making a copy; "" when the document needs none.
// expands_entities, when given, says whether the document uses entities it declares, which
// repair_xml() expands although the document is well-formed.
std::string find_xml_problem(std::string_view document, bool* expands_entities = nullptr);

// The UTF-8 text of an HTML named character reference ("nbsp" → U+00A0), "" when HTML has none.
std::string html_entity(std::string_view name);

}  // namespace sluice::feeds
