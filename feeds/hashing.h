// Non-cryptographic hashes (xxHash) for identities and fingerprints.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>

namespace sluice::feeds {

// 128-bit XXH3 of the parts, each followed by a NUL so ("ab","c") and ("a","bc") differ; 32 hex digits.
std::string hash_hex128(std::initializer_list<std::string_view> parts);

// 64-bit XXH3 of text.
std::uint64_t hash64(std::string_view text) noexcept;

// A 64-bit mixer (the finalizer of SplitMix64): every input bit moves every output bit. For
// combining hashes already made.
constexpr std::uint64_t mix64(std::uint64_t x) noexcept {
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// A hash for unordered containers keyed by std::string that are looked up by string_view too
// (with std::equal_to<>), without making a string per lookup.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const noexcept { return std::hash<std::string_view>{}(text); }
};

}  // namespace sluice::feeds
