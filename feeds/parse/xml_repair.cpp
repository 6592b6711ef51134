#include "feeds/parse/xml_repair.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "feeds/html/gumbo_document.h"
#include "feeds/text.h"

namespace sluice::feeds {
namespace {

// amp, apos, gt, lt, quot: the entities XML itself defines.
bool is_xml_entity(std::string_view name) {
  switch (name.size()) {
    case 2: return name == "lt" || name == "gt";
    case 3: return name == "amp";
    case 4: return name == "quot" || name == "apos";
    default: return false;
  }
}

// Gumbo knows every HTML5 named reference; it is asked once per name and the answer is kept.
std::string decode_with_gumbo(std::string_view name) {
  const GumboDocument document("<p>&" + std::string(name) + ";</p>");
  std::string text;
  const GumboNode* node = document.root();
  while (node && node->type == GUMBO_NODE_ELEMENT && node->v.element.children.length > 0) {
    const GumboVector& children = node->v.element.children;
    node = static_cast<const GumboNode*>(children.data[children.length - 1]);
  }
  if (node && node->type == GUMBO_NODE_TEXT) text = node->v.text.text;
  if (text == "&" + std::string(name) + ";") return "";
  return text;
}

// "&#N;" references for the code points of a UTF-8 string.
std::string numeric_references(std::string_view utf8) {
  std::string out;
  for (std::size_t i = 0; i < utf8.size();) {
    const auto lead = static_cast<unsigned char>(utf8[i]);
    const int length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    char32_t code = length == 1 ? lead : length == 2 ? lead & 0x1F : length == 3 ? lead & 0x0F : lead & 0x07;
    for (int k = 1; k < length && i + k < utf8.size(); ++k)
      code = (code << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3F);
    out += "&#" + std::to_string(static_cast<unsigned long>(code)) + ";";
    i += static_cast<std::size_t>(length);
  }
  return out;
}

constexpr bool is_forbidden_control(unsigned char c) { return c < 0x20 && c != '\t' && c != '\n' && c != '\r'; }

// Bytes the repair loop must look at: markup starts, ampersands, forbidden control characters.
constexpr std::array<bool, 256> kSpecial = [] {
  std::array<bool, 256> table{};
  for (int c = 0; c < 0x20; ++c) table[static_cast<std::size_t>(c)] = is_forbidden_control(static_cast<unsigned char>(c));
  table['<'] = table['&'] = true;
  return table;
}();

// The first byte from `at` on that kSpecial marks, or text.size(). Sixteen bytes at a time where
// SSE2 is there (every x86-64), since the dry run reads every byte of every document.
std::size_t next_special(std::string_view text, std::size_t at) {
#ifdef __SSE2__
  const __m128i less = _mm_set1_epi8('<');
  const __m128i amp = _mm_set1_epi8('&');
  const __m128i space = _mm_set1_epi8(0x20);
  const __m128i tab = _mm_set1_epi8('\t');
  const __m128i newline = _mm_set1_epi8('\n');
  const __m128i ret = _mm_set1_epi8('\r');
  while (at + 16 <= text.size()) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + at));
    // Controls: 0x00..0x1F (signed compare: bytes from 0x80 up are negative, so they are kept
    // out by the second test), less the three allowed ones.
    const __m128i control = _mm_andnot_si128(
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(bytes, tab), _mm_cmpeq_epi8(bytes, newline)), _mm_cmpeq_epi8(bytes, ret)),
        _mm_and_si128(_mm_cmplt_epi8(bytes, space), _mm_cmpgt_epi8(bytes, _mm_set1_epi8(-1))));
    const __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(bytes, less), _mm_cmpeq_epi8(bytes, amp)), control);
    if (const int mask = _mm_movemask_epi8(hit); mask != 0) return at + static_cast<std::size_t>(std::countr_zero(static_cast<unsigned>(mask)));
    at += 16;
  }
#endif
  while (at < text.size() && !kSpecial[static_cast<unsigned char>(text[at])]) ++at;
  return at;
}

// The end of a construct starting at `at` that is copied unchanged, or npos when none starts there.
std::size_t verbatim_end(std::string_view text, std::size_t at) {
  const auto skip_to = [&](std::string_view terminator, std::size_t from) {
    const std::size_t end = text.find(terminator, from);
    return end == std::string_view::npos ? text.size() : end + terminator.size();
  };
  // Tags, the common case, are never verbatim constructs.
  if (at + 1 >= text.size() || (text[at + 1] != '!' && text[at + 1] != '?')) return std::string_view::npos;
  const std::string_view rest = text.substr(at);
  if (rest.starts_with("<![CDATA[")) return skip_to("]]>", at + 9);
  if (rest.starts_with("<!--")) return skip_to("-->", at + 4);
  if (rest.starts_with("<?")) return skip_to("?>", at + 2);
  if (rest.starts_with("<!DOCTYPE") || rest.starts_with("<!doctype")) {
    const std::size_t subset = text.find('[', at);
    const std::size_t close = text.find('>', at);
    if (subset != std::string_view::npos && subset < close) return skip_to("]>", subset);
    return skip_to(">", at);
  }
  return std::string_view::npos;
}

