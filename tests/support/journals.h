// Journals in states tests need, made through the real Journal.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "pipeline/deliver/journal.h"

namespace sluice::test {

// A journal in dir that wrote 100 records (topic "article.a.", bodies "1".."100"), each synced,
// under limits so small that retention has already removed its oldest segments.
inline std::unique_ptr<pipeline::Journal> journal_past_retention(const std::filesystem::path& dir) {
  pipeline::JournalLimits limits;
  limits.segment_bytes = 300;
  limits.max_bytes = 600;
  auto journal = std::make_unique<pipeline::Journal>(dir, limits);
  for (int i = 1; i <= 100; ++i) {
    journal->append("article.a.", std::to_string(i), i);
    journal->sync();
  }
  return journal;
}

}  // namespace sluice::test
