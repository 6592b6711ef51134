#include "feeds/identity.h"

#include "feeds/hashing.h"

namespace sluice::feeds {

std::string entry_key(const Entry& entry) {
  if (!entry.id.empty()) return entry.id;
  if (!entry.link.empty()) return entry.link;
  const std::string_view title = entry.title ? std::string_view(entry.title->value) : std::string_view();
  const std::string_view body = !entry.content.empty() ? std::string_view(entry.content.front().value)
                                : entry.summary      ? std::string_view(entry.summary->value)
                                                     : std::string_view();
  return "hash:" + hash_hex128({title, body});
}

}  // namespace sluice::feeds
