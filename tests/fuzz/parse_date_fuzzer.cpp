// libFuzzer target: any bytes as a date, through both grammars and the formatter. Whatever the
// input, a date or nullopt, never a crash or an out-of-range calendar.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "feeds/dates.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (const auto date = sluice::feeds::parse_date(input)) static_cast<void>(sluice::feeds::format_rfc3339(*date));
  static_cast<void>(sluice::feeds::parse_iso8601(input));
  static_cast<void>(sluice::feeds::parse_textual_date(input));
  return 0;
}
