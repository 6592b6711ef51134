// Entry identity, written down once: the key that tells whether a feed item was seen before.
#pragma once

#include <string>

#include "feeds/model.h"

namespace sluice::feeds {

// The entry's GUID / atom:id when it has one, else its link, else a hash of its title and
// content ("hash:" + 32 hex digits). Stable across polls as long as the item is unchanged.
std::string entry_key(const Entry& entry);

}  // namespace sluice::feeds
