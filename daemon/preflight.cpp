#include "daemon/preflight.h"

#include <unistd.h>

#include <filesystem>
#include <stdexcept>
#include <system_error>

#include "pipeline/deliver/curve.h"

namespace sluice::daemon {
namespace {

// A ${VARIABLE} the environment did not set stays in the path as written (config.cpp).
std::string unset_variable(const std::string& path) {
  const std::size_t open = path.find("${");
  if (open == std::string::npos) return "";
  const std::size_t close = path.find('}', open);
  return path.substr(open, close == std::string::npos ? std::string::npos : close - open + 1);
}

std::string check_path(const std::string& key, const std::string& path) {
  if (const std::string variable = unset_variable(path); !variable.empty())
    return key + ": " + variable + " is not set here (under systemd the unit sets ${CREDENTIALS_DIRECTORY} for " +
           "LoadCredential= and ${STATE_DIRECTORY} for StateDirectory=; to check outside the service, export it " +
           "or give the path itself)";
  return "";
}

// The directory, or its nearest ancestor that exists when it does not yet, must take new files.
std::string check_state_dir(const std::filesystem::path& dir) {
  std::error_code error;
  std::filesystem::path existing = std::filesystem::absolute(dir, error);
  while (!std::filesystem::exists(existing, error) && existing.has_parent_path() && existing != existing.parent_path())
    existing = existing.parent_path();
  if (!std::filesystem::is_directory(existing, error))
    return "state_dir: " + existing.string() + " is not a directory, so " + dir.string() + " cannot be made there";
  if (::access(existing.c_str(), W_OK | X_OK) != 0)
    return "state_dir: " + existing.string() + " is not writable by this user" +
           (existing == dir ? std::string() : ", so " + dir.string() + " cannot be made there") +
           " (give state_dir a directory sluice owns)";
  return "";
}

}  // namespace

std::vector<std::string> preflight(const config::Config& config) {
  std::vector<std::string> problems;
  // A key path: its variables set, then what reading it finds wrong.
  const auto check_file = [&](const std::string& key, const std::filesystem::path& path, const auto& read) {
    if (std::string unset = check_path(key, path.string()); !unset.empty()) {
      problems.push_back(std::move(unset));
      return;
    }
    try {
      read(path);
    } catch (const std::runtime_error& e) {
      problems.push_back(key + ": " + e.what());
    }
  };
  if (const auto& curve = config.publish.curve) {
    check_file("publish.curve.secret_key_file", curve->secret_key_file,
               [](const std::filesystem::path& file) { pipeline::read_server_certificate(file); });
    check_file("publish.curve.clients_dir", curve->clients_dir,
               [](const std::filesystem::path& dir) { pipeline::read_client_keys(dir); });
  }
  if (std::string unset = check_path("state_dir", config.state_dir.string()); !unset.empty())
    problems.push_back(std::move(unset));
  else if (std::string state = check_state_dir(config.state_dir); !state.empty())
    problems.push_back(std::move(state));
  return problems;
}

}  // namespace sluice::daemon