// The general entities a DOCTYPE's internal subset declares with a literal value,
// <!ENTITY name "value">. External ones (SYSTEM, PUBLIC) and parameter entities (%) are not read:
// nothing is ever fetched. At most kMaxEntities, each value at most kMaxEntityValue bytes.
class DeclaredEntities {
 public:
  static constexpr std::size_t kMaxEntities = 256;
  static constexpr std::size_t kMaxEntityValue = 16 * 1024;

  // subset: the text between the DOCTYPE's [ and ].
  void read(std::string_view subset) {
    for (std::size_t at = subset.find("<!ENTITY"); at != std::string_view::npos && entries_.size() < kMaxEntities;
         at = subset.find("<!ENTITY", at + 8)) {
      std::size_t i = at + 8;
      const auto skip_space = [&] {
        while (i < subset.size() && is_ascii_space(subset[i])) ++i;
      };
      skip_space();
      if (i >= subset.size() || subset[i] == '%') continue;
      const std::size_t name_start = i;
      while (i < subset.size() && !is_ascii_space(subset[i]) && subset[i] != '"' && subset[i] != '\'' &&
             subset[i] != '>')
        ++i;
      const std::string_view name = subset.substr(name_start, i - name_start);
      skip_space();
      if (name.empty() || i >= subset.size() || (subset[i] != '"' && subset[i] != '\'')) continue;  // SYSTEM, PUBLIC
      const char quote = subset[i];
      const std::size_t end = subset.find(quote, i + 1);
      if (end == std::string_view::npos || end - i - 1 > kMaxEntityValue) continue;
      if (!find(name)) entries_.emplace_back(std::string(name), std::string(subset.substr(i + 1, end - i - 1)));
    }
  }

  const std::string* find(std::string_view name) const {
    for (const auto& [declared, value] : entries_)
      if (declared == name) return &value;
    return nullptr;
  }

  bool empty() const noexcept { return entries_.empty(); }

 private:
  std::vector<std::pair<std::string, std::string>> entries_;
};

// The internal subset of a DOCTYPE at `at`, "" when it has none.
std::string_view internal_subset(std::string_view text, std::size_t at) {
  const std::size_t open = text.find('[', at);
  const std::size_t close_tag = text.find('>', at);
  if (open == std::string_view::npos || open > close_tag) return {};
  const std::size_t end = text.find("]>", open);
  return text.substr(open + 1, (end == std::string_view::npos ? text.size() : end) - open - 1);
}

}  // namespace

std::string html_entity(std::string_view name) {
  // HTML 4.01's 252 entities are what feeds were written against; HTML5 kept them all and gave
  // new characters to two, which feeds of the HTML 4 era mean the old way.
  if (name == "lang") return "\u2329";
  if (name == "rang") return "\u232A";
  static std::mutex mutex;
  static std::unordered_map<std::string, std::string> known;
  const std::lock_guard lock(mutex);
  auto [it, inserted] = known.try_emplace(std::string(name));
  if (inserted) it->second = decode_with_gumbo(name);
  return it->second;
}

