#pragma once

#include <string>

namespace sluice::daemon {

// Sends every stage's log to stderr as "TIME LEVEL STAGE: sentence key=value ...", times in UTC.
// `level` is one of trace, debug, info, warn, error, critical, off.
void setup_logging(const std::string& level);

}  // namespace sluice::daemon
