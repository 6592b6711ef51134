#include "pipeline/clean/simple_markup.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "feeds/html/invisible_elements.h"
#include "feeds/text.h"

namespace sluice::pipeline {
namespace {

// How HTML5's "in body" insertion mode treats a start tag, for the elements laid out here.
enum class Kind : std::uint8_t {
  unsupported,  // rules of its own, or unknown: gumbo parses the markup
  ordinary,     // "any other start tag" (span, abbr, ...)
  formatting,   // b, i, em, ...: kept in the list of active formatting elements
  anchor,       // a: also a formatting element, and one may not open inside another
  block,        // closes an open p (div, ul, figure, p itself, ...)
  heading,      // h1-h6: closes an open p, and may not open inside another heading
  pre,          // closes an open p; a line break right after the tag is dropped
  list_item,    // li: closes an open li (and p)
  definition,   // dd, dt: close an open dd or dt (and p)
  rule,         // hr: closes an open p, has no content
  empty,        // br, img, wbr, ...: no content
};

using KindTable = std::array<Kind, GUMBO_TAG_LAST + 1>;

KindTable make_kinds() {
  KindTable kinds{};
  kinds.fill(Kind::unsupported);
  for (GumboTag tag : {GUMBO_TAG_SPAN, GUMBO_TAG_ABBR, GUMBO_TAG_ACRONYM, GUMBO_TAG_CITE, GUMBO_TAG_Q, GUMBO_TAG_DFN,
                       GUMBO_TAG_DATA, GUMBO_TAG_TIME, GUMBO_TAG_VAR, GUMBO_TAG_SAMP, GUMBO_TAG_KBD, GUMBO_TAG_SUB,
                       GUMBO_TAG_SUP, GUMBO_TAG_MARK, GUMBO_TAG_BDI, GUMBO_TAG_BDO, GUMBO_TAG_INS, GUMBO_TAG_DEL,
                       GUMBO_TAG_LABEL, GUMBO_TAG_AUDIO, GUMBO_TAG_VIDEO, GUMBO_TAG_CANVAS, GUMBO_TAG_MAP})
    kinds[tag] = Kind::ordinary;
  for (GumboTag tag : {GUMBO_TAG_B, GUMBO_TAG_BIG, GUMBO_TAG_CODE, GUMBO_TAG_EM, GUMBO_TAG_FONT, GUMBO_TAG_I,
                       GUMBO_TAG_S, GUMBO_TAG_SMALL, GUMBO_TAG_STRIKE, GUMBO_TAG_STRONG, GUMBO_TAG_TT, GUMBO_TAG_U})
    kinds[tag] = Kind::formatting;
  kinds[GUMBO_TAG_A] = Kind::anchor;
  for (GumboTag tag : {GUMBO_TAG_ADDRESS, GUMBO_TAG_ARTICLE, GUMBO_TAG_ASIDE, GUMBO_TAG_BLOCKQUOTE, GUMBO_TAG_CENTER,
                       GUMBO_TAG_DETAILS, GUMBO_TAG_DIR, GUMBO_TAG_DIV, GUMBO_TAG_DL, GUMBO_TAG_FIELDSET,
                       GUMBO_TAG_FIGCAPTION, GUMBO_TAG_FIGURE, GUMBO_TAG_FOOTER, GUMBO_TAG_HEADER, GUMBO_TAG_HGROUP,
                       GUMBO_TAG_MAIN, GUMBO_TAG_NAV, GUMBO_TAG_OL, GUMBO_TAG_P, GUMBO_TAG_SECTION, GUMBO_TAG_SUMMARY,
                       GUMBO_TAG_UL})
    kinds[tag] = Kind::block;
  for (GumboTag tag : {GUMBO_TAG_H1, GUMBO_TAG_H2, GUMBO_TAG_H3, GUMBO_TAG_H4, GUMBO_TAG_H5, GUMBO_TAG_H6})
    kinds[tag] = Kind::heading;
  kinds[GUMBO_TAG_PRE] = Kind::pre;
  kinds[GUMBO_TAG_LI] = Kind::list_item;
  kinds[GUMBO_TAG_DD] = Kind::definition;
  kinds[GUMBO_TAG_DT] = Kind::definition;
  kinds[GUMBO_TAG_HR] = Kind::rule;
  for (GumboTag tag : {GUMBO_TAG_BR, GUMBO_TAG_IMG, GUMBO_TAG_WBR, GUMBO_TAG_AREA, GUMBO_TAG_EMBED, GUMBO_TAG_PARAM,
                       GUMBO_TAG_SOURCE, GUMBO_TAG_TRACK})
    kinds[tag] = Kind::empty;
  return kinds;
}

const KindTable kKinds = make_kinds();

Kind kind_of(GumboTag tag) { return kKinds[tag]; }

// The "special" elements of HTML5 among those that stay open here, but for address, div and p: where
// the search for an open li, dd or dt stops.
bool stops_item_search(GumboTag tag) {
  const Kind kind = kind_of(tag);
  const bool special = kind == Kind::block || kind == Kind::heading || kind == Kind::pre ||
                       kind == Kind::list_item || kind == Kind::definition;
  return special && tag != GUMBO_TAG_ADDRESS && tag != GUMBO_TAG_DIV && tag != GUMBO_TAG_P;
}

// The end tags HTML5 implies when a block ends (of those laid out here).
bool implied_end(GumboTag tag) {
  return tag == GUMBO_TAG_P || tag == GUMBO_TAG_LI || tag == GUMBO_TAG_DD || tag == GUMBO_TAG_DT;
}

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\f' || c == '\r'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_alnum(char c) { return is_alpha(c) || (c >= '0' && c <= '9'); }

// Whether every byte reads the same to gumbo as here: well-formed UTF-8 without control
// characters (tab, line feed, form feed and carriage return aside), C1 controls, noncharacters or
// a byte order mark to start with.
bool plain_utf8(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) return false;
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t size = text.size();
  for (std::size_t i = 0; i < size;) {
    const unsigned c = bytes[i];
    if (c >= 0x20 && c < 0x7F) {
      ++i;
      continue;
    }
    if (c < 0x80) {
      if (c != '\t' && c != '\n' && c != '\f' && c != '\r') return false;
      ++i;
      continue;
    }
    int length = 0;
    char32_t code = 0;
    if (c >= 0xC2 && c <= 0xDF) length = 2, code = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF) length = 3, code = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4) length = 4, code = c & 0x07;
    else return false;
    if (i + static_cast<std::size_t>(length) > size) return false;
    for (int k = 1; k < length; ++k) {
      const unsigned next = bytes[i + static_cast<std::size_t>(k)];
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3F);
    }
    const char32_t least = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000;
    if (code < least || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    if (code <= 0x9F || (code >= 0xFDD0 && code <= 0xFDEF) || (code & 0xFFFE) == 0xFFFE) return false;
    i += static_cast<std::size_t>(length);
  }
  return true;
}

