#include "feeds/parse/encoding.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <iconv.h>
#include <uchardet.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>

#include "feeds/text.h"

namespace sluice::feeds {
namespace {

// Code point 0x80..0x9F (C1 controls, which no feed means) as the Windows-1252 character it was.
char32_t remap_c1(char32_t code) {
  const char32_t meant = cp1252_character(code);
  return meant != 0 ? meant : code;
}

// Length of the valid UTF-8 sequence at text[i], 0 when the bytes there are not one.
std::size_t utf8_sequence(std::string_view text, std::size_t i, char32_t& code) {
  const auto lead = static_cast<unsigned char>(text[i]);
  std::size_t length = 0;
  if (lead < 0x80) {
    code = lead;
    return 1;
  }
  if (lead >= 0xC2 && lead <= 0xDF) length = 2, code = lead & 0x1F;
  else if (lead >= 0xE0 && lead <= 0xEF) length = 3, code = lead & 0x0F;
  else if (lead >= 0xF0 && lead <= 0xF4) length = 4, code = lead & 0x07;
  else return 0;
  if (i + length > text.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    const auto next = static_cast<unsigned char>(text[i + k]);
    if ((next & 0xC0) != 0x80) return 0;
    code = (code << 6) | (next & 0x3F);
  }
  if ((length == 3 && (code < 0x800 || (code >= 0xD800 && code <= 0xDFFF))) || (length == 4 && (code < 0x10000 || code > 0x10FFFF)))
    return 0;
  return length;
}

// UTF-8 as it should be: valid sequences kept (C1 controls remapped), stray bytes read as
// Windows-1252. Returns whether any byte needed that.
bool repair_utf8(std::string_view text, std::string& out) {
  bool repaired = false;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    // ASCII runs, the bulk of any feed, are copied as they are.
    std::size_t ascii = i;
    while (ascii < text.size() && static_cast<unsigned char>(text[ascii]) < 0x80) ++ascii;
    out.append(text.substr(i, ascii - i));
    i = ascii;
    if (i >= text.size()) break;
    char32_t code = 0;
    const std::size_t length = utf8_sequence(text, i, code);
    if (length == 0) {
      const auto byte = static_cast<unsigned char>(text[i]);
      const char32_t meant = cp1252_character(byte);
      append_utf8(out, meant != 0 ? meant : byte >= 0x80 && byte <= 0x9F ? 0xFFFD : byte);
      repaired = true;
      ++i;
      continue;
    }
    if (length == 1) out += text[i];
    else append_utf8(out, remap_c1(code));
    i += length;
  }
  return repaired;
}

// The byte a character stands for when UTF-8 was read as Windows-1252 (or Latin-1): a
// continuation byte 0x80..0xBF; nullopt for any other character.
std::optional<unsigned char> continuation_byte(char32_t code) {
  if (code >= 0x80 && code <= 0xBF) return static_cast<unsigned char>(code);
  for (char32_t byte = 0x80; byte <= 0x9F; ++byte)
    if (cp1252_character(byte) == code) return static_cast<unsigned char>(byte);
  return std::nullopt;
}

// At text[at], a C3 byte: the length of a double-encoded sequence there (a lead character
// U+00C2..U+00F4 followed by the characters that stand for its continuation bytes) and, in meant,
// the character it was; 0 when there is none.
std::size_t double_encoded_at(std::string_view text, std::size_t at, char32_t& meant) {
  char32_t lead = 0;
  if (utf8_sequence(text, at, lead) != 2 || lead < 0xC2 || lead > 0xF4) return 0;
  const std::size_t needed = lead <= 0xDF ? 1 : lead <= 0xEF ? 2 : 3;
  std::string bytes(1, static_cast<char>(lead));
  std::size_t end = at + 2;
  for (std::size_t k = 0; k < needed; ++k) {
    if (end >= text.size()) return 0;
    char32_t code = 0;
    const std::size_t length = utf8_sequence(text, end, code);
    const auto byte = length > 0 ? continuation_byte(code) : std::nullopt;
    if (!byte) return 0;
    bytes += static_cast<char>(*byte);
    end += length;
  }
  return utf8_sequence(bytes, 0, meant) == bytes.size() ? end - at : 0;
}

// Text encoded twice: UTF-8 read as Windows-1252 and encoded again ("cafÃ©", "itâ€™s"). Each
// sequence that reads back as one UTF-8 character becomes that character; the rest, and every
// text encoded once, is left as it is. Returns whether any did; out is then the repair.
bool repair_double_encoding(std::string_view text, std::string& out) {
  std::string repaired;
  std::size_t copied = 0;
  bool changed = false;
  for (std::size_t at = text.find('\xC3'); at != std::string_view::npos;) {
    char32_t meant = 0;
    const std::size_t length = double_encoded_at(text, at, meant);
    if (length == 0) {
      at = text.find('\xC3', at + 1);
      continue;
    }
    if (!changed) repaired.reserve(text.size());
    repaired.append(text.substr(copied, at - copied));
    append_utf8(repaired, meant);
    copied = at + length;
    changed = true;
    at = text.find('\xC3', copied);
  }
  if (!changed) return false;
  repaired.append(text.substr(copied));
  out = std::move(repaired);
  return true;
}

// Valid UTF-8 without C1 controls: usable as it is.
bool is_clean_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    // ASCII runs, the common case: sixteen bytes at a time where SSE2 is there, else eight.
#ifdef __SSE2__
    if (i + 16 <= text.size()) {
      const int high = _mm_movemask_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + i)));
      if (high == 0) {
        i += 16;
        continue;
      }
      i += static_cast<std::size_t>(std::countr_zero(static_cast<unsigned>(high)));
    }