namespace {

// What a document's own entities may expand to: the DOCTYPE's declarations, and a budget of bytes
// (1 MiB) and of nesting (8 levels) that a "billion laughs" runs into.
struct Expansion {
  static constexpr int kMaxDepth = 8;
  DeclaredEntities declared;
  std::size_t budget = 1 << 20;
  bool used = false;  // an entity was expanded
};

// A declared entity's replacement text with the references in it read as in the document (its
// own entities expanded in turn); false when the depth or the budget runs out.
bool expand(const std::string& value, Expansion& expansion, int depth, std::string& out) {
  if (depth > Expansion::kMaxDepth) return false;
  for (std::size_t i = 0; i < value.size();) {
    const std::size_t amp = value.find('&', i);
    const std::string_view plain = std::string_view(value).substr(i, (amp == std::string::npos ? value.size() : amp) - i);
    if (plain.size() > expansion.budget) return false;
    expansion.budget -= plain.size();
    out.append(plain);
    if (amp == std::string::npos) break;
    const std::size_t semicolon = value.find(';', amp);
    const std::string_view name =
        semicolon == std::string::npos ? std::string_view() : std::string_view(value).substr(amp + 1, semicolon - amp - 1);
    if (const std::string* nested = name.empty() ? nullptr : expansion.declared.find(name)) {
      if (!expand(*nested, expansion, depth + 1, out)) return false;
      i = semicolon + 1;
    } else if (!name.empty() && (is_xml_entity(name) || name.starts_with('#'))) {
      out.append(value, amp, semicolon + 1 - amp);
      i = semicolon + 1;
    } else if (const std::string decoded = name.empty() ? std::string() : html_entity(name); !decoded.empty()) {
      out.append(numeric_references(decoded));
      i = semicolon + 1;
    } else {
      out.append("&amp;");
      i = amp + 1;
    }
  }
  return true;
}

// An ampersand at i: a reference XML knows is kept; one to an entity the document declares is
// expanded; an HTML entity becomes numeric references; an unknown entity or a bare '&' is escaped.
// Returns where reading goes on, or nullopt when `note` says the dry run can stop.
template <typename Note, typename Append>
std::optional<std::size_t> repair_ampersand(std::string_view document, std::size_t i, Expansion& expansion, Note& note,
                                            Append& append) {
  std::size_t j = i + 1;
  if (j < document.size() && document[j] == '#') {
    if (const std::size_t length = numeric_reference_length(document, i); length > 0) {
      const std::string_view reference = document.substr(i, length);
      if (reference[2] == 'X') {  // HTML's spelling; XML knows only "&#x"
        if (note("character reference " + std::string(reference) + " with a capital X")) return std::nullopt;
        append("&#x");
        append(reference.substr(3));
      } else {
        append(reference);
      }
      return i + length;
    }
  } else {
    while (j < document.size() &&
           (is_ascii_alnum(document[j]) || document[j] == '_' || document[j] == '-' || document[j] == '.'))
      ++j;
    const std::string_view name = document.substr(i + 1, j - i - 1);
    if (!name.empty() && j < document.size() && document[j] == ';') {
      if (is_xml_entity(name)) {
        append(document.substr(i, j + 1 - i));
      } else if (const std::string* value = expansion.declared.find(name)) {
        std::string expanded;
        if (expand(*value, expansion, 1, expanded)) {
          expansion.used = true;
          append(expanded);
        } else {
          if (note("entity &" + std::string(name) + "; expands past 1 MiB or 8 levels; kept as text")) return std::nullopt;
          append("&amp;");
          append(name);
          append(";");
        }
      } else if (const std::string decoded = html_entity(name); !decoded.empty()) {
        if (note("undefined entity &" + std::string(name) + "; read as its HTML meaning")) return std::nullopt;
        append(numeric_references(decoded));
      } else {
        if (note("undefined entity &" + std::string(name) + "; kept as text")) return std::nullopt;
        append("&amp;");
        append(name);
        append(";");
      }
      return j + 1;
    }
  }
  if (note("bare '&' escaped")) return std::nullopt;
  append("&amp;");
  return i + 1;
}

// The repair loop. With kCopy it writes the repaired document to `text` and returns the first
// problem; without, it only looks for the first problem and returns it at once.
template <bool kCopy>
std::string repair(std::string_view document, std::string& text, bool* expanded = nullptr) {
  std::string problem;
  Expansion expansion;
  // Returns true when the dry run can stop.
  auto note = [&](std::string what) {
    if (problem.empty()) problem = std::move(what);
    return !kCopy;
  };
  auto append = [&](std::string_view piece) {
    if constexpr (kCopy) text.append(piece);
  };
  std::size_t i = 0;
  if (document.starts_with("\xEF\xBB\xBF")) i = 3;
  const std::size_t first_tag = document.find('<', i);
  if (first_tag == std::string_view::npos) {
    append(document);
    return problem;
  }
  for (std::size_t k = i; k < first_tag; ++k)
    if (!is_ascii_space(document[k])) {
      if (note("text before the first tag, skipped")) return problem;
      i = first_tag;
      break;
    }
  if constexpr (kCopy) text.reserve(document.size() + document.size() / 16);
  while (i < document.size()) {
    // Copy plain runs in one go; only markup starts, ampersands and control characters need a look.
    std::size_t plain = i;
    plain = next_special(document, plain);
    append(document.substr(i, plain - i));
    i = plain;
    if (i >= document.size()) break;
    const char c = document[i];
    if (c == '<') {
      const std::size_t end = verbatim_end(document, i);
      if (end != std::string_view::npos) {
        const std::string_view construct = document.substr(i, end - i);
        if (construct.starts_with("<!DOCTYPE") || construct.starts_with("<!doctype"))
          expansion.declared.read(internal_subset(construct, 0));
        append(construct);
        i = end;
        continue;
      }
    } else if (c == '&') {
      const auto next = repair_ampersand(document, i, expansion, note, append);
      if (expanded) *expanded = expansion.used;
      if (!next) return problem;
      i = *next;
      continue;
    } else if (is_forbidden_control(static_cast<unsigned char>(c))) {
      if (note("control character dropped")) return problem;
      ++i;
      continue;
    }
    append(document.substr(i, 1));
    ++i;
  }
  return problem;
}

}  // namespace

std::string find_xml_problem(std::string_view document, bool* expands_entities) {
  std::string unused;
  bool expanded = false;
  std::string problem = repair<false>(document, unused, &expanded);
  if (expands_entities) *expands_entities = expanded;
  return problem;
}

RepairedXml repair_xml(std::string_view document) {
  RepairedXml out;
  out.problem = repair<true>(document, out.text);
  return out;
}

}  // namespace sluice::feeds
