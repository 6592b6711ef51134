#include "daemon/commands/commands.h"

#include <cstdio>
#include <stdexcept>

namespace sluice::daemon {

std::optional<config::Config> load_or_report(const std::string& file) {
  try {
    return config::load_config(file);
  } catch (const config::ConfigError& e) {
    std::fprintf(stderr, "sluice: %s\n", e.what());
    return std::nullopt;
  }
}

pipeline::CurveKeys read_secret_certificate(const std::string& file) {
  auto keys = pipeline::read_certificate(file);
  if (keys.secret_key.empty()) throw std::runtime_error(file + " holds no secret-key: give the .key_secret file");
  return keys;
}

}  // namespace sluice::daemon
