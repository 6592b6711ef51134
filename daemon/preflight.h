// What `sluice run` needs of the machine before it binds a socket, checked the same way by
// `sluice check-config` (which the unit runs as ExecStartPre=): the CURVE secret key readable,
// private and holding a secret key, clients_dir a readable directory, no ${VARIABLE} left unset in
// a path, and state_dir a directory sluice can write to (or create). Both commands exit 2 when one
// of these fails, as for an invalid file.
#pragma once

#include <string>
#include <vector>

#include "config/config.h"

namespace sluice::daemon {

// One line per problem, "KEY: what is wrong and what to do"; empty when all is well.
std::vector<std::string> preflight(const config::Config& config);

}  // namespace sluice::daemon
