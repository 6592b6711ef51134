#include "feeds/logging.h"

#include <mutex>

namespace sluice {

std::shared_ptr<spdlog::logger> logger(const std::string& stage) {
  static std::mutex mutex;
  const std::lock_guard lock(mutex);
  if (auto existing = spdlog::get(stage)) return existing;
  auto created = spdlog::default_logger()->clone(stage);
  spdlog::register_logger(created);
  return created;
}

}  // namespace sluice
