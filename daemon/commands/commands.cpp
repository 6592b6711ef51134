#include "daemon/commands/commands.h"

#include <cstdio>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "daemon/preflight.h"

namespace sluice::daemon {

std::optional<config::Config> load_or_report(const std::string& file) {
  try {
    return config::load_config(file);
  } catch (const config::ConfigError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return std::nullopt;
  }
}

std::optional<config::Config> load_and_check(const std::string& file) {
  auto config = load_or_report(file);
  if (!config) return std::nullopt;
  const std::vector<std::string> problems = preflight(*config);
  for (const std::string& problem : problems) std::fprintf(stderr, "%s: %s\n", file.c_str(), problem.c_str());
  if (!problems.empty()) return std::nullopt;
  return config;
}

std::string public_certificate_of(const std::string& secret_file) {
  constexpr std::string_view kSecret = "_secret";
  if (!secret_file.ends_with(".key_secret")) return "";
  return secret_file.substr(0, secret_file.size() - kSecret.size());
}

pipeline::CurveKeys read_secret_certificate(const std::string& file) {
  auto keys = pipeline::read_certificate(file);
  if (keys.secret_key.empty()) throw std::runtime_error(file + " holds no secret-key: give the .key_secret file");
  return keys;
}

}  // namespace sluice::daemon
