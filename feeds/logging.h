// Named spdlog loggers, one per stage ("fetch", "parse", "publish", ...). Messages are a fixed
// sentence plus key=value fields: `feed fetched feed=bbc-world status=200 bytes=48213 ms=182`.
#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <string>

namespace sluice {

// The logger of a stage, created from the default logger's sinks and level on first use.
// Thread-safe.
std::shared_ptr<spdlog::logger> logger(const std::string& stage);

}  // namespace sluice
