// `sluice opml import FILE [--into CONFIG] [-c CONFIG]` and `sluice opml export -c CONFIG [-o FILE]`: feed lists
// to and from the OPML that feed readers exchange (config/opml.h).
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <system_error>
#include <unistd.h>

#include "config/opml.h"
#include "daemon/commands/commands.h"

namespace sluice::daemon {
namespace {

struct OpmlOptions {
  std::string file;
  std::string into;
  std::string config;
  std::string output;
};

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return text.str();
}

// Replaces path by text through a file beside it, so a crash leaves the old file or the new one.
bool write_file(const std::string& path, const std::string& text) {
  const std::string temporary = path + ".sluice-new";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      std::fprintf(stderr, "%s: cannot write: %s\n", temporary.c_str(), std::strerror(errno));
      return false;
    }
  }
  std::error_code error;
  if (const auto status = std::filesystem::status(path, error); !error)
    std::filesystem::permissions(temporary, status.permissions(), error);
  std::filesystem::rename(temporary, path, error);
  if (error) {
    std::fprintf(stderr, "%s: cannot replace: %s\n", path.c_str(), error.message().c_str());
    std::filesystem::remove(temporary, error);
    return false;
  }
  return true;
}

int import_opml(const OpmlOptions& options) {
  const auto document = read_file(options.file);
  if (!document) {
    std::fprintf(stderr, "%s: cannot read: %s\n", options.file.c_str(), std::strerror(errno));
    return 1;
  }
  try {
    std::string text = "feeds: []\n";  // a new file: a configuration of these feeds alone
    config::Config existing;
    if (!options.into.empty() && std::filesystem::exists(options.into)) {
      const auto read = read_file(options.into);
      if (!read) {
        std::fprintf(stderr, "%s: cannot read: %s\n", options.into.c_str(), std::strerror(errno));
        return 1;
      }
      text = *read;
      existing = config::parse_config(text, options.into);
    }
    // The feeds of the whole configuration (its includes too) when --into names one of its files.
    std::vector<config::FeedConfig> configured = existing.feeds;
    if (!options.config.empty()) {
      const auto whole = load_or_report(options.config);
      if (!whole) return kUsageError;
      configured.insert(configured.end(), whole->feeds.begin(), whole->feeds.end());
    }
    const config::OpmlList list = config::read_opml(*document, options.file, configured);
    for (const std::string& note : list.notes) std::fprintf(stderr, "%s: %s\n", options.file.c_str(), note.c_str());
    if (options.into.empty()) {
      std::printf("feeds:\n%s", config::feeds_yaml(list.feeds).c_str());
      return 0;
    }
    existing.source = options.into;
    if (list.feeds.empty()) {
      std::fprintf(stderr, "%s: no feed to add from %s\n", options.into.c_str(), options.file.c_str());
      return 0;
    }
    if (!write_file(options.into, config::add_feeds(text, existing, list.feeds))) return 1;
    std::fprintf(stderr, "%s: %zu feed%s added from %s\n", options.into.c_str(), list.feeds.size(),
                 list.feeds.size() == 1 ? "" : "s", options.file.c_str());
    return 0;
  } catch (const config::ConfigError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return kUsageError;
  }
}

int export_opml(const OpmlOptions& options) {
  const auto config = load_or_report(options.config);
  if (!config) return kUsageError;
  std::size_t pages = 0;
  for (const config::FeedConfig& feed : config->feeds) pages += feed.type == config::FeedConfig::Type::html;
  if (pages > 0)
    std::fprintf(stderr, "%s: %zu feed%s of type html (pages listing links) not written: OPML lists feeds\n",
                 options.config.c_str(), pages, pages == 1 ? "" : "s");
  const std::string opml = config::write_opml(*config);
  if (options.output.empty() || options.output == "-") {
    std::fwrite(opml.data(), 1, opml.size(), stdout);
    return 0;
  }
  return write_file(options.output, opml) ? 0 : 1;
}

}  // namespace

Subcommand add_opml_command(CLI::App& app) {
  auto options = std::make_shared<OpmlOptions>();
  auto* opml = app.add_subcommand("opml", "Import a feed list from OPML, or export the configured feeds as OPML");
  opml->require_subcommand(1);
  auto* import = opml->add_subcommand(
      "import", "Read an OPML subscription list into feed entries: printed, or added to a configuration file");
  import->add_option("file", options->file, "OPML file")->required();
  import->add_option("--into", options->into,
                     "Configuration file the feeds are added to (created when missing); feeds it has already are left out");
  import->add_option("-c,--config", options->config,
                     "The configuration as a whole (with its includes), when --into is a file it includes: its feeds' "
                     "names and URLs are taken too");
  auto* exporting = opml->add_subcommand("export", "Write the configured feeds as OPML 2.0, their first tag as folder");
  exporting->add_option("-c,--config", options->config, "Configuration file")->required();
  exporting->add_option("-o,--output", options->output, "Where to write it (default: standard output)");
  return {opml, [options, import] { return import->parsed() ? import_opml(*options) : export_opml(*options); }};
}

}  // namespace sluice::daemon
