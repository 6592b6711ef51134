// An open-addressing hash map from 64-bit keys (hashes of identities) to small values, for the
// publish thread's indexes, which see every article: one allocation for the whole table instead of
// one per entry, and a lookup that usually costs one cache miss where a node-based map costs
// several. Keys are hashes already, so they are used as they are (0 is stored as 1).
//
// Thread-safety: none.
#pragma once

#include <bit>
#include <cstdint>
#include <utility>
#include <vector>

namespace sluice::pipeline {

template <typename Value>
class FlatMap {
 public:
  // The value for key, or null.
  const Value* find(std::uint64_t key) const noexcept {
    if (slots_.empty()) return nullptr;
    key = stored(key);
    for (std::size_t at = key & mask_;; at = (at + 1) & mask_) {
      if (slots_[at].first == key) return &slots_[at].second;
      if (slots_[at].first == 0) return nullptr;
    }
  }

  bool contains(std::uint64_t key) const noexcept { return find(key) != nullptr; }

  // Adds key with value; a key already there keeps its value. Returns whether it was added.
  bool insert(std::uint64_t key, Value value) {
    if ((size_ + 1) * 2 > slots_.size()) grow();
    key = stored(key);
    std::size_t at = key & mask_;
    for (; slots_[at].first != 0; at = (at + 1) & mask_)
      if (slots_[at].first == key) return false;
    slots_[at] = {key, std::move(value)};
    ++size_;
    return true;
  }

  std::size_t size() const noexcept { return size_; }

 private:
  static std::uint64_t stored(std::uint64_t key) noexcept { return key == 0 ? 1 : key; }

  void grow() {
    std::vector<std::pair<std::uint64_t, Value>> old(std::max<std::size_t>(64, slots_.size() * 2));
    old.swap(slots_);
    mask_ = slots_.size() - 1;
    for (auto& [key, value] : old) {
      if (key == 0) continue;
      std::size_t at = key & mask_;
      while (slots_[at].first != 0) at = (at + 1) & mask_;
      slots_[at] = {key, std::move(value)};
    }
  }

  std::vector<std::pair<std::uint64_t, Value>> slots_;  // key 0: empty
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
};

}  // namespace sluice::pipeline
