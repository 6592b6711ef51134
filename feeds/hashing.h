// Non-cryptographic hashes (xxHash) for identities and fingerprints.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace sluice::feeds {

// 128-bit XXH3 of the parts, each followed by a NUL so ("ab","c") and ("a","bc") differ; 32 hex digits.
std::string hash_hex128(std::initializer_list<std::string_view> parts);

// 64-bit XXH3 of text.
std::uint64_t hash64(std::string_view text) noexcept;

}  // namespace sluice::feeds
