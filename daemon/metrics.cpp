#include "daemon/metrics.h"

#include <httplib.h>

#include <cstdio>
#include <stdexcept>

namespace sluice::daemon {
namespace {

// A label value with \, " and newlines escaped, as the exposition format wants.
std::string label(std::string_view value) {
  std::string out;
  for (const char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

void family(std::string& out, const char* name, const char* type, const char* help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

void sample(std::string& out, const std::string& name, double value) {
  out += name;
  out += ' ';
  out += number(value);
  out += '\n';
}

}  // namespace

template <std::size_t N>
void Metrics::Histogram<N>::observe(double value) {
  for (std::size_t i = 0; i < N; ++i)
    if (value <= bounds[i]) ++buckets[i];
  ++count;
  sum += value;
}

template <std::size_t N>
void Metrics::Histogram<N>::render(std::string& out, const char* name, const char* help) const {
  family(out, name, "histogram", help);
  const std::string prefix = name;
  for (std::size_t i = 0; i < N; ++i)
    sample(out, prefix + "_bucket{le=\"" + number(bounds[i]) + "\"}", static_cast<double>(buckets[i]));
  sample(out, prefix + "_bucket{le=\"+Inf\"}", static_cast<double>(count));
  sample(out, prefix + "_sum", sum);
  sample(out, prefix + "_count", static_cast<double>(count));
}

void Metrics::fetched(const std::string& feed, const feeds::FetchResult& result, std::int64_t unix_now) {
  const std::lock_guard lock(mutex_);
  Feed& state = feeds_[feed];
  if (!result) {
    ++fetches_["error"];
    ++statuses_[result.error().status];
    state.last_error = static_cast<double>(unix_now);
    return;
  }
  ++fetches_[result->not_modified() ? "not_modified" : "fetched"];
  ++statuses_[result->status];
  state.last_success = static_cast<double>(unix_now);
  bytes_ += result->body.size();
  fetch_duration_.observe(std::chrono::duration<double>(result->elapsed).count());
}

void Metrics::push_published(double seconds) {
  const std::lock_guard lock(mutex_);
  push_to_publish_.observe(seconds);
}

void Metrics::scheduled(const std::string& feed, std::int64_t next_due_unix, int errors) {
  const std::lock_guard lock(mutex_);
  Feed& state = feeds_[feed];
  state.next_due = static_cast<double>(next_due_unix);
  state.errors = errors;
}

std::string Metrics::render(const Gauges& gauges) const {
  std::string out;
  out.reserve(4096);
  family(out, "sluice_up", "gauge", "1 while every sluice thread makes progress.");
  sample(out, "sluice_up", gauges.alive ? 1 : 0);
  family(out, "sluice_ready", "gauge", "1 while sluice serves (0 during a reload).");
  sample(out, "sluice_ready", gauges.ready ? 1 : 0);
  if (gauges.ready) {
    family(out, "sluice_info", "gauge", "The running sluice: its version and the endpoints it bound.");
    sample(out, "sluice_info{version=\"" + label(SLUICE_VERSION) + "\",endpoint=\"" + label(gauges.endpoint) +
                    "\",replay_endpoint=\"" + label(gauges.replay_endpoint) + "\"}",
           1);
  }
  render_fetches(out);
  render_counters(out);
  render_gauges(out, gauges);
  return out;
}

void Metrics::render_fetches(std::string& out) const {
  const std::lock_guard lock(mutex_);
  family(out, "sluice_fetches_total", "counter", "Feed polls by outcome.");
  for (const char* result : {"fetched", "not_modified", "error"}) {
    const auto found = fetches_.find(result);
    sample(out, std::string("sluice_fetches_total{result=\"") + result + "\"}",
           static_cast<double>(found == fetches_.end() ? 0 : found->second));
  }
  family(out, "sluice_fetch_responses_total", "counter", "Feed polls by HTTP status (0: no answer).");
  for (const auto& [status, count] : statuses_)
    sample(out, "sluice_fetch_responses_total{status=\"" + std::to_string(status) + "\"}", static_cast<double>(count));
  fetch_duration_.render(out, "sluice_fetch_duration_seconds", "Time to fetch an answered feed poll.");
  push_to_publish_.render(out, "sluice_websub_push_to_publish_seconds",
                          "Time from a hub's delivery reaching sluice to its document's articles being published.");
  family(out, "sluice_fetched_bytes_total", "counter", "Bytes of feed documents received (decoded).");
  sample(out, "sluice_fetched_bytes_total", static_cast<double>(bytes_));
  const auto per_feed = [&](const char* name, const char* help, auto value) {
    family(out, name, "gauge", help);
    for (const auto& [feed_name, feed] : feeds_)
      sample(out, std::string(name) + "{feed=\"" + label(feed_name) + "\"}", static_cast<double>(value(feed)));
  };
  per_feed("sluice_feed_last_success_timestamp_seconds", "When a feed was last polled successfully.",
           [](const Feed& feed) { return feed.last_success; });
  per_feed("sluice_feed_last_error_timestamp_seconds", "When a feed's poll last failed.",
           [](const Feed& feed) { return feed.last_error; });
  per_feed("sluice_feed_next_poll_timestamp_seconds", "When a feed is polled next.",
           [](const Feed& feed) { return feed.next_due; });
  per_feed("sluice_feed_consecutive_errors", "Failed polls of a feed since its last success.",
           [](const Feed& feed) { return feed.errors; });
}

void Metrics::render_counters(std::string& out) const {
  family(out, "sluice_entries_parsed_total", "counter", "Entries read from feed documents.");
  sample(out, "sluice_entries_parsed_total", static_cast<double>(entries_parsed.load()));
  family(out, "sluice_feed_parse_errors_total", "counter", "Feed documents that could not be read.");
  sample(out, "sluice_feed_parse_errors_total", static_cast<double>(feed_parse_errors.load()));
  family(out, "sluice_feed_brakes_total", "counter",
         "Items the per-feed limits held back: past max_items (dropped), past max_new_per_poll (left for the next "
         "poll), edits within min_revision_interval (held).");
  sample(out, "sluice_feed_brakes_total{limit=\"max_items\"}", static_cast<double>(entries_over_max_items.load()));
  sample(out, "sluice_feed_brakes_total{limit=\"max_new_per_poll\"}", static_cast<double>(entries_deferred.load()));
  sample(out, "sluice_feed_brakes_total{limit=\"min_revision_interval\"}", static_cast<double>(revisions_held.load()));
  family(out, "sluice_articles_cleaned_total", "counter", "New or edited articles cleaned and handed to the publisher.");
  sample(out, "sluice_articles_cleaned_total", static_cast<double>(articles_built.load()));
  family(out, "sluice_websub_deliveries_total", "counter",
         "Documents WebSub hubs pushed, by outcome: taken, or dropped (bad signature, unknown callback, too large, "
         "the feed's shard another cluster instance's, the bodies under way at their limit).");
  sample(out, "sluice_websub_deliveries_total{outcome=\"taken\"}", static_cast<double>(push.delivered.load()));
  sample(out, "sluice_websub_deliveries_total{outcome=\"bad_signature\"}", static_cast<double>(push.bad_signature.load()));
  sample(out, "sluice_websub_deliveries_total{outcome=\"unknown_callback\"}",
         static_cast<double>(push.unknown_callback.load()));
  sample(out, "sluice_websub_deliveries_total{outcome=\"too_large\"}", static_cast<double>(push.too_large.load()));
  sample(out, "sluice_websub_deliveries_total{outcome=\"not_owned\"}", static_cast<double>(push.not_owned.load()));
  sample(out, "sluice_websub_deliveries_total{outcome=\"overloaded\"}", static_cast<double>(push.overloaded.load()));
  family(out, "sluice_websub_verifications_refused_total", "counter",
         "Verification requests for subscriptions sluice did not ask for or no longer awaits (answered 404).");
  sample(out, "sluice_websub_verifications_refused_total", static_cast<double>(push.verifications_refused.load()));
  family(out, "sluice_articles_blocked_total", "counter", "New or edited items a feed's keep and block rules left out.");
  sample(out, "sluice_articles_blocked_total", static_cast<double>(articles_blocked.load()));
  family(out, "sluice_articles_deduplicated_total", "counter", "Articles not published, by reason.");
  sample(out, "sluice_articles_deduplicated_total{reason=\"in_journal\"}", static_cast<double>(delivery.repeats_dropped.load()));
  // Stories another feed told, by the rule that found them (pipeline/deliver/story_index.h).
  sample(out, "sluice_articles_deduplicated_total{reason=\"same_story\",rule=\"same_url\"}",
         static_cast<double>(delivery.same_url_dropped.load()));
  sample(out, "sluice_articles_deduplicated_total{reason=\"same_story\",rule=\"same_text\"}",
         static_cast<double>(delivery.same_text_dropped.load()));
  sample(out, "sluice_articles_deduplicated_total{reason=\"same_story\",rule=\"same_brief\"}",
         static_cast<double>(delivery.same_brief_dropped.load()));
  family(out, "sluice_articles_published_total", "counter", "Articles published.");
  sample(out, "sluice_articles_published_total", static_cast<double>(delivery.published.load()));
}

void Metrics::render_gauges(std::string& out, const Gauges& gauges) {
  family(out, "sluice_queue_depth", "gauge", "Items waiting between stages.");
  sample(out, "sluice_queue_depth{queue=\"documents\"}", static_cast<double>(gauges.documents_queued));
  sample(out, "sluice_queue_depth{queue=\"articles\"}", static_cast<double>(gauges.articles_queued));
  family(out, "sluice_journal_bytes", "gauge", "Size of the journal on disk.");
  sample(out, "sluice_journal_bytes", static_cast<double>(gauges.journal_bytes));
  family(out, "sluice_journal_head_seq", "gauge", "The last seq made durable.");
  sample(out, "sluice_journal_head_seq", static_cast<double>(gauges.journal_head));
  family(out, "sluice_journal_first_seq", "gauge", "The oldest seq the journal keeps.");
  sample(out, "sluice_journal_first_seq", static_cast<double>(gauges.journal_first));
  family(out, "sluice_subscribers", "gauge", "Subscriber connections to the live stream.");
  sample(out, "sluice_subscribers", static_cast<double>(gauges.subscribers));
  family(out, "sluice_replay_requests_total", "counter", "Replay requests served (since the last start or reload).");
  sample(out, "sluice_replay_requests_total", static_cast<double>(gauges.replay_requests));
  family(out, "sluice_replay_busy_total", "counter",
         "Replay requests answered busy: the most replays at once were under way (since the last start or reload).");
  sample(out, "sluice_replay_busy_total", static_cast<double>(gauges.replay_busy));
  family(out, "sluice_replay_queued_bytes", "gauge", "Bytes queued for replay clients and not yet sent.");
  sample(out, "sluice_replay_queued_bytes", static_cast<double>(gauges.replay_queued_bytes));
  if (gauges.shards_held) {
    family(out, "sluice_cluster_shards_held", "gauge", "Shards this cluster instance holds the lease of.");
    sample(out, "sluice_cluster_shards_held", static_cast<double>(*gauges.shards_held));
  }
}

struct MetricsServer::Impl {
  httplib::Server server;
  std::thread thread;
  int port = 0;
};

MetricsServer::MetricsServer(const std::string& listen, const Metrics& metrics, std::function<Metrics::Gauges()> gauges)
    : impl_(std::make_unique<Impl>()) {
  const std::size_t colon = listen.rfind(':');
  if (colon == std::string::npos) throw std::runtime_error("metrics.listen '" + listen + "' is not HOST:PORT");
  const std::string host = listen.substr(0, colon);
  const int port = std::stoi(listen.substr(colon + 1));
  impl_->server.Get("/metrics", [&metrics, gauges](const httplib::Request&, httplib::Response& response) {
    response.set_content(metrics.render(gauges()), "text/plain; version=0.0.4; charset=utf-8");
  });
  impl_->server.Get("/healthz", [gauges](const httplib::Request&, httplib::Response& response) {
    const bool alive = gauges().alive;
    response.status = alive ? 200 : 503;
    response.set_content(alive ? "ok\n" : "a thread makes no progress\n", "text/plain");
  });
  impl_->server.Get("/readyz", [gauges](const httplib::Request&, httplib::Response& response) {
    const bool ready = gauges().ready;
    response.status = ready ? 200 : 503;
    response.set_content(ready ? "ready\n" : "starting or reloading\n", "text/plain");
  });
  impl_->port = port == 0 ? impl_->server.bind_to_any_port(host) : (impl_->server.bind_to_port(host, port) ? port : -1);
  if (impl_->port <= 0) throw std::runtime_error("cannot listen for metrics on " + listen);
  impl_->thread = std::thread([this] { impl_->server.listen_after_bind(); });
  // stop() only takes hold once the accept loop runs.
  while (!impl_->server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

MetricsServer::~MetricsServer() {
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

int MetricsServer::port() const noexcept { return impl_->port; }

}  // namespace sluice::daemon
