// The `sluice` command line (DESIGN.md §4). Exit codes: 0 success, 2 usage or configuration
// error, 1 any other failure; errors go to stderr on one line naming the file or feed.
#pragma once

namespace sluice::daemon {

int run_cli(int argc, char** argv);

}  // namespace sluice::daemon
