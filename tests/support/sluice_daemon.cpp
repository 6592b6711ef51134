#include "tests/support/sluice_daemon.h"

#include <regex>

#include "tests/support/temp_dir.h"

namespace sluice::test {

SluiceDaemon::SluiceDaemon(std::filesystem::path dir, const std::string& rest, const std::string& publish_extra)
    : dir_(std::move(dir)), config_(dir_ / "sluice.yaml") {
  write_file(config_, "state_dir: " + (dir_ / "state").string() +
                          "\npublish:\n  endpoint: \"tcp://127.0.0.1:*\"\n  replay_endpoint: \"tcp://127.0.0.1:*\"\n" +
                          publish_extra + rest);
}

bool SluiceDaemon::start() {
  process_.reset();
  ++runs_;
  process_.emplace(std::vector<std::string>{SLUICE_BINARY, "run", "-c", config_.string()}, dir_ / "daemon.out",
                   dir_ / ("daemon-" + std::to_string(runs_) + ".err"));
  if (!wait_for_log("sluice started")) return false;
  std::smatch match;
  const std::string text = log();
  if (!std::regex_search(text, match, std::regex(" endpoint=(tcp://[0-9.]+:[0-9]+) replay=(tcp://[0-9.]+:[0-9]+)")))
    return false;
  endpoint_ = match[1];
  replay_endpoint_ = match[2];
  return true;
}

std::optional<int> SluiceDaemon::stop(int signal) {
  if (!process_) return std::nullopt;
  process_->send_signal(signal);
  return process_->wait_for(std::chrono::seconds(20));
}

void SluiceDaemon::signal(int signal) const {
  if (process_) process_->send_signal(signal);
}

std::string SluiceDaemon::log() const { return read_file(dir_ / ("daemon-" + std::to_string(runs_) + ".err")); }

bool SluiceDaemon::wait_for_log(const std::string& text, std::size_t times, std::chrono::milliseconds timeout) const {
  return wait_until([&] { return count_of(log(), text) >= times; }, timeout);
}

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t found = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++found;
  return found;
}

}  // namespace sluice::test
