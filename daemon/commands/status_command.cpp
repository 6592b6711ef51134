// `sluice status -c FILE`: which sluice runs on the state directory (state_dir/sluice.run), if any,
// and where each configured feed stands, read from the state the daemon keeps: the last poll and
// its outcome, consecutive errors, the next poll, a permanent redirect seen or adopted (or a feed
// discovered), and with websub its subscription (active until when, awaited, failed and why). Reads
// only; never writes the state.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/units.h"
#include "daemon/commands/commands.h"
#include "daemon/run_record.h"
#include "feeds/dates.h"
#include "feeds/fetch/poller.h"
#include "pipeline/state/state_store.h"

namespace sluice::daemon {
namespace {

// As `systemctl status` and LSB init scripts say "not running".
constexpr int kNotRunning = 3;

struct StatusOptions {
  bool json = false;  // one JSON object per feed and line instead of a table
};


using std::chrono::seconds;

std::int64_t now_seconds() {
  return std::chrono::duration_cast<seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string rfc3339(std::int64_t unix_seconds) {
  if (unix_seconds <= 0) return "";
  return feeds::format_rfc3339(feeds::Timestamp(seconds(unix_seconds)));
}

// "12s ago", "in 4m", "-" for never.
std::string relative(std::int64_t at, std::int64_t now) {
  if (at <= 0) return "-";
  const std::string span = config::format_duration(seconds(std::abs(at - now)));
  return at <= now ? span + " ago" : "in " + span;
}

// Where the feed is fetched from, when that is not the configured URL, or where it is moving.
std::string url_note(const config::FeedConfig& feed, const pipeline::StoredFeed& stored) {
  const bool kept = stored.configured_url == feed.url;
  // A permanent redirect adopted, or the feed the configured page advertises.
  if (kept && !stored.url.empty() && stored.url != feed.url) return "fetched from " + stored.url;
  if (kept && stored.redirect_streak > 0)
    return "permanent redirect to " + stored.redirect_target + " seen " + std::to_string(stored.redirect_streak) +
           "/" + std::to_string(feeds::kRedirectsToAdopt) + " polls";
  return "";
}


// Where a feed's WebSub subscription stands, in words; "-" when it has none.
std::string push_note(const pipeline::StoredSubscription* subscription, std::int64_t now) {
  if (!subscription) return "-";
  using State = pipeline::StoredSubscription::State;
  const std::string retry = subscription->next_attempt > 0 ? ", asks again " + relative(subscription->next_attempt, now) : "";
  switch (subscription->state) {
    case State::active:
      if (subscription->lease_end > now) return "active until " + rfc3339(subscription->lease_end);
      return "lease ended " + relative(subscription->lease_end, now) + ": polled" + retry;
    case State::subscribing:
      return subscription->requested > 0 ? "verification awaited since " + relative(subscription->requested, now)
                                         : "subscribing" + retry;
    case State::failed:
      return "failed x" + std::to_string(subscription->failures) + ": " + subscription->reason + retry;
    case State::unsubscribing:
      return "unsubscribing";
  }
  return "-";
}

// The line above the table: which sluice runs on the state directory, or that none does.
std::string daemon_line(const config::Config& config, const std::optional<RunningInstance>& running, std::int64_t now) {
  if (!running)
    return "sluice is not running on " + config.state_dir.string() +
           "; each feed as it stood when sluice last ran, its next poll due when sluice starts";
  std::string line = "sluice " + running->version + " runs as pid " + std::to_string(running->pid) + " since " +
                     rfc3339(running->started) + " (" + relative(running->started, now) + ")";
  if (running->endpoint.empty()) return line + ", starting";
  return line + ": publishing on " + running->endpoint + ", replay on " + running->replay_endpoint;
}

int run_status(const config::Config& config, const StatusOptions& options) {
  std::unordered_map<std::string, pipeline::StoredFeed> stored;
  std::optional<RunningInstance> running;
  std::vector<pipeline::StoredSubscription> subscriptions;
  try {
    running = RunRecord::find(config.state_dir);
    stored = pipeline::StateStore::read_feeds(config.state_dir);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sluice status: %s\n", e.what());
    return 1;
  }
  try {
    subscriptions = pipeline::StateStore::read_subscriptions(config.state_dir);
  } catch (const std::exception&) {
    // State written before WebSub has no subscriptions table: no subscriptions.
  }
  const auto subscription_of = [&](const std::string& feed) -> const pipeline::StoredSubscription* {
    const auto found = std::ranges::find(subscriptions, feed, &pipeline::StoredSubscription::feed);
    return found == subscriptions.end() ? nullptr : &*found;
  };
  const std::int64_t now = now_seconds();
  if (!options.json) std::printf("%s\n\n", daemon_line(config, running, now).c_str());
  bool failing = false;
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"FEED", "STATE", "LAST POLL", "OUTCOME", "NEXT POLL", "NOTE"});
  if (config.websub) rows.back().insert(rows.back().end() - 1, "PUSH");
  for (const config::FeedConfig& feed : config.feeds) {
    const auto found = stored.find(feed.name);
    const pipeline::StoredFeed none;
    const pipeline::StoredFeed& state = found == stored.end() ? none : found->second;
    const bool polled = state.last_polled > 0;
    failing = failing || state.errors > 0;
    const std::string kind = !polled ? "new" : state.errors > 0 ? "failing" : "ok";
    if (options.json) {
      nlohmann::json line{{"feed", feed.name},
                          {"url", feed.url},
                          {"running", running.has_value()},
                          {"state", kind},
                          {"errors", state.errors},
                          {"last_polled", polled ? nlohmann::json(rfc3339(state.last_polled)) : nullptr},
                          {"last_status", state.last_status},
                          {"next_poll", state.next_due > 0 ? nlohmann::json(rfc3339(state.next_due)) : nullptr},
                          {"fetched_from", state.configured_url == feed.url && !state.url.empty() ? state.url : feed.url},
                          {"redirect_target", state.redirect_target},
                          {"redirect_streak", state.redirect_streak},
                          {"websub", nullptr}};
      if (const pipeline::StoredSubscription* subscription = subscription_of(feed.name))
        line["websub"] = {{"state", pipeline::state_name(subscription->state)},
                          {"hub", subscription->hub},
                          {"topic", subscription->topic},
                          {"lease_end", subscription->lease_end > 0 ? nlohmann::json(rfc3339(subscription->lease_end)) : nullptr},
                          {"failures", subscription->failures},
                          {"reason", subscription->reason}};
      std::printf("%s\n", line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
      continue;
    }
    const std::string next = !running && state.next_due > 0 && state.next_due <= now ? "on start" : relative(state.next_due, now);
    rows.push_back({feed.name, state.errors > 0 && polled ? kind + " x" + std::to_string(state.errors) : kind,
                    relative(state.last_polled, now), polled ? state.last_status : "-", next, url_note(feed, state)});
    if (config.websub) rows.back().insert(rows.back().end() - 1, push_note(subscription_of(feed.name), now));
  }
  if (!options.json) {
    std::vector<std::size_t> width(rows.front().size(), 0);
    for (const auto& row : rows)
      for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
    for (const auto& row : rows) {
      std::string line;
      for (std::size_t i = 0; i < row.size(); ++i) {
        line += row[i];
        if (i + 1 < row.size()) line.append(width[i] - row[i].size() + 2, ' ');
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      std::printf("%s\n", line.c_str());
    }
  }
  if (!running) return kNotRunning;
  return failing ? 1 : 0;
}

}  // namespace

Subcommand add_status_command(CLI::App& app) {
  struct Parsed {
    std::string config_file;
    StatusOptions status;
  };
  auto options = std::make_shared<Parsed>();
  auto* status = app.add_subcommand(
      "status", "Show where each feed stands (last poll and outcome, errors, next poll, redirects), read from the "
                "daemon's state; exit 1 when a feed is failing, 3 when no sluice runs on the state directory");
  status->add_option("-c,--config", options->config_file, "Configuration file (YAML)")->required();
  status->add_flag("--json", options->status.json, "One JSON object per feed and line");
  return {status, [options] {
            const auto config = load_or_report(options->config_file);
            if (!config) return kUsageError;
            return run_status(*config, options->status);
          }};
}

}  // namespace sluice::daemon