#endif
    if (i + 8 <= text.size()) {
      std::uint64_t word = 0;
      std::memcpy(&word, text.data() + i, 8);
      if ((word & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    const auto lead = static_cast<unsigned char>(text[i]);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    // Two-byte sequences (Latin, Greek, Cyrillic, Arabic, Hebrew) inline; C1 controls are C2 80..9F.
    if (lead >= 0xC2 && lead <= 0xDF && i + 1 < text.size()) {
      const auto next = static_cast<unsigned char>(text[i + 1]);
      if ((next & 0xC0) != 0x80 || (lead == 0xC2 && next <= 0x9F)) return false;
      i += 2;
      continue;
    }
    char32_t code = 0;
    const std::size_t length = utf8_sequence(text, i, code);
    if (length == 0 || (code >= 0x80 && code <= 0x9F)) return false;
    i += length;
  }
  return true;
}

bool is_valid_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    char32_t code = 0;
    const std::size_t length = utf8_sequence(text, i, code);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

// Owns one iconv conversion descriptor, closed once.
class Iconv {
 public:
  Iconv(const char* to, const char* from) noexcept : handle_(iconv_open(to, from)) {}
  Iconv(const Iconv&) = delete;
  Iconv& operator=(const Iconv&) = delete;
  ~Iconv() {
    if (valid()) iconv_close(handle_);
  }
  // false when iconv does not know one of the charsets
  bool valid() const noexcept { return handle_ != reinterpret_cast<iconv_t>(-1); }
  iconv_t get() const noexcept { return handle_; }

 private:
  iconv_t handle_;
};

// Converts with iconv; invalid input bytes become U+FFFD. nullopt when iconv does not know the charset.
std::optional<std::string> convert(std::string_view text, const std::string& charset) {
  const Iconv handle("UTF-8", charset.c_str());
  if (!handle.valid()) return std::nullopt;
  std::string converted;
  std::string buffer(4096, '\0');
  char* in = const_cast<char*>(text.data());
  std::size_t in_left = text.size();
  while (in_left > 0) {
    char* out = buffer.data();
    std::size_t out_left = buffer.size();
    const std::size_t result = iconv(handle.get(), &in, &in_left, &out, &out_left);
    converted.append(buffer.data(), buffer.size() - out_left);
    if (result == static_cast<std::size_t>(-1)) {
      if (errno == E2BIG) continue;
      converted += "\xEF\xBF\xBD";  // EILSEQ or a truncated sequence: replace one byte and go on
      ++in;
      --in_left;
    }
  }
  // Same remapping of C1 controls as for UTF-8 input (ISO-8859-1 documents written in cp1252).
  std::string out;
  repair_utf8(converted, out);
  return out;
}

// The encoding named by an XML declaration (or an HTML meta charset) near the start.
std::string declared_charset(std::string_view text) {
  const std::string head = ascii_lower(text.substr(0, 1024));
  std::size_t at = std::string::npos;
  if (head.starts_with("<?xml")) {
    const std::size_t end = head.find("?>");
    at = head.find("encoding", 0);
    if (end != std::string::npos && at > end) at = std::string::npos;
    if (at != std::string::npos) at += 8;
  } else if (const std::size_t meta = head.find("charset="); meta != std::string::npos) {
    at = meta + 7;
  }
  if (at == std::string::npos) return "";
  while (at < head.size() && (head[at] == ' ' || head[at] == '=' || head[at] == '"' || head[at] == '\'')) ++at;
  const std::size_t start = at;
  while (at < head.size() && (std::isalnum(static_cast<unsigned char>(head[at])) || head[at] == '-' || head[at] == '_' ||
                              head[at] == '.' || head[at] == ':'))
    ++at;
  return head.substr(start, at - start);
}

std::string detect(std::string_view text) {
  const std::unique_ptr<std::remove_pointer_t<uchardet_t>, decltype(&uchardet_delete)> detector(uchardet_new(),
                                                                                               &uchardet_delete);
  if (!detector) return "";
  uchardet_handle_data(detector.get(), text.data(), std::min<std::size_t>(text.size(), 64 * 1024));
  uchardet_data_end(detector.get());
  return ascii_lower(uchardet_get_charset(detector.get()));
}

bool is_utf8_name(std::string_view charset) { return charset == "utf-8" || charset == "utf8"; }

}  // namespace

