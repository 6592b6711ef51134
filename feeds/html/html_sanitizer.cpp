#include "feeds/html/html_sanitizer.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <forward_list>
#include <regex>
#include <vector>

#include "feeds/html/foreign_vocabulary.h"
#include "feeds/html/word_set.h"
#include "feeds/text.h"
#include "feeds/urls.h"

namespace sluice::feeds {
namespace {

// The lists below are kept sorted for the reader; lookups go through WordSets.
constexpr std::array<std::string_view, 112> kElements{
    "a", "abbr", "acronym", "address", "area", "article", "aside", "audio", "b", "bdi", "bdo", "big",
    "blockquote", "br", "button", "canvas", "caption", "center", "cite", "code", "col", "colgroup", "command",
    "data", "datagrid", "datalist", "dd", "del", "details", "dfn", "dialog", "dir", "div", "dl", "dt", "em",
    "event-source", "fieldset", "figcaption", "figure", "font", "footer", "form", "h1", "h2", "h3", "h4",
    "h5", "h6", "header", "hgroup", "hr", "i", "img", "input", "ins", "kbd", "keygen", "label", "legend",
    "li", "m", "main", "map", "mark", "menu", "meter", "multicol", "nav", "nextid", "noscript", "ol",
    "optgroup", "option", "output", "p", "pre", "progress", "q", "rp", "rt", "ruby", "s", "samp", "section",
    "select", "small", "sound", "source", "spacer", "span", "strike", "strong", "sub", "summary", "sup",
    "table", "tbody", "td", "textarea", "tfoot", "th", "thead", "time", "tr", "track", "tt", "u", "ul", "var",
    "video", "wbr"};

constexpr std::array<std::string_view, 19> kVoidElements{
    "area",  "base",   "basefont", "br",   "col",   "command", "embed", "frame", "hr",  "img",
    "input", "isindex", "keygen",  "link", "meta",  "param",   "source", "track", "wbr"};

// Elements dropped together with everything inside them; other unknown elements lose their tags only.
constexpr std::array<std::string_view, 3> kDroppedWithContent{
    "applet", "script", "style"};

constexpr std::array<std::string_view, 146> kAttributes{
    "abbr", "accept", "accept-charset", "accesskey", "action", "align", "alt", "autocomplete", "autofocus",
    "axis", "background", "balance", "bgcolor", "bgproperties", "border", "bordercolor", "bordercolordark",
    "bordercolorlight", "bottompadding", "cellpadding", "cellspacing", "ch", "challenge", "char", "charoff",
    "charset", "checked", "choff", "cite", "class", "clear", "color", "cols", "colspan", "compact",
    "contenteditable", "controls", "coords", "data", "datafld", "datapagesize", "datasrc", "datetime",
    "default", "delay", "dir", "disabled", "draggable", "dynsrc", "enctype", "end", "face", "for", "form",
    "frame", "galleryimg", "gutter", "headers", "height", "hidden", "hidefocus", "high", "href", "hreflang",
    "hspace", "icon", "id", "inputmode", "ismap", "keytype", "label", "lang", "leftspacing", "list",
    "longdesc", "loop", "loopcount", "loopend", "loopstart", "low", "lowsrc", "max", "maxlength", "media",
    "method", "min", "multiple", "name", "nohref", "noshade", "nowrap", "open", "optimum", "pattern", "ping",
    "point-size", "poster", "pqg", "preload", "prompt", "radiogroup", "readonly", "rel", "repeat-max",
    "repeat-min", "replace", "required", "rev", "reversed", "rightspacing", "rows", "rowspan", "rules",
    "scope", "selected", "shape", "size", "sizes", "span", "src", "srcset", "start", "step", "style",
    "summary", "suppress", "tabindex", "target", "template", "title", "toppadding", "type", "unselectable",
    "urn", "usemap", "valign", "value", "variable", "volume", "vrml", "vspace", "width", "wrap", "xml:lang",
    "xml:space", "zoomandpan"};

constexpr std::array<std::string_view, 10> kUrlAttributes{"action", "background", "cite",   "data", "dynsrc",
                                                          "href",   "longdesc",   "lowsrc", "poster", "src"};

constexpr std::array<std::string_view, 12> kSafeSchemes{"aim", "callto", "feed", "ftp", "gopher", "http",
                                                        "https", "irc", "mailto", "news", "nntp", "tel"};

constexpr std::array<std::string_view, 47> kCssProperties{
    "azimuth", "background-color", "border-bottom-color", "border-collapse", "border-color",
    "border-left-color", "border-right-color", "border-top-color", "clear", "color", "cursor", "direction",
    "display", "elevation", "float", "font", "font-family", "font-size", "font-style", "font-variant",
    "font-weight", "height", "letter-spacing", "line-height", "max-width", "overflow", "pause", "pause-after",
    "pause-before", "pitch", "pitch-range", "richness", "speak", "speak-header", "speak-numeral",
    "speak-punctuation", "speech-rate", "stress", "text-align", "text-decoration", "text-indent",
    "unicode-bidi", "vertical-align", "voice-family", "volume", "white-space", "width"};

constexpr std::array<std::string_view, 41> kCssKeywords{
    "!important", "aqua", "auto", "black", "block", "blue", "bold", "both", "bottom", "brown", "center",
    "collapse", "dashed", "dotted", "fuchsia", "gray", "green", "hidden", "inherit", "italic", "left", "lime",
    "maroon", "medium", "navy", "none", "normal", "nowrap", "olive", "pointer", "purple", "red", "right",
    "silver", "solid", "teal", "top", "transparent", "underline", "white", "yellow"};

// What the sanitizer knows about a tag name or an attribute name, in one lookup.
enum : unsigned { kAcceptable = 1, kVoid = 2, kDropped = 4, kUrl = 8 };
const WordFlags kElementKinds{{kElements, kAcceptable}, {kVoidElements, kVoid}, {kDroppedWithContent, kDropped}};
const WordFlags kAttributeKinds{{kAttributes, kAcceptable}, {kUrlAttributes, kUrl}};
const WordFlags kSafeSchemeSet{{kSafeSchemes, 1}};
const WordFlags kCssPropertySet{{kCssProperties, 1}};
const WordFlags kCssKeywordSet{{kCssKeywords, 1}};

bool unsorted_contains(std::initializer_list<std::string_view> list, std::string_view name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

bool is_name_char(char c) {
  return is_ascii_alnum(c) || c == '-' || c == '_' || c == ':' || c == '.';
}

// Length of a character or entity reference at text[at] ('&'), 0 when it is a bare ampersand.
std::size_t reference_length(std::string_view text, std::size_t at) {
  if (at + 1 < text.size() && text[at + 1] == '#') return numeric_reference_length(text, at);
  std::size_t i = at + 1;
  const std::size_t start = i;
  while (i < text.size() && is_ascii_alnum(text[i])) ++i;
  if (i == start || i >= text.size() || text[i] != ';') return 0;
  return i + 1 - at;
}

// Text as written, with bare ampersands escaped and references to the cp1252 range corrected.
void append_text(std::string& out, std::string_view text, bool escape_angles) {
  static constexpr auto kInAttribute = [] {
    std::array<bool, 256> special{};
    for (const unsigned char c : {'&', '<', '>', '"'}) special[c] = true;
    return special;
  }();
  for (std::size_t i = 0; i < text.size(); ++i) {
    // Runs without anything to escape or check are copied in one go.
    std::size_t next = i;
    if (!escape_angles) {
      next = std::min(text.find('&', i), text.size());
    } else {
      while (next < text.size() && !kInAttribute[static_cast<unsigned char>(text[next])]) ++next;
    }
    out.append(text.substr(i, next - i));
    if (next == text.size()) break;
    i = next;
    const char c = text[i];
    if (c == '&') {
      const std::size_t length = reference_length(text, i);
      if (length == 0) {
        out += "&amp;";
        continue;
      }
      const std::string_view reference = text.substr(i, length);
      if (reference.size() > 3 && reference[1] == '#') {
        const bool hex = reference[2] == 'x' || reference[2] == 'X';
        // Saturating: a reference past the largest code point is just large, never an error.
        unsigned long code = 0;
        for (const char digit : reference.substr(hex ? 3 : 2, reference.size() - (hex ? 4 : 3))) {
          const unsigned value = digit <= '9' ? static_cast<unsigned>(digit - '0')
                                              : static_cast<unsigned>((digit | 0x20) - 'a' + 10);
          code = std::min(code * (hex ? 16 : 10) + value, 0x110000UL);
        }
        // References into 128..159 mean the Windows-1252 characters there.
        if (const char32_t meant = code <= 0x9F ? cp1252_character(static_cast<char32_t>(code)) : 0; meant != 0) {
          char buffer[16];
          std::snprintf(buffer, sizeof buffer, "&#x%x;", static_cast<unsigned>(meant));
          out += buffer;
          i += length - 1;
          continue;
        }
      }
      if (reference.size() > 2 && reference[1] == '#' && reference[2] == 'X') {
        out += "&#x";
        out += reference.substr(3);
      } else {
        out += reference;
      }
      i += length - 1;
    } else if (escape_angles && c == '<') {
      out += "&lt;";
    } else if (escape_angles && c == '>') {
      out += "&gt;";
    } else if (escape_angles && c == '"') {
      out += "&quot;";
    } else {
      out += c;
    }
  }
}

std::string safe_url(std::string_view value, std::string_view base, bool image) {
  const std::size_t first = value.find_first_not_of(" \t\r\n");
  const std::string_view trimmed =
      first == std::string_view::npos ? std::string_view() : value.substr(first, value.find_last_not_of(" \t\r\n") + 1 - first);
  if (image && ascii_lower(trimmed.substr(0, 11)) == "data:image/") return std::string(trimmed);
  if (trimmed.starts_with("https://") || trimmed.starts_with("http://")) return std::string(trimmed);
  std::string url = base.empty() ? std::string() : resolve_url(base, trimmed);
  if (url.empty()) url = trimmed;
  const auto colon = url.find(':');
  const auto delimiter = url.find_first_of("/?#");
  if (colon == std::string::npos || (delimiter != std::string::npos && delimiter < colon)) return url;  // relative
  return kSafeSchemeSet.contains(ascii_lower(std::string_view(url).substr(0, colon))) ? url : std::string();
}

std::string sanitize_style(std::string_view style) {
  static const std::regex url_call(R"(url\s*\(\s*[^\s)]+?\s*\)\s*)", std::regex::icase);
  static const std::regex gauntlet(R"(^([:,;#%.\sa-zA-Z0-9!]|\w-\w|'[\s\w]+'|"[\s\w]+"|\([\d,\s]+\))*$)");
  static const std::regex declaration(R"(([-\w]+)\s*:\s*([^:;]*))");
  static const std::regex value_token(R"(^(#[0-9a-fA-F]+|rgb\(\d+%?,\d*%?,?\d*%?\)?|-?\d{0,3}\.?\d{0,10}(cm|em|ex|in|mm|pc|pt|px|%|,|\))?)$)");
  const std::string cleaned = std::regex_replace(std::string(style), url_call, " ");
  if (!std::regex_match(cleaned, gauntlet)) return "";
  std::string out;
  for (auto it = std::sregex_iterator(cleaned.begin(), cleaned.end(), declaration); it != std::sregex_iterator(); ++it) {
    const std::string property = (*it)[1];
    const std::string value = (*it)[2];
    if (value.empty()) continue;
    const std::string name = ascii_lower(property);
    bool keep = kCssPropertySet.contains(name);
    const std::string family = name.substr(0, name.find('-'));
    if (!keep && unsorted_contains({"background", "border", "margin", "padding"}, family)) {
      keep = true;
      std::size_t start = 0;
      while (keep && start < value.size()) {
        const std::size_t end = std::min(value.find(' ', start), value.size());
        const std::string keyword = value.substr(start, end - start);
        if (!keyword.empty() && !kCssKeywordSet.contains(keyword) &&
            !std::regex_match(keyword, value_token))
          keep = false;
        start = end + 1;
      }
    }
    if (keep) {
      if (!out.empty()) out += ' ';
      out += property + ": " + value + ";";
    }
  }
  return out;
}

struct Attribute {
  std::string_view name;   // lower case (the input's own bytes, or a lowered copy the sanitizer keeps)
  std::string_view value;  // as written, quotes removed
  std::string rewritten;   // the value to emit when it had to change
  bool is_rewritten = false;

  std::string_view output() const noexcept { return is_rewritten ? std::string_view(rewritten) : value; }
};

class Sanitizer {
 public:
  // The scratch space is the caller's to keep, so that a thread sanitizing fragment after
  // fragment allocates it once.
  struct Scratch {
    std::vector<Attribute> attributes;
    std::vector<Attribute*> kept;
    std::forward_list<std::string> lowered;  // names lowered for the current tag (stable addresses)
  };

  Sanitizer(std::string_view html, std::string_view base, Scratch& scratch)
      : in_(html), base_(base), attributes_(scratch.attributes), kept_(scratch.kept), lowered_(scratch.lowered) {
    out_.reserve(html.size());
  }

  std::string run() {
    while (at_ < in_.size()) {
      const std::size_t open = in_.find('<', at_);
      text(in_.substr(at_, open == std::string_view::npos ? std::string_view::npos : open - at_));
      if (open == std::string_view::npos) break;
      at_ = open;
      markup();
    }
    return out_;
  }

 private:
  void text(std::string_view chunk) {
    if (dropping_ == 0) append_text(out_, chunk, false);
  }

  void markup() {
    const std::string_view rest = in_.substr(at_);
    if (rest.size() > 1 && is_ascii_alpha(rest[1])) {  // a start tag, the common case
      tag();
    } else if (rest.starts_with("<!--")) {
      // Comments are inert and kept; an unclosed one would swallow the page, so it ends the text.
      const std::size_t end = in_.find("-->", at_ + 4);
      if (end != std::string_view::npos && dropping_ == 0) out_.append(in_.substr(at_, end + 3 - at_));
      at_ = end == std::string_view::npos ? in_.size() : end + 3;
    } else if (rest.starts_with("<![CDATA[")) {
      // HTML has no CDATA sections outside SVG and MathML: the opener is text, and what follows
      // is read as markup like the rest (a script in it is still a script).
      if (dropping_ == 0) out_ += "&lt;![CDATA[";
      at_ += 9;
    } else if (rest.starts_with("<!") || rest.starts_with("<?")) {
      const std::size_t end = in_.find('>', at_);
      at_ = end == std::string_view::npos ? in_.size() : end + 1;
    } else if (rest.size() > 2 && rest[1] == '/' && is_ascii_alpha(rest[2])) {
      tag();
    } else {
      if (dropping_ == 0) out_ += "&lt;";
      ++at_;
    }
  }

  // The name at i, lower case: the input itself when it is already (the common case), else a
  // lowered copy that lives until the next tag.
  std::string_view name_at(std::size_t& i) {
    const std::size_t start = i;
    bool upper = false;
    while (i < in_.size() && is_name_char(in_[i])) upper = upper || (in_[i] >= 'A' && in_[i] <= 'Z'), ++i;
    const std::string_view name = in_.substr(start, i - start);
    if (!upper) return name;
    return lowered_.emplace_front(ascii_lower(name));
  }

  void skip_space(std::size_t& i) const {
    while (i < in_.size() && is_ascii_space(in_[i])) ++i;
  }

  void tag() {
    std::size_t i = at_ + 1;
    const bool closing = in_[i] == '/';
    if (closing) ++i;
    lowered_.clear();
    const std::string_view name = name_at(i);
    std::vector<Attribute>& attributes = attributes_;  // reused: one allocation for the whole document
    attributes.clear();
    bool self_closing = false;
    for (;;) {
      skip_space(i);
      if (i >= in_.size()) break;
      if (in_[i] == '>') {
        ++i;
        break;
      }
      if (in_[i] == '/' ) {
        self_closing = i + 1 < in_.size() && in_[i + 1] == '>';
        ++i;
        continue;
      }
      if (in_[i] == '<') break;  // an unclosed tag: the next one starts here
      const std::string_view attribute = name_at(i);
      if (attribute.empty()) {
        ++i;
        continue;
      }
      skip_space(i);
      std::string_view value;
      if (i < in_.size() && in_[i] == '=') {
        ++i;
        skip_space(i);
        if (i < in_.size() && (in_[i] == '"' || in_[i] == '\'')) {
          const char quote = in_[i];
          const std::size_t end = in_.find(quote, i + 1);
          value = in_.substr(i + 1, (end == std::string_view::npos ? in_.size() : end) - i - 1);
          i = end == std::string_view::npos ? in_.size() : end + 1;
        } else {
          const std::size_t start = i;
          while (i < in_.size() && !is_ascii_space(in_[i]) && in_[i] != '>') ++i;
          value = in_.substr(start, i - start);
        }
      } else {
        value = in_.substr(i, 0);
        attributes.push_back({attribute, value, std::string(attribute), true});  // a boolean attribute: <input checked>
        continue;
      }
      attributes.push_back({attribute, value, {}, false});
    }
    at_ = i;
    if (closing) end_tag(name);
    else start_tag(name, attributes, self_closing);
  }

  // Inline SVG and MathML: their own elements and attributes (foreign_vocabulary.h), spelled as
  // they spell them, the namespace declared on the root as HTML implies it, xlink declared where
  // an xlink: attribute needs it. An element closed by "/>" is its start tag, as an HTML parser
  // reads it (in foreign content the parent's end tag closes it).
  bool foreign_start_tag(std::string_view name, std::vector<Attribute>& attributes, bool self_closing) {
    const bool opens_svg = name == "svg", opens_math = name == "math";
    if (opens_svg) ++svg_depth_;
    if (opens_math) ++math_depth_;
    const bool svg = svg_depth_ > 0 && !svg_element(name).empty();
    const bool math = !svg && math_depth_ > 0 && is_mathml_element(name);
    if (!svg && !math) return false;
    if (self_closing && (opens_svg || opens_math)) (opens_svg ? svg_depth_ : math_depth_)--;
    if (dropping_ > 0) return true;
    std::vector<std::pair<std::string_view, std::string>> kept;
    bool xlink = false, xlink_declared = false, xmlns = false;
    for (Attribute& attribute : attributes) {
      const std::string_view spelled = svg ? svg_attribute(attribute.name)
                                           : is_mathml_attribute(attribute.name) ? attribute.name : std::string_view();
      if (spelled.empty()) continue;
      std::string value(attribute.output());
      // <use> draws what its link names: a shape of this document only, never another file.
      if (svg && name == "use" && spelled == "xlink:href" && !value.starts_with('#')) continue;
      if (spelled == "xlink:href" || spelled == "href" || spelled == "src") value = safe_url(value, base_, false);
      if (spelled == "xmlns") xmlns = true, value = svg ? kSvgNamespace : kMathMlNamespace;
      if (spelled == "xmlns:xlink") xlink_declared = true, value = kXlinkNamespace;
      xlink = xlink || spelled.starts_with("xlink:");
      std::erase_if(kept, [&](const auto& earlier) { return earlier.first == spelled; });
      kept.emplace_back(spelled, std::move(value));
    }
    if ((opens_svg || opens_math) && !xmlns) kept.emplace_back("xmlns", std::string(svg ? kSvgNamespace : kMathMlNamespace));
    if (xlink && !xlink_declared) kept.emplace_back("xmlns:xlink", std::string(kXlinkNamespace));
    std::sort(kept.begin(), kept.end());
    out_ += '<';
    out_ += svg ? svg_element(name) : name;
    for (const auto& [attribute, value] : kept) {
      out_.append(" ").append(attribute).append("=\"");
      append_text(out_, value, true);
      out_ += '"';
    }
    out_ += '>';
    return true;
  }

  bool foreign_end_tag(std::string_view name) {
    const bool svg = svg_depth_ > 0 && !svg_element(name).empty();
    const bool math = !svg && math_depth_ > 0 && is_mathml_element(name);
    if (!svg && !math) return false;
    if (dropping_ == 0) out_.append("</").append(svg ? svg_element(name) : name).push_back('>');
    if (name == "svg") --svg_depth_;
    if (name == "math" && math_depth_ > 0) --math_depth_;
    return true;
  }

  void start_tag(std::string_view name, std::vector<Attribute>& attributes, bool self_closing) {
    const unsigned kind = kElementKinds.flags(name);
    if (kind & kDropped) {
      if (self_closing) return;
      // A script's or a style's content is raw text up to its end tag, whatever tags it seems to
      // hold ("<script>" in a comment inside a script does not open another).
      if (name == "script" || name == "style") skip_raw_text(name);
      else ++dropping_;
      return;
    }
    if (foreign_start_tag(name, attributes, self_closing)) return;
    if (dropping_ > 0 || !(kind & kAcceptable)) return;
    if (name == "img") promote_lazy_sources(attributes);
    std::vector<Attribute*>& kept = kept_;  // sorted by name below; a repeated attribute keeps its last value
    kept.clear();
    for (Attribute& attribute : attributes) {
      const unsigned attribute_kind = kAttributeKinds.flags(attribute.name);
      if (!(attribute_kind & kAcceptable)) continue;
      if (attribute.name == "style") {
        attribute.rewritten = sanitize_style(attribute.output());
        attribute.is_rewritten = true;
        if (attribute.rewritten.empty()) continue;
      } else if (attribute_kind & kUrl) {
        // An absolute http(s) URL as written is safe and resolves to itself.
        const std::string_view value = attribute.output();
        if (!value.starts_with("https://") && !value.starts_with("http://")) {
          attribute.rewritten = safe_url(value, base_, name == "img");
          attribute.is_rewritten = true;
        }
      } else if (attribute.name == "rel" || attribute.name == "type") {
        attribute.rewritten = ascii_lower(attribute.output());
        attribute.is_rewritten = true;
      }
      std::erase_if(kept, [&](const Attribute* earlier) { return earlier->name == attribute.name; });
      kept.push_back(&attribute);
    }
    std::sort(kept.begin(), kept.end(), [](const Attribute* a, const Attribute* b) { return a->name < b->name; });
    out_ += '<';
    out_ += name;
    for (const Attribute* attribute : kept) {
      out_ += ' ';
      out_ += attribute->name;
      out_ += "=\"";
      append_text(out_, attribute->output(), true);
      out_ += '"';
    }
    const bool void_element = (kind & kVoid) != 0;
    // A void element keeps the author's serialization: XHTML style (`<br/>`, or `<hr></hr>` with
    // an end tag) comes out as `<br />`, HTML style (`<br>`) as `<br>`.
    if (void_element) out_ += self_closing || end_tag_follows(name) ? " />" : ">";
    else out_ += '>';
    if (self_closing && !void_element) out_.append("</").append(name).push_back('>');
  }

  // A lazy-loaded image: its real source is in a data- attribute (data-src, data-lazy-src,
  // data-original; data-srcset) and its src is missing or a placeholder (a data: URI), which the
  // page's script would replace. Without the script, the real source becomes src (and srcset).
  static void promote_lazy_sources(std::vector<Attribute>& attributes) {
    const auto find = [&](std::string_view name) -> Attribute* {
      for (auto it = attributes.rbegin(); it != attributes.rend(); ++it)
        if (it->name == name) return &*it;
      return nullptr;
    };
    const auto promote = [&](std::string_view target, std::initializer_list<std::string_view> sources) {
      const Attribute* present = find(target);
      if (present && !present->value.empty() && !ascii_lower(present->value.substr(0, 5)).starts_with("data:")) return;
      for (const std::string_view source : sources)
        if (const Attribute* lazy = find(source); lazy && !lazy->value.empty()) {
          const std::string_view value = lazy->value;
          if (Attribute* existing = find(target)) existing->value = value;
          else attributes.push_back({target, value, {}, false});
          return;
        }
    };
    promote("src", {"data-src", "data-lazy-src", "data-original"});
    promote("srcset", {"data-srcset", "data-lazy-srcset"});
  }

  // Whether the input goes on with `</name>` (any case, spaces before the `>`).
  bool end_tag_follows(std::string_view name) const {
    std::size_t i = at_;
    if (in_.substr(i, 2) != "</" || in_.size() - i - 2 < name.size()) return false;
    i += 2;
    for (const char c : name)
      if (static_cast<char>(std::tolower(static_cast<unsigned char>(in_[i++]))) != c) return false;
    skip_space(i);
    return i < in_.size() && in_[i] == '>';
  }

  // Past the end tag `</name ...>` (any case), or to the end of the input when there is none.
  void skip_raw_text(std::string_view name) {
    for (std::size_t at = in_.find("</", at_); at != std::string_view::npos; at = in_.find("</", at + 2)) {
      if (in_.size() - at - 2 < name.size() || !iequals(in_.substr(at + 2, name.size()), name)) continue;
      const std::size_t after = at + 2 + name.size();
      if (after < in_.size() && is_name_char(in_[after])) continue;  // </scripts>
      const std::size_t close = in_.find('>', after);
      at_ = close == std::string_view::npos ? in_.size() : close + 1;
      return;
    }
    at_ = in_.size();
  }

  void end_tag(std::string_view name) {
    const unsigned kind = kElementKinds.flags(name);
    if (kind & kDropped) {
      if (dropping_ > 0) --dropping_;
      return;
    }
    if (foreign_end_tag(name)) return;
    if (dropping_ > 0 || !(kind & kAcceptable) || (kind & kVoid)) return;
    out_.append("</").append(name).push_back('>');
  }

  std::string_view in_;
  std::string_view base_;
  std::size_t at_ = 0;
  int dropping_ = 0;
  int svg_depth_ = 0;   // inside <svg>: its vocabulary is acceptable too
  int math_depth_ = 0;  // inside <math>
  std::string out_;
  std::vector<Attribute>& attributes_;
  std::vector<Attribute*>& kept_;
  std::forward_list<std::string>& lowered_;
};

}  // namespace

bool is_acceptable_html_element(std::string_view name) {
  return (kElementKinds.flags(name) & kAcceptable) != 0;
}

std::string sanitize_html(std::string_view html, std::string_view base_url) {
  thread_local Sanitizer::Scratch scratch;
  return Sanitizer(html, base_url, scratch).run();
}

}  // namespace sluice::feeds
