#include "feeds/hashing.h"

#include <xxhash.h>

#include <cstdio>
#include <memory>
#include <new>

namespace sluice::feeds {

std::string hash_hex128(std::initializer_list<std::string_view> parts) {
  const std::unique_ptr<XXH3_state_t, decltype(&XXH3_freeState)> state(XXH3_createState(), &XXH3_freeState);
  if (!state) throw std::bad_alloc();
  XXH3_128bits_reset(state.get());
  for (std::string_view part : parts) {
    XXH3_128bits_update(state.get(), part.data(), part.size());
    XXH3_128bits_update(state.get(), "", 1);
  }
  const XXH128_hash_t hash = XXH3_128bits_digest(state.get());
  char hex[33];
  std::snprintf(hex, sizeof hex, "%016llx%016llx", static_cast<unsigned long long>(hash.high64),
                static_cast<unsigned long long>(hash.low64));
  return hex;
}

std::uint64_t hash64(std::string_view text) noexcept { return XXH3_64bits(text.data(), text.size()); }

}  // namespace sluice::feeds