std::string charset_of(std::string_view content_type) {
  const std::string lowered = ascii_lower(content_type);
  const std::size_t at = lowered.find("charset");
  if (at == std::string::npos) return "";
  std::string value = lowered.substr(at + 7);
  value = value.substr(0, value.find(';'));
  std::erase_if(value, [](char c) { return c == '"' || c == '\'' || c == ' ' || c == '\t'; });
  return value.starts_with('=') ? value.substr(1) : "";
}

DecodedDocument decode_document(std::string_view body, std::string_view content_type) {
  DecodedDocument out;
  std::string charset;
  std::string why;
  // 1. A byte-order mark settles it.
  if (body.starts_with("\xEF\xBB\xBF")) charset = "utf-8", body.remove_prefix(3);
  else if (body.starts_with(std::string_view("\xFF\xFE\x00\x00", 4))) charset = "utf-32le", body.remove_prefix(4);
  else if (body.starts_with(std::string_view("\x00\x00\xFE\xFF", 4))) charset = "utf-32be", body.remove_prefix(4);
  else if (body.starts_with("\xFF\xFE")) charset = "utf-16le", body.remove_prefix(2);
  else if (body.starts_with("\xFE\xFF")) charset = "utf-16be", body.remove_prefix(2);
  else if (body.starts_with(std::string_view("\x00\x00\x00<", 4))) charset = "utf-32be";
  else if (body.starts_with(std::string_view("<\x00\x00\x00", 4))) charset = "utf-32le";
  else if (body.starts_with(std::string_view("\x00<\x00?", 4))) charset = "utf-16be";
  else if (body.starts_with(std::string_view("<\x00?\x00", 4))) charset = "utf-16le";
  // 2. The HTTP charset, then 3. the document's own declaration (RFC 3023: a text/*xml response
  // without a charset is us-ascii, whatever the document says), then 4. detection.
  const std::string http = charset_of(content_type);
  const std::string media = ascii_lower(content_type.substr(0, content_type.find(';')));
  const bool text_xml = media.starts_with("text/") && media.find("xml") != std::string::npos;
  const std::string declared = charset.empty() ? declared_charset(body) : "";
  if (charset.empty()) charset = !http.empty() ? http : text_xml ? "us-ascii" : declared;
  if (media.starts_with("text/") && !text_xml && media != "text/html") why = "served as " + media + ", not as XML";
  if (charset == "gb2312" || charset == "gbk") charset = "gb18030";  // supersets, as browsers read them
  if (charset == "ascii" || charset == "us-ascii") {
    const bool ascii = std::all_of(body.begin(), body.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    if (ascii) {
      out.original = body;
      out.encoding = "us-ascii";
      out.problem = std::move(why);
      return out;
    }
    if (why.empty()) why = "declared us-ascii but holds non-ASCII bytes";
    charset = declared;
  }
  if (charset.empty() && !is_valid_utf8(body)) {
    charset = detect(body);
    if (charset.empty()) charset = "windows-1252";
    if (why.empty()) why = "no charset declared and not UTF-8; read as " + charset;
  }
  if (charset.empty()) charset = "utf-8";

  if (is_utf8_name(charset)) {
    out.encoding = "utf-8";
    if (is_clean_utf8(body)) {
      out.original = body;
    } else {
      if (repair_utf8(body, out.converted) && why.empty()) why = "not valid UTF-8; stray bytes read as Windows-1252";
      out.is_converted = true;
    }
  } else if (auto converted = convert(body, charset == "iso-8859-1" || charset == "latin1" ? "windows-1252" : charset)) {
    out.converted = std::move(*converted);
    out.is_converted = true;
    out.encoding = charset;
  } else {
    if (why.empty()) why = "unknown charset '" + charset + "'";
    const std::string fallback = is_valid_utf8(body) ? "utf-8" : detect(body);
    auto fallback_text = is_utf8_name(fallback) || fallback.empty() ? std::nullopt : convert(body, fallback);
    if (fallback_text) {
      out.converted = std::move(*fallback_text);
      out.encoding = fallback;
    } else {
      repair_utf8(body, out.converted);
      out.encoding = "utf-8";
    }
    out.is_converted = true;
  }
  if (std::string repaired; repair_double_encoding(out.text(), repaired)) {
    out.converted = std::move(repaired);
    out.is_converted = true;
    if (why.empty()) why = "text encoded twice (UTF-8 read as Windows-1252, then encoded again); repaired";
  }
  out.problem = std::move(why);
  return out;
}

}  // namespace sluice::feeds
