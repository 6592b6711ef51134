// Durations ("90s", "5m", "1h30m", "7d") and byte sizes ("512KiB", "15MiB", "2MB") as written in
// the configuration file.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::config {

// Parses a sequence of <integer><unit> groups, units ms s m h d; returns nullopt when malformed or
// when the total overflows.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

// Parses <integer>[unit], units B, KB/MB/GB (powers of 1000) and KiB/MiB/GiB (powers of 1024).
std::optional<std::uint64_t> parse_size(std::string_view text);

// The shortest exact spelling of a duration in the units above ("90s", "5m", "1h30m").
std::string format_duration(std::chrono::milliseconds value);

// A size as an exact binary multiple when it is one ("15MiB"), else in bytes ("1000B").
std::string format_size(std::uint64_t bytes);

}  // namespace sluice::config
