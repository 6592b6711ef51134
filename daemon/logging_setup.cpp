#include "daemon/logging_setup.h"

#include <sys/stat.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

namespace sluice::daemon {
namespace {

// Whether stderr is the journal's stream: systemd sets JOURNAL_STREAM to its "device:inode".
bool stderr_is_journal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  if (!stream) return false;
  unsigned long long device = 0;
  unsigned long long inode = 0;
  if (std::sscanf(stream, "%llu:%llu", &device, &inode) != 2) return false;
  struct stat info {};
  return ::fstat(STDERR_FILENO, &info) == 0 && info.st_dev == device && info.st_ino == inode;
}

int priority_of(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
    case spdlog::level::debug: return 7;
    case spdlog::level::info: return 6;
    case spdlog::level::warn: return 4;
    case spdlog::level::err: return 3;
    case spdlog::level::critical: return 2;
    default: return 6;
  }
}

// Structured journal entries: MESSAGE as on stderr (stage, sentence, fields), PRIORITY from the
// level, SLUICE_STAGE, and FEED= when the line names a feed, so `journalctl FEED=NAME` finds
// everything about one feed.
class JournalSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    const std::string_view payload(msg.payload.data(), msg.payload.size());
    const std::string_view stage(msg.logger_name.data(), msg.logger_name.size());
    std::vector<std::string> fields;
    fields.push_back("MESSAGE=" + std::string(stage) + ": " + std::string(payload));
    fields.push_back("PRIORITY=" + std::to_string(priority_of(msg.level)));
    fields.push_back("SYSLOG_IDENTIFIER=sluice");
    fields.push_back("SLUICE_STAGE=" + std::string(stage));
    for (std::size_t at = payload.find("feed="); at != std::string_view::npos; at = payload.find("feed=", at + 1)) {
      if (at > 0 && payload[at - 1] != ' ') continue;
      const std::size_t end = payload.find_first_of(" ;", at);
      fields.push_back("FEED=" + std::string(payload.substr(at + 5, end == std::string_view::npos ? end : end - at - 5)));
      break;
    }
    std::vector<iovec> parts;
    for (std::string& field : fields) parts.push_back({field.data(), field.size()});
    sd_journal_sendv(parts.data(), static_cast<int>(parts.size()));
  }
  void flush_() override {}
};

}  // namespace

void setup_logging(const std::string& level) {
  std::shared_ptr<spdlog::logger> logger;
  if (stderr_is_journal()) {
    logger = std::make_shared<spdlog::logger>("sluice", std::make_shared<JournalSink>());
    spdlog::register_logger(logger);
  } else {
    logger = spdlog::stderr_color_mt("sluice");
  }
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%-5l%$ %n: %v", spdlog::pattern_time_type::utc);
  spdlog::set_level(spdlog::level::from_str(level));
  spdlog::flush_on(spdlog::level::info);
}

}  // namespace sluice::daemon
