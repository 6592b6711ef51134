#pragma once

#include <string>

namespace sluice::daemon {

// Sends every stage's log to stderr as "TIME LEVEL STAGE: sentence key=value ...", times in UTC;
// or, when stderr is the systemd journal's stream (JOURNAL_STREAM), straight to the journal as
// structured entries with PRIORITY=, SLUICE_STAGE= and FEED= fields.
// `level` is one of trace, debug, info, warn, error, critical, off.
void setup_logging(const std::string& level);

}  // namespace sluice::daemon
