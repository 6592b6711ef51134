#include "pipeline/push/push_stage.h"

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <optional>
#include <stdexcept>

#include "config/units.h"
#include "feeds/logging.h"
#include "feeds/urls.h"

namespace sluice::pipeline {
namespace {

using namespace std::chrono_literals;

// The path's last segment: the callback id (whatever path the reverse proxy keeps before it).
std::string_view callback_of(std::string_view path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::vector<StoredSubscription> without_gone_feeds(StateStore& store, const config::Config& config) {
  std::vector<StoredSubscription> stored = store.load_subscriptions();
  for (StoredSubscription& subscription : stored) {
    const bool configured = std::ranges::any_of(config.feeds, [&](const config::FeedConfig& feed) {
      return feed.name == subscription.feed && feed.websub != config::FeedConfig::WebSub::off;
    });
    // Leaving feeds are unsubscribed from now on (their next request is an unsubscription).
    if (!configured && subscription.state != StoredSubscription::State::unsubscribing) {
      subscription.state = StoredSubscription::State::unsubscribing;
      subscription.requested = 0;
      subscription.failures = 0;
      subscription.next_attempt = 1;
    }
  }
  return stored;
}

// The pair, percent-encoded for an application/x-www-form-urlencoded body.
std::string form_field(std::string_view name, std::string_view value) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  const auto encoded = [](std::string_view text) {
    std::string out;
    for (const char c : text) {
      const auto byte = static_cast<unsigned char>(c);
      if (std::isalnum(byte) || c == '-' || c == '_' || c == '.' || c == '~') {
        out += c;
      } else {
        out += '%';
        out += kDigits[byte >> 4];
        out += kDigits[byte & 0x0F];
      }
    }
    return out;
  };
  return encoded(name) + "=" + encoded(value);
}

}  // namespace

struct PushStage::Server {
  httplib::Server http;
};

PushStage::PushStage(const config::Config& config, StateStore& store, PushCounters& counters, Sink sink)
    : config_(config),
      sink_(std::move(sink)),
      subscriptions_(
          without_gone_feeds(store, config), config.websub->lease.count(), config.websub->allow_sha1,
          [&store](const StoredSubscription& subscription) {
            try {
              store.save_subscription(subscription);
            } catch (const std::exception& e) {
              logger("push")->error("subscription not saved feed={} error=\"{}\"", subscription.feed, e.what());
            }
          },
          [&store](const std::string& feed) {
            try {
              store.forget_subscription(feed);
            } catch (const std::exception& e) {
              logger("push")->error("subscription not forgotten feed={} error=\"{}\"", feed, e.what());
            }
          }),
      server_(std::make_unique<Server>()),
      counters_(counters) {
  for (std::size_t i = 0; i < config.feeds.size(); ++i) feed_index_.emplace(config.feeds[i].name, i);
}

PushStage::~PushStage() { stop(); }

std::int64_t PushStage::now() const {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void PushStage::listen() {
  const std::string& listen = config_.websub->listen;
  const std::size_t colon = listen.rfind(':');
  const std::string host = listen.substr(0, colon);
  const int port = std::stoi(listen.substr(colon + 1));
  std::uint64_t largest = config_.defaults.max_body;
  for (const config::FeedConfig& feed : config_.feeds) largest = std::max(largest, feed.poll.max_body);
  server_->http.set_payload_max_length(largest);
  server_->http.set_read_timeout(30, 0);
  serve();
  port_ = port == 0 ? server_->http.bind_to_any_port(host) : (server_->http.bind_to_port(host, port) ? port : -1);
  if (port_ <= 0) throw std::runtime_error("websub.listen: cannot listen on " + listen);
  logger("push")->info("websub callback server listening={}:{} public_url={}", host, port_, config_.websub->public_url);
}

void PushStage::start() {
  server_thread_ = std::thread([this] { server_->http.listen_after_bind(); });
  // httplib's stop() takes effect only once the accept loop runs: a stop() right after start()
  // would otherwise leave the thread serving.
  for (int waited = 0; waited < 5000 && !server_->http.is_running(); ++waited) std::this_thread::sleep_for(1ms);
  client_thread_ = std::jthread([this](std::stop_token stop) { request_subscriptions(stop); });
}

void PushStage::stop() {
  if (client_thread_.joinable()) {
    client_thread_.request_stop();
    client_thread_.join();
  }
  server_->http.stop();
  if (server_thread_.joinable()) server_thread_.join();
}

void PushStage::serve() {
  static const auto log = logger("push");
  server_->http.Get(".*", [this](const httplib::Request& request, httplib::Response& response) {
    const std::string_view callback = callback_of(request.path);
    const std::string mode = request.get_param_value("hub.mode");
    const std::string topic = request.get_param_value("hub.topic");
    const std::string challenge = request.get_param_value("hub.challenge");
    const std::string lease = request.get_param_value("hub.lease_seconds");
    const std::string reason = request.get_param_value("hub.reason");
    const auto answer = subscriptions_.verify(callback, {mode, topic, challenge, lease, reason}, now());
    response.status = answer.status;
    response.set_content(answer.body, "text/plain");
    if (answer.status != 200) {
      ++counters_.verifications_refused;
      log->warn("websub verification refused mode={} topic={} reason=\"{}\"", mode.substr(0, 20),
                topic.substr(0, 200), answer.body);
    } else if (mode == "denied") {
      log->warn("websub subscription denied topic={} reason=\"{}\"", topic.substr(0, 200), reason.substr(0, 200));
    } else {
      log->info("websub verified mode={} topic={} lease_seconds={}", mode, topic.substr(0, 200), lease);
    }
  });
  server_->http.Post(".*", [this](const httplib::Request& request, httplib::Response& response) {
    // Every delivery is answered 202: a hub learns nothing from a refusal.
    response.status = 202;
    const auto delivery =
        subscriptions_.deliver(callback_of(request.path), request.get_header_value("X-Hub-Signature"), request.body);
    if (!delivery.feed) {
      ++(delivery.rejected == "unknown callback" ? counters_.unknown_callback : counters_.bad_signature);
      log->warn("websub delivery dropped bytes={} reason=\"{}\"", request.body.size(), delivery.rejected);
      return;
    }
    const auto found = feed_index_.find(*delivery.feed);
    if (found == feed_index_.end()) return;  // a feed leaving: its unsubscription is under way
    const config::FeedConfig& feed = config_.feeds[found->second];
    if (request.body.size() > feed.poll.max_body) {
      ++counters_.too_large;
      log->warn("websub delivery dropped feed={} bytes={} reason=\"over max_body {}\"", feed.name, request.body.size(),
                config::format_size(feed.poll.max_body));
      return;
    }
    feeds::FetchResponse document;
    document.status = 200;
    document.body = request.body;
    document.content_type = request.get_header_value("Content-Type");
    document.links = request.get_header_value("Link");
    const std::optional<StoredSubscription> subscription = subscriptions_.of(feed.name);
    document.effective_url = subscription ? subscription->topic : feed.url;
    ++counters_.delivered;
    log->info("websub delivery feed={} bytes={}", feed.name, request.body.size());
    if (!sink_(found->second, std::move(document)))
      log->warn("websub delivery not taken feed={}: sluice is stopping; the next poll reads it", feed.name);
  });
}

void PushStage::advertised(std::size_t feed, const feeds::WebSubLinks& links, std::string_view fetched_url) {
  const config::FeedConfig& source = config_.feeds[feed];
  if (source.websub == config::FeedConfig::WebSub::off) return;
  const std::string hub = !source.hub.empty() ? source.hub : links.hubs.empty() ? "" : links.hubs.front();
  if (hub.empty()) return;
  const std::string topic = links.self.empty() ? std::string(fetched_url) : links.self;
  subscriptions_.want(source.name, hub, topic, now());
}

bool PushStage::pushed(std::size_t feed) const { return subscriptions_.active(config_.feeds[feed].name, now()); }

void PushStage::request_subscriptions(std::stop_token stop) {
  static const auto log = logger("push");
  std::unordered_map<std::uint64_t, Subscriptions::Request> in_flight;
  std::uint64_t next_tag = 0;
  feeds::HttpFetcher fetcher([&](std::uint64_t tag, feeds::FetchResult result) {
    const auto found = in_flight.find(tag);
    if (found == in_flight.end()) return;
    const Subscriptions::Request request = std::move(found->second);
    in_flight.erase(found);
    if (result) {
      log->info("websub request accepted feed={} mode={} hub={} status={}", request.feed, request.mode, request.hub,
                result->status);
      subscriptions_.answered(request, true, "", now());
    } else {
      log->warn("websub request failed feed={} mode={} hub={} error=\"{}\"", request.feed, request.mode, request.hub,
                result.error().reason);
      subscriptions_.answered(request, false, result.error().reason, now());
    }
  });
  while (!stop.stop_requested()) {
    for (Subscriptions::Request& request : subscriptions_.due(now())) {
      const auto found = feed_index_.find(request.feed);
      const config::FeedConfig* feed = found == feed_index_.end() ? nullptr : &config_.feeds[found->second];
      feeds::FetchRequest post;
      post.tag = next_tag++;
      post.url = request.hub;
      post.user_agent = config_.user_agent;
      post.timeout = feed ? feed->poll.timeout : config_.defaults.timeout;
      post.max_body = 64 * 1024;
      post.form = form_field("hub.mode", request.mode) + "&" + form_field("hub.topic", request.topic) + "&" +
                  form_field("hub.callback", config_.websub->public_url + "/" + request.callback_id);
      if (request.mode == "subscribe")
        post.form += "&" + form_field("hub.secret", request.secret) + "&" +
                     form_field("hub.lease_seconds", std::to_string(request.lease_seconds));
      // A hub a document named must be public, unless on the feed's own server; one the operator
      // named is trusted, and so is the hub of a feed that left, which passed these checks when it
      // was subscribed to.
      post.public_only = feed ? !feed->allow_private : true;
      post.trusted_host = !feed || feed->hub == request.hub ? feeds::host_name(request.hub) : feeds::host_name(feed->url);
      if (feed) post.proxy = feed->proxy;
      log->info("websub request feed={} mode={} hub={} topic={}", request.feed, request.mode, request.hub,
                request.topic);
      in_flight.emplace(post.tag, std::move(request));
      fetcher.start(post);
    }
    fetcher.poll(250ms);
  }
}

}  // namespace sluice::pipeline
