// `sluice status -c FILE`: where each configured feed stands, read from the state the daemon keeps
// (it may be running): the last poll and its outcome, consecutive errors, the next poll, and a
// permanent redirect seen or adopted. Reads only; never writes the state.
#pragma once

#include "config/config.h"

namespace sluice::daemon {

struct StatusOptions {
  bool json = false;  // one JSON object per feed and line instead of a table
};

// Exit 0 when every feed's last poll succeeded, 1 when some feed is failing or the state cannot be
// read (said on stderr).
int run_status(const config::Config& config, const StatusOptions& options);

}  // namespace sluice::daemon
