#include "daemon/cli.h"

int main(int argc, char** argv) { return sluice::daemon::run_cli(argc, argv); }
