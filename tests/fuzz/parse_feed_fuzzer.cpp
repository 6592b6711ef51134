// libFuzzer target: any bytes, with or without a Content-Type, through the whole feed parser and
// the feed JSON writer. The parser must never crash, hang or leak, whatever it is given.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "feeds/parse/feed_json.h"
#include "feeds/parse/feed_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  // The first byte picks a Content-Type, so charset handling is fuzzed too.
  static constexpr std::string_view kTypes[] = {"", "text/xml", "application/rss+xml; charset=iso-8859-7",
                                                "text/plain", "application/atom+xml; charset=utf-16"};
  const std::string_view type = size > 0 ? kTypes[data[0] % std::size(kTypes)] : "";
  const auto parsed = sluice::feeds::parse_feed(std::string(input), "https://example.org/feeds/a.xml", type);
  if (parsed) static_cast<void>(sluice::feeds::feed_json(*parsed));
  return 0;
}
