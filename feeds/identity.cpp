#include "feeds/identity.h"

#include "feeds/hashing.h"

namespace sluice::feeds {

std::string entry_key(const Entry& entry) {
  if (!entry.id.empty()) return entry.id;
  if (!entry.link.empty()) return entry.link;
  return "hash:" + hash_hex128({entry.title, entry.content.empty() ? entry.summary : entry.content});
}

}  // namespace sluice::feeds
