// libFuzzer target: any bytes as a JSON Feed, through the reader and the feed JSON writer.
// Whatever the input, a feed or a reason, never a crash, a hang or a leak.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "feeds/parse/feed_json.h"
#include "feeds/parse/json_feed.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto parsed = sluice::feeds::parse_json_feed(input, "https://example.org/feed.json", 1000);
  if (parsed) static_cast<void>(sluice::feeds::feed_json(*parsed));
  return 0;
}