// A code point a numeric character reference may stand for here: one HTML5 takes as it is.
bool plain_code_point(char32_t code) {
  if (code < 0x80) return code == '\t' || code == '\n' || code == '\f' || (code >= 0x20 && code < 0x7F);
  if (code < 0xA0 || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
  return !(code >= 0xFDD0 && code <= 0xFDEF) && (code & 0xFFFE) != 0xFFFE;
}

struct NamedReference {
  std::string_view name;
  char32_t code;
  bool legacy;  // also recognized without its ';' (HTML5's list of those)
};

// The named character references read here: the 106 HTML5 also reads without a ';' (HTML 4's
// Latin-1 set and its four markup characters), and the punctuation, symbols and letters feeds
// write most. Any other name sends the markup to gumbo. Sorted by name (bytes).
constexpr NamedReference kNamedReferences[] = {
    {"AElig", 0xC6, true},   {"AMP", 0x26, true},     {"Aacute", 0xC1, true},  {"Acirc", 0xC2, true},
    {"Agrave", 0xC0, true},  {"Aring", 0xC5, true},   {"Atilde", 0xC3, true},  {"Auml", 0xC4, true},
    {"COPY", 0xA9, true},    {"Ccedil", 0xC7, true},  {"Dagger", 0x2021, false}, {"ETH", 0xD0, true},
    {"Eacute", 0xC9, true},  {"Ecirc", 0xCA, true},   {"Egrave", 0xC8, true},  {"Euml", 0xCB, true},
    {"GT", 0x3E, true},      {"Iacute", 0xCD, true},  {"Icirc", 0xCE, true},   {"Igrave", 0xCC, true},
    {"Iuml", 0xCF, true},    {"LT", 0x3C, true},      {"Ntilde", 0xD1, true},  {"OElig", 0x152, false},
    {"Oacute", 0xD3, true},  {"Ocirc", 0xD4, true},   {"Ograve", 0xD2, true},  {"Oslash", 0xD8, true},
    {"Otilde", 0xD5, true},  {"Ouml", 0xD6, true},    {"Prime", 0x2033, false}, {"QUOT", 0x22, true},
    {"REG", 0xAE, true},     {"Scaron", 0x160, false}, {"THORN", 0xDE, true},  {"Uacute", 0xDA, true},
    {"Ucirc", 0xDB, true},   {"Ugrave", 0xD9, true},  {"Uuml", 0xDC, true},    {"Yacute", 0xDD, true},
    {"Yuml", 0x178, false},  {"aacute", 0xE1, true},  {"acirc", 0xE2, true},   {"acute", 0xB4, true},
    {"aelig", 0xE6, true},   {"agrave", 0xE0, true},  {"amp", 0x26, true},     {"apos", 0x27, false},
    {"aring", 0xE5, true},   {"asymp", 0x2248, false}, {"atilde", 0xE3, true}, {"auml", 0xE4, true},
    {"bdquo", 0x201E, false}, {"brvbar", 0xA6, true}, {"bull", 0x2022, false}, {"ccedil", 0xE7, true},
    {"cedil", 0xB8, true},   {"cent", 0xA2, true},    {"circ", 0x2C6, false},  {"copy", 0xA9, true},
    {"curren", 0xA4, true},  {"dagger", 0x2020, false}, {"darr", 0x2193, false}, {"deg", 0xB0, true},
    {"divide", 0xF7, true},  {"eacute", 0xE9, true},  {"ecirc", 0xEA, true},   {"egrave", 0xE8, true},
    {"emsp", 0x2003, false}, {"ensp", 0x2002, false}, {"eth", 0xF0, true},     {"euml", 0xEB, true},
    {"euro", 0x20AC, false}, {"fnof", 0x192, false},  {"frac12", 0xBD, true},  {"frac14", 0xBC, true},
    {"frac34", 0xBE, true},  {"frasl", 0x2044, false}, {"ge", 0x2265, false},  {"gt", 0x3E, true},
    {"harr", 0x2194, false}, {"hearts", 0x2665, false}, {"hellip", 0x2026, false}, {"iacute", 0xED, true},
    {"icirc", 0xEE, true},   {"iexcl", 0xA1, true},   {"igrave", 0xEC, true},  {"infin", 0x221E, false},
    {"iquest", 0xBF, true},  {"iuml", 0xEF, true},    {"laquo", 0xAB, true},   {"larr", 0x2190, false},
    {"ldquo", 0x201C, false}, {"le", 0x2264, false},  {"lrm", 0x200E, false},  {"lsaquo", 0x2039, false},
    {"lsquo", 0x2018, false}, {"lt", 0x3C, true},     {"macr", 0xAF, true},    {"mdash", 0x2014, false},
    {"micro", 0xB5, true},   {"middot", 0xB7, true},  {"minus", 0x2212, false}, {"nbsp", 0xA0, true},
    {"ndash", 0x2013, false}, {"ne", 0x2260, false},  {"not", 0xAC, true},     {"ntilde", 0xF1, true},
    {"oacute", 0xF3, true},  {"ocirc", 0xF4, true},   {"oelig", 0x153, false}, {"ograve", 0xF2, true},
    {"oline", 0x203E, false}, {"ordf", 0xAA, true},   {"ordm", 0xBA, true},    {"oslash", 0xF8, true},
    {"otilde", 0xF5, true},  {"ouml", 0xF6, true},    {"para", 0xB6, true},    {"permil", 0x2030, false},
    {"plusmn", 0xB1, true},  {"pound", 0xA3, true},   {"prime", 0x2032, false}, {"quot", 0x22, true},
    {"raquo", 0xBB, true},   {"rarr", 0x2192, false}, {"rdquo", 0x201D, false}, {"reg", 0xAE, true},
    {"rlm", 0x200F, false},  {"rsaquo", 0x203A, false}, {"rsquo", 0x2019, false}, {"sbquo", 0x201A, false},
    {"scaron", 0x161, false}, {"sect", 0xA7, true},   {"shy", 0xAD, true},     {"sup1", 0xB9, true},
    {"sup2", 0xB2, true},    {"sup3", 0xB3, true},    {"szlig", 0xDF, true},   {"thinsp", 0x2009, false},
    {"thorn", 0xFE, true},   {"tilde", 0x2DC, false}, {"times", 0xD7, true},   {"trade", 0x2122, false},
    {"uacute", 0xFA, true},  {"uarr", 0x2191, false}, {"ucirc", 0xFB, true},   {"ugrave", 0xF9, true},
    {"uml", 0xA8, true},     {"uuml", 0xFC, true},    {"yacute", 0xFD, true},  {"yen", 0xA5, true},
    {"yuml", 0xFF, true},    {"zwj", 0x200D, false},  {"zwnj", 0x200C, false},
};

static_assert(std::ranges::is_sorted(kNamedReferences, {}, &NamedReference::name));

const NamedReference* find_reference(std::string_view name) {
  const auto* found = std::ranges::lower_bound(kNamedReferences, name, {}, &NamedReference::name);
  return found != std::end(kNamedReferences) && found->name == name ? found : nullptr;
}

bool starts_with_legacy_name(std::string_view run) {
  return std::ranges::any_of(kNamedReferences, [run](const NamedReference& reference) {
    return reference.legacy && run.starts_with(reference.name);
  });
}

// Text being gathered for one node or value: a view into the markup while it is the markup's bytes
// as they are, copied into the layout's text once something in it is decoded.
class Gathered {
 public:
  Gathered(std::string_view markup, std::string& arena) : markup_(markup), arena_(arena) {}

  bool empty() const noexcept { return !copied_ && begin_ == end_; }

  // The markup's bytes [from, to) as they are.
  bool plain(std::size_t from, std::size_t to) {
    if (from == to) return true;
    if (!copied_ && begin_ == end_) {
      begin_ = from;
      end_ = to;
      return true;
    }
    if (!copied_ && end_ == from) {
      end_ = to;
      return true;
    }
    return decoded(markup_.substr(from, to - from));
  }

  // Bytes that are not the markup's own (a decoded reference, a normalized line break).
  bool decoded(std::string_view bytes) {
    if (!copied_) {
      // The arena never grows past the capacity reserved for it, so views into it stay valid.
      if (arena_.size() + (end_ - begin_) + bytes.size() > arena_.capacity()) return false;
      copy_begin_ = arena_.size();
      arena_.append(markup_, begin_, end_ - begin_);
      copied_ = true;
    } else if (arena_.size() != copy_end_ || arena_.size() + bytes.size() > arena_.capacity()) {
      return false;  // something else was copied since: this text would not be in one piece
    }
    arena_.append(bytes);
    copy_end_ = arena_.size();
    return true;
  }

  std::string_view take() {
    const std::string_view out = copied_ ? std::string_view(arena_).substr(copy_begin_, copy_end_ - copy_begin_)
                                         : markup_.substr(begin_, end_ - begin_);
    copied_ = false;
    begin_ = end_ = 0;
    return out;
  }

 private:
  std::string_view markup_;
  std::string& arena_;
  std::size_t begin_ = 0, end_ = 0;
  bool copied_ = false;
  std::size_t copy_begin_ = 0, copy_end_ = 0;  // where it was copied to
};

// Whether the markup opens as a whole document does (a doctype, <html>, <head> or a head element):
// web pages are declined before their bytes are read through.
bool opens_a_document(std::string_view markup) {
  const std::size_t at = markup.find_first_not_of(" \t\n\f\r");
  if (at == std::string_view::npos || markup[at] != '<' || at + 1 >= markup.size()) return false;
  if (markup[at + 1] == '!' || markup[at + 1] == '?') return true;
  std::size_t end = at + 1;
  while (end < markup.size() && is_alnum(markup[end])) ++end;
  const std::string name = feeds::ascii_lower(markup.substr(at + 1, end - at - 1));
  return name == "html" || name == "head" || name == "body" || name == "meta" || name == "link" || name == "title" ||
         name == "base";
}

class SimpleLayout {
 public:
  static constexpr std::size_t kMostAttributes = 64;


  SimpleLayout(std::string_view markup, PageLayout& layout)
      : in_(markup), out_(layout), text_(markup, layout.text) {}

  bool run() {
    if (opens_a_document(in_) || !plain_utf8(in_)) return false;
    out_.text.reserve(in_.size());
    out_.nodes.reserve(3 + in_.size() / 40);
    out_.nodes.push_back({GUMBO_TAG_HTML, false, -1, 0, {}, 0, 0});
    out_.nodes.push_back({GUMBO_TAG_HEAD, false, 0, 2, {}, 0, 0});
    out_.nodes.push_back({GUMBO_TAG_BODY, false, 0, 0, {}, 0, 0});
    out_.html = 0;
    out_.head = 1;
    out_.body = 2;
    while (at_ < in_.size()) {
      const char c = in_[at_];
      const bool ok = c == '<' ? tag() : c == '&' ? reference(text_, false) : c == '\r' ? line_break(text_) : characters();
      if (!ok) return false;
    }
    flush_text();
    while (!open_.empty()) pop();
    const int size = static_cast<int>(out_.nodes.size());
    out_.nodes[0].end = out_.nodes[2].end = size;
    return true;
  }

 private:
  struct Open {
    GumboTag tag;
    int node;    // -1 when not laid out (invisible, or inside something invisible)
    bool hides;  // an invisible element: what it holds is not laid out either
  };

  // A run of text up to the next tag, reference or carriage return. Before anything else, white
  // space is dropped, as HTML5 drops it before the body starts.
  bool characters() {
    std::size_t end = at_;
    while (end < in_.size() && in_[end] != '<' && in_[end] != '&' && in_[end] != '\r') ++end;
    if (!started_) {
      while (at_ < end && is_space(in_[at_])) ++at_;
      if (at_ == end) return true;
      started_ = true;
    }
    const bool ok = text_.plain(at_, end);
    at_ = end;
    return ok;
  }

  // A carriage return is a line feed, and so is CR LF.
  bool line_break(Gathered& into) {
    ++at_;
    if (at_ < in_.size() && in_[at_] == '\n') return true;  // the LF that follows is kept
    if (&into == &text_ && !started_) return true;
    return into.decoded("\n");
  }

  // A character reference at at_ ('&'), in text or in an attribute value.
  bool reference(Gathered& into, bool in_attribute) {
    const std::size_t amp = at_;
    std::size_t end = amp + 1;
    if (end < in_.size() && in_[end] == '#') {
      ++end;
      const bool hex = end < in_.size() && (in_[end] == 'x' || in_[end] == 'X');
      if (hex) ++end;
      const std::size_t digits = end;
      char32_t code = 0;
      for (; end < in_.size(); ++end) {
        const char d = in_[end];
        int value;
        if (d >= '0' && d <= '9') value = d - '0';
        else if (hex && d >= 'a' && d <= 'f') value = d - 'a' + 10;
        else if (hex && d >= 'A' && d <= 'F') value = d - 'A' + 10;
        else break;
        code = std::min<char32_t>(code * (hex ? 16 : 10) + static_cast<char32_t>(value), 0x110000);
      }
      if (end == digits || end >= in_.size() || in_[end] != ';' || !plain_code_point(code)) return false;
      if (code == '\n' && amp == pre_text_ && &into == &text_) return false;
      at_ = end + 1;
      return decoded_character(into, code);
    }
    while (end < in_.size() && is_alnum(in_[end])) ++end;
    const std::string_view run = in_.substr(amp + 1, end - amp - 1);
    if (run.empty()) {  // a lone ampersand
      at_ = amp + 1;
      return literal(into, amp, at_);
    }
    if (end < in_.size() && in_[end] == ';') {
      const NamedReference* known = find_reference(run);
      if (!known) return false;
      at_ = end + 1;
      return decoded_character(into, known->code);
    }
    // Without ';' HTML5 reads the longest of the legacy names the run starts with; in an
    // attribute, only when nothing alphanumeric or '=' follows it (that is, the whole run).
    const bool decoded = in_attribute ? (end >= in_.size() || in_[end] != '=') && find_reference(run) &&
                                            find_reference(run)->legacy
                                      : starts_with_legacy_name(run);
    if (decoded) return false;
    at_ = end;
    return literal(into, amp, end);
  }

  bool literal(Gathered& into, std::size_t from, std::size_t to) {
    if (&into == &text_) started_ = true;
    return into.plain(from, to);
  }

  bool decoded_character(Gathered& into, char32_t code) {
    if (&into == &text_ && !started_) {
      if (code == ' ' || code == '\t' || code == '\n' || code == '\f') return true;
      started_ = true;
    }
    std::string bytes;
    feeds::append_utf8(bytes, code);
    return into.decoded(bytes);
  }

  bool tag() {
    if (at_ + 1 >= in_.size()) {  // a '<' that ends the markup is text
      started_ = true;
      const std::size_t from = at_++;
      return text_.plain(from, at_);
    }
    const char next = in_[at_ + 1];
    if (next == '/') return end_tag();
    if (is_alpha(next)) return start_tag();
    if (next == '!' || next == '?') return false;
    started_ = true;  // '<' not starting a tag is text
    const std::size_t from = at_++;
    return text_.plain(from, at_);
  }

  // A tag name from at_, lower-cased; false at the end of the markup.
  bool tag_name(GumboTag& tag) {
    const std::size_t from = at_;
    char name[16];
    std::size_t length = 0;
    while (at_ < in_.size() && !is_space(in_[at_]) && in_[at_] != '/' && in_[at_] != '>') {
      if (length == sizeof name) return false;  // longer than any name laid out here
      const char c = in_[at_++];
      name[length++] = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    }
    if (at_ >= in_.size() || at_ == from) return false;
    tag = gumbo_tagn_enum(name, static_cast<unsigned>(length));
    return tag != GUMBO_TAG_UNKNOWN;
  }

  void skip_space() {
    while (at_ < in_.size() && is_space(in_[at_])) ++at_;
  }

  bool end_tag() {
    at_ += 2;
    if (at_ >= in_.size() || !is_alpha(in_[at_])) return false;
    GumboTag tag;
    if (!tag_name(tag)) return false;
    skip_space();
    if (at_ >= in_.size() || in_[at_] != '>') return false;  // attributes or '/' on an end tag
    ++at_;
    flush_text();
    if (!started_) {
      // Before the body starts HTML5 ignores end tags, but for these.
      return tag != GUMBO_TAG_BR && tag != GUMBO_TAG_HTML && tag != GUMBO_TAG_BODY && tag != GUMBO_TAG_HEAD;
    }
    if (tag == GUMBO_TAG_P && open_paragraphs_ == 0) {
      // A </p> without a p open is an empty paragraph to HTML5.
      insert(GUMBO_TAG_P, static_cast<std::uint32_t>(out_.attributes.size()));
      pop();
      return true;
    }
    if (open_.empty()) return false;  // nothing open to end: ignored, or worse
    if (open_.back().tag == tag) {
      pop();
      return true;
    }
    // A block, heading or list item may end over paragraphs and list items left open in it.
    const Kind kind = kind_of(tag);
    if (kind != Kind::block && kind != Kind::heading && kind != Kind::pre && kind != Kind::list_item &&
        kind != Kind::definition)
      return false;
    std::size_t depth = open_.size();
    while (depth > 0 && implied_end(open_[depth - 1].tag) && open_[depth - 1].tag != tag) --depth;
    if (depth == 0 || open_[depth - 1].tag != tag) return false;
    while (open_.size() >= depth) pop();
    return true;
  }

  bool start_tag() {
    ++at_;
    GumboTag tag;
    if (!tag_name(tag)) return false;
    const std::uint32_t attributes_begin = static_cast<std::uint32_t>(out_.attributes.size());
    if (!attributes(attributes_begin)) return false;
    flush_text();
    started_ = true;
    const Kind kind = kind_of(tag);
    switch (kind) {
      case Kind::unsupported:
        return false;
      case Kind::block: case Kind::pre: case Kind::rule:
        if (!close_paragraph()) return false;
        break;
      case Kind::heading:
        if (!close_paragraph()) return false;
        if (!open_.empty() && kind_of(open_.back().tag) == Kind::heading) return false;
        break;
      case Kind::list_item: case Kind::definition:
        if (!close_item(kind) || !close_paragraph()) return false;
        break;
      case Kind::anchor:
        if (open_anchors_ > 0) return false;
        break;
      case Kind::ordinary: case Kind::formatting: case Kind::empty:
        break;
    }
    insert(tag, attributes_begin);
    if (kind == Kind::empty || kind == Kind::rule) pop();
    if (kind == Kind::pre && at_ < in_.size()) {
      // A line break right after <pre> is not the text's (one written as a reference neither).
      if (in_[at_] == '\n' || in_[at_] == '\r')
        at_ += in_[at_] == '\r' && at_ + 1 < in_.size() && in_[at_ + 1] == '\n' ? 2 : 1;
      else
        pre_text_ = at_;
    }
    return true;
  }

  // The attributes of a start tag, up to and past its '>'.
  bool attributes(std::uint32_t begin) {
    while (true) {
      skip_space();
      if (at_ >= in_.size()) return false;
      const char c = in_[at_];
      if (c == '>') {
        ++at_;
        return true;
      }
      if (c == '/') {  // "/>", or a stray '/' that HTML5 skips
        ++at_;
        continue;
      }
      if (c == '=') return false;
      const std::size_t name_begin = at_;
      bool upper = false;
      while (at_ < in_.size() && !is_space(in_[at_]) && in_[at_] != '/' && in_[at_] != '>' && in_[at_] != '=') {
        const char n = in_[at_];
        if (n == '"' || n == '\'' || n == '<') return false;
        upper = upper || (n >= 'A' && n <= 'Z');
        ++at_;
      }
      std::string_view name = in_.substr(name_begin, at_ - name_begin);
      if (upper) {
        Gathered lowered(in_, out_.text);
        const std::string lower = feeds::ascii_lower(name);
        if (!lowered.decoded(lower)) return false;
        name = lowered.take();
      }
      skip_space();
      if (at_ >= in_.size()) return false;
      Gathered value(in_, out_.text);
      if (in_[at_] == '=') {
        ++at_;
        skip_space();
        if (at_ >= in_.size()) return false;
        if (!attribute_value(value)) return false;
      }
      // A name already given is dropped with its value. (Found by a walk over the tag's attributes:
      // a tag with more than a few dozen is left to gumbo.)
      const auto given = std::span(out_.attributes).subspan(begin);
      if (given.size() >= kMostAttributes) return false;
      const std::string_view text = value.take();
      if (std::ranges::none_of(given, [name](const PageAttribute& attribute) { return attribute.name == name; }))
        out_.attributes.push_back({name, text});
    }
  }

  bool attribute_value(Gathered& value) {
    const char quote = in_[at_];
    if (quote == '>') return true;  // no value after all; the '>' ends the tag
    if (quote == '"' || quote == '\'') {
      ++at_;
      while (true) {
        std::size_t end = at_;
        while (end < in_.size() && in_[end] != quote && in_[end] != '&' && in_[end] != '\r') ++end;
        if (end >= in_.size()) return false;
        if (!value.plain(at_, end)) return false;
        at_ = end;
        if (in_[at_] == quote) {
          ++at_;
          return true;
        }
        if (!(in_[at_] == '&' ? reference(value, true) : line_break(value))) return false;
      }
    }
    while (true) {
      std::size_t end = at_;
      while (end < in_.size() && !is_space(in_[end]) && in_[end] != '>' && in_[end] != '&') {
        const char c = in_[end];
        if (c == '"' || c == '\'' || c == '<' || c == '=' || c == '`') return false;
        ++end;
      }
      if (end >= in_.size()) return false;
      if (!value.plain(at_, end)) return false;
      at_ = end;
      if (in_[at_] != '&') return true;
      if (!reference(value, true)) return false;
    }
  }

  // HTML5 closes an open p before a block starts; here only when it is the element open last.
  bool close_paragraph() {
    if (open_paragraphs_ == 0) return true;
    if (open_.back().tag != GUMBO_TAG_P) return false;
    pop();
    return true;
  }

  // A list item (or dd, dt) closes the one open in the same list; here only when it is the element
  // open last.
  bool close_item(Kind kind) {
    auto same = [kind](GumboTag tag) {
      return kind == Kind::list_item ? tag == GUMBO_TAG_LI : tag == GUMBO_TAG_DD || tag == GUMBO_TAG_DT;
    };
    if (!open_.empty() && same(open_.back().tag)) {
      pop();
      return true;
    }
    for (auto open = open_.rbegin(); open != open_.rend(); ++open) {
      if (same(open->tag)) return false;
      if (stops_item_search(open->tag)) break;
    }
    return true;
  }

  int parent() const { return open_.empty() ? out_.body : open_.back().node; }

  void insert(GumboTag tag, std::uint32_t attributes_begin) {
    open_paragraphs_ += tag == GUMBO_TAG_P;
    open_anchors_ += tag == GUMBO_TAG_A;
    const bool invisible = feeds::is_invisible(tag);
    if (hidden_ > 0 || invisible) {
      out_.attributes.resize(attributes_begin);
      open_.push_back({tag, -1, invisible});
      hidden_ += invisible;
      return;
    }
    const int index = static_cast<int>(out_.nodes.size());
    out_.nodes.push_back({tag, false, parent(), 0, {}, attributes_begin, static_cast<std::uint32_t>(out_.attributes.size())});
    open_.push_back({tag, index, false});
  }

  void pop() {
    const Open open = open_.back();
    open_.pop_back();
    open_paragraphs_ -= open.tag == GUMBO_TAG_P;
    open_anchors_ -= open.tag == GUMBO_TAG_A;
    if (open.node >= 0) out_.nodes[static_cast<std::size_t>(open.node)].end = static_cast<int>(out_.nodes.size());
    hidden_ -= open.hides;
  }

  void flush_text() {
    if (text_.empty()) return;
    const std::string_view text = text_.take();
    if (hidden_ > 0) return;
    const int index = static_cast<int>(out_.nodes.size());
    out_.nodes.push_back({GUMBO_TAG_UNKNOWN, true, parent(), index + 1, text, 0, 0});
  }

  std::string_view in_;
  std::size_t at_ = 0;
  PageLayout& out_;
  Gathered text_;
  std::vector<Open> open_;
  int hidden_ = 0;
  int open_paragraphs_ = 0, open_anchors_ = 0;  // p and a elements among open_ (searched for often)
  bool started_ = false;  // the body has started: something other than white space came
  std::size_t pre_text_ = std::string_view::npos;  // where the text right after a <pre> starts
};

}  // namespace

bool lay_out_simple_markup(std::string_view markup, PageLayout& layout) { return SimpleLayout(markup, layout).run(); }

}  // namespace sluice::pipeline
