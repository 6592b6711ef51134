// The configuration error a call throws, for tests that check its file, place and words.
#pragma once

#include <gtest/gtest.h>

#include "config/config_error.h"

namespace sluice::config {

// The ConfigError that run() throws; a test failure, and an error naming nothing, when it throws none.
template <typename Run>
ConfigError config_error_of(Run&& run) {
  try {
    run();
  } catch (const ConfigError& e) {
    return e;
  }
  ADD_FAILURE() << "no configuration error was thrown";
  return ConfigError("", {}, "", "");
}

}  // namespace sluice::config
