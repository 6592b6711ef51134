// Fixed sets of short words (element, attribute, property names), each word carrying flags, with
// a lookup that costs one hash and, most of the time, one comparison: the sanitizer asks about
// every tag and attribute it meets.
#pragma once

#include <bit>
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::feeds {

class WordFlags {
 public:
  // Each group's words get its flag (ORed with those of other groups). The words must outlive
  // the table (string literals, in practice).
  WordFlags(std::initializer_list<std::pair<std::span<const std::string_view>, unsigned>> groups) {
    std::size_t words = 0;
    for (const auto& [group, flag] : groups) words += group.size();
    slots_.resize(std::bit_ceil(words * 2 + 1));
    mask_ = slots_.size() - 1;
    for (const auto& [group, flag] : groups)
      for (const std::string_view word : group) {
        std::size_t at = hash(word) & mask_;
        while (slots_[at].word.data() != nullptr && slots_[at].word != word) at = (at + 1) & mask_;
        slots_[at].word = word;
        slots_[at].flags |= flag;
      }
  }

  // The word's flags; 0 when it is in no group.
  unsigned flags(std::string_view word) const noexcept {
    for (std::size_t at = hash(word) & mask_;; at = (at + 1) & mask_) {
      const Slot& slot = slots_[at];
      if (slot.word.data() == nullptr) return 0;
      if (slot.word == word) return slot.flags;
    }
  }

  bool contains(std::string_view word) const noexcept { return flags(word) != 0; }

 private:
  // FNV-1a: the words are short.
  static std::size_t hash(std::string_view word) noexcept {
    std::uint64_t value = 14695981039346656037ULL;
    for (const char c : word) value = (value ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    return static_cast<std::size_t>(value ^ (value >> 29));
  }

  struct Slot {
    std::string_view word;  // null: empty slot (open addressing)
    unsigned flags = 0;
  };
  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
};

}  // namespace sluice::feeds
