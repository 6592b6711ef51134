#include "pipeline/push/push_stage.h"

#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
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

// One request on the callback server, from its headers to its end.
struct PushStage::Exchange {
  bool post = false;
  std::string callback;
  std::string signature;
  std::string content_type;
  std::string links;
  std::string length;  // Content-Length as sent; empty for a chunked body
  std::size_t feed = 0;
  bool reading = false;  // a delivery whose body is read
  std::string body;
  std::size_t counted = 0;  // bytes of body counted in buffered_
  Clock::time_point arrived = Clock::now();
  std::optional<int> status;  // the answer, once known
  std::string answer;
};

struct PushStage::Server {
  int listen_fd = -1;
  MHD_Daemon* daemon = nullptr;
};

namespace {

std::string header_of(MHD_Connection* connection, MHD_ValueKind kind, const char* name) {
  const char* value = MHD_lookup_connection_value(connection, kind, name);
  return value ? value : "";
}

// A listening TCP socket on host:port (host may be a name, an address or [v6]); -1 when none.
int listen_socket(const std::string& host, const std::string& port) {
  const std::string bare = host.size() > 1 && host.front() == '[' && host.back() == ']' ? host.substr(1, host.size() - 2)
                                                                                         : host;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  if (::getaddrinfo(bare.empty() ? nullptr : bare.c_str(), port.c_str(), &hints, &found) != 0) return -1;
  int fd = -1;
  for (const addrinfo* address = found; address && fd < 0; address = address->ai_next) {
    fd = ::socket(address->ai_family, address->ai_socktype | SOCK_CLOEXEC, address->ai_protocol);
    if (fd < 0) continue;
    const int yes = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    if (::bind(fd, address->ai_addr, address->ai_addrlen) != 0 || ::listen(fd, 128) != 0) {
      ::close(fd);
      fd = -1;
    }
  }
  ::freeaddrinfo(found);
  return fd;
}

int bound_port(int fd) {
  sockaddr_storage address{};
  socklen_t size = sizeof address;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) return -1;
  if (address.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&address)->sin6_port);
  return ntohs(reinterpret_cast<const sockaddr_in*>(&address)->sin_port);
}

}  // namespace

PushStage::PushStage(const config::Config& config, StateStore& store, PushCounters& counters, Sink sink, Busy busy)
    : config_(config),
      sink_(std::move(sink)),
      busy_(std::move(busy)),
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
      owned_(std::make_unique<std::atomic<bool>[]>(config.feeds.size())),
      server_(std::make_unique<Server>()),
      counters_(counters) {
  for (std::size_t i = 0; i < config.feeds.size(); ++i) {
    feed_index_.emplace(config.feeds[i].name, i);
    owned_[i] = !config.cluster;
    body_budget_ = std::max<std::size_t>(body_budget_, config.feeds[i].poll.max_body);
  }
}

PushStage::~PushStage() {
  stop();
  if (server_->listen_fd >= 0) ::close(server_->listen_fd);
}

std::int64_t PushStage::now() const {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void PushStage::listen() {
  const std::string& listen = config_.websub->listen;
  const std::size_t colon = listen.rfind(':');
  server_->listen_fd = listen_socket(listen.substr(0, colon), listen.substr(colon + 1));
  port_ = server_->listen_fd < 0 ? -1 : bound_port(server_->listen_fd);
  if (port_ <= 0) throw std::runtime_error("websub.listen: cannot listen on " + listen + ": " + std::strerror(errno));
  logger("push")->info("websub callback server listening={}:{} public_url={}", listen.substr(0, colon), port_,
                       config_.websub->public_url);
}

void PushStage::start() {
  // By then a restarted instance has its shards back, and the others have theirs.
  if (config_.cluster) settled_ = Clock::now() + 4 * config_.cluster->lease_ttl;
  const MHD_AccessHandlerCallback handle = [](void* self, MHD_Connection* connection, const char* url,
                                              const char* method, const char*, const char* upload_data,
                                              std::size_t* upload_size, void** context) -> MHD_Result {
    auto& stage = *static_cast<PushStage*>(self);
    auto* exchange = static_cast<Exchange*>(*context);
    if (!exchange) {
      // The headers: what the request is, and whether its body is worth reading.
      exchange = new Exchange;
      *context = exchange;
      exchange->post = std::string_view(method) == "POST";
      exchange->callback = callback_of(url);
      if (exchange->post) {
        exchange->signature = header_of(connection, MHD_HEADER_KIND, "X-Hub-Signature");
        exchange->content_type = header_of(connection, MHD_HEADER_KIND, "Content-Type");
        exchange->links = header_of(connection, MHD_HEADER_KIND, "Link");
        exchange->length = header_of(connection, MHD_HEADER_KIND, "Content-Length");
      } else {
        const auto argument = [&](const char* name) { return header_of(connection, MHD_GET_ARGUMENT_KIND, name); };
        const auto answer = stage.subscriptions_.verify(
            exchange->callback,
            {argument("hub.mode"), argument("hub.topic"), argument("hub.challenge"), argument("hub.lease_seconds"),
             argument("hub.reason")},
            stage.now());
        exchange->status = answer.status;
        exchange->answer = answer.body;
        static const auto log = logger("push");
        const std::string mode = argument("hub.mode");
        const std::string topic = argument("hub.topic");
        if (answer.status != 200) {
          ++stage.counters_.verifications_refused;
          log->warn("websub verification refused mode={} topic={} reason=\"{}\"", mode.substr(0, 20),
                    topic.substr(0, 200), answer.body);
        } else if (mode == "denied") {
          log->warn("websub subscription denied topic={} reason=\"{}\"", topic.substr(0, 200),
                    argument("hub.reason").substr(0, 200));
        } else {
          log->info("websub verified mode={} topic={} lease_seconds={}", mode, topic.substr(0, 200),
                    argument("hub.lease_seconds"));
        }
      }
      if (exchange->post) stage.begin(*exchange);
      if (!exchange->status) return MHD_YES;  // the body comes next
    } else if (*upload_size > 0) {
      // A body cut off, or not wanted, closes the connection: nothing more of it is read.
      if (!exchange->reading || !stage.read_body(*exchange, {upload_data, *upload_size})) return MHD_NO;
      *upload_size = 0;
      return MHD_YES;
    } else if (exchange->reading) {
      stage.finish(*exchange);
    }
    if (!exchange->status) exchange->status = 202;
    MHD_Response* response = MHD_create_response_from_buffer(exchange->answer.size(), exchange->answer.data(),
                                                              MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(response, "Content-Type", "text/plain");
    const MHD_Result queued = MHD_queue_response(connection, static_cast<unsigned>(*exchange->status), response);
    MHD_destroy_response(response);
    return queued;
  };
  const MHD_RequestCompletedCallback completed = [](void* self, MHD_Connection*, void** context,
                                                    MHD_RequestTerminationCode) {
    auto* exchange = static_cast<Exchange*>(*context);
    if (!exchange) return;
    static_cast<PushStage*>(self)->release(*exchange);
    delete exchange;
    *context = nullptr;
  };
  server_->daemon = MHD_start_daemon(
      MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG, 0, nullptr, nullptr, handle, this, MHD_OPTION_LISTEN_SOCKET,
      server_->listen_fd, MHD_OPTION_CONNECTION_LIMIT, kMaxConnections, MHD_OPTION_CONNECTION_TIMEOUT,
      static_cast<unsigned>(kIdleTimeout.count()), MHD_OPTION_CONNECTION_MEMORY_LIMIT, std::size_t{32 * 1024},
      MHD_OPTION_NOTIFY_COMPLETED, completed, this, MHD_OPTION_END);
  if (!server_->daemon) throw std::runtime_error("websub.listen: the callback server did not start");
  server_->listen_fd = -1;  // the daemon's now: it closes it
  hand_off_thread_ = std::jthread([this](std::stop_token stop) { hand_off(stop); });
  client_thread_ = std::jthread([this](std::stop_token stop) { request_subscriptions(stop); });
}

void PushStage::stop() {
  // No delivery arrives once the server is down; those waiting are let go (the next poll reads them).
  if (server_->daemon) {
    MHD_stop_daemon(server_->daemon);
    server_->daemon = nullptr;
  }
  for (std::jthread* thread : {&client_thread_, &hand_off_thread_})
    if (thread->joinable()) {
      thread->request_stop();
      thread->join();
    }
}

void PushStage::begin(Exchange& exchange) {
  static const auto log = logger("push");
  const std::string& length = exchange.length;
  const std::optional<std::string> feed = subscriptions_.feed_of(exchange.callback);
  const auto found = feed ? feed_index_.find(*feed) : feed_index_.end();
  if (found == feed_index_.end()) {
    // No subscription, or a feed leaving whose unsubscription is under way.
    ++counters_.unknown_callback;
    log->warn("websub delivery dropped reason=\"unknown callback\"");
    exchange.status = 202;
    return;
  }
  const config::FeedConfig& source = config_.feeds[found->second];
  if (!owned_[found->second]) {
    // The new owner is pushed the feed on its own callback; this one is being unsubscribed.
    ++counters_.not_owned;
    log->info("websub delivery dropped feed={} reason=\"the feed's shard is another instance's\"", source.name);
    exchange.status = 202;
    return;
  }
  if (exchange.signature.empty()) {
    ++counters_.bad_signature;
    log->warn("websub delivery dropped feed={} reason=\"signature missing\"", source.name);
    exchange.status = 202;
    return;
  }
  std::uint64_t declared = 0;
  if (!length.empty() && (std::from_chars(length.data(), length.data() + length.size(), declared).ec != std::errc{} ||
                          declared > source.poll.max_body)) {
    ++counters_.too_large;
    log->warn("websub delivery dropped feed={} bytes={} reason=\"over max_body {}\"", source.name, length,
              config::format_size(source.poll.max_body));
    exchange.status = 413;
    return;
  }
  exchange.feed = found->second;
  exchange.reading = true;
}

bool PushStage::read_body(Exchange& exchange, std::string_view data) {
  static const auto log = logger("push");
  const config::FeedConfig& source = config_.feeds[exchange.feed];
  if (exchange.body.size() + data.size() > source.poll.max_body) {
    ++counters_.too_large;
    log->warn("websub delivery dropped feed={} bytes={} reason=\"over max_body {}\"", source.name,
              exchange.body.size() + data.size(), config::format_size(source.poll.max_body));
    exchange.reading = false;
    return false;
  }
  if (buffered_.fetch_add(data.size()) + data.size() > body_budget_) {
    buffered_ -= data.size();
    ++counters_.overloaded;
    log->warn("websub delivery dropped feed={} reason=\"deliveries under way hold {} already\"", source.name,
              config::format_size(body_budget_));
    exchange.reading = false;
    return false;
  }
  exchange.counted += data.size();
  exchange.body.append(data);
  return true;
}

void PushStage::finish(Exchange& exchange) {
  static const auto log = logger("push");
  exchange.reading = false;
  const config::FeedConfig& source = config_.feeds[exchange.feed];
  const auto delivery = subscriptions_.deliver(exchange.callback, exchange.signature, exchange.body);
  if (!delivery.feed || *delivery.feed != source.name) {
    ++(delivery.feed ? counters_.unknown_callback : counters_.bad_signature);
    log->warn("websub delivery dropped feed={} bytes={} reason=\"{}\"", source.name, exchange.body.size(),
              delivery.feed ? "unknown callback" : delivery.rejected);
    return;
  }
  feeds::FetchResponse document;
  document.status = 200;
  document.body = std::move(exchange.body);
  document.content_type = std::move(exchange.content_type);
  document.links = std::move(exchange.links);
  const std::optional<StoredSubscription> subscription = subscriptions_.of(source.name);
  document.effective_url = subscription ? subscription->topic : source.url;
  ++counters_.delivered;
  log->info("websub delivery feed={} bytes={}", source.name, document.body.size());
  {
    const std::lock_guard lock(waiting_mutex_);
    waiting_.push_back({exchange.feed, std::move(document), exchange.arrived});
  }
  // Its bytes stay counted until the sink has taken the document.
  exchange.counted = 0;
  waiting_changed_.notify_one();
}

void PushStage::release(Exchange& exchange) { buffered_ -= std::exchange(exchange.counted, 0); }

void PushStage::hand_off(std::stop_token stop) {
  static const auto log = logger("push");
  // The oldest delivery whose feed is idle, behind no other delivery of the same feed: a feed
  // whose poll is slow holds back its own deliveries only.
  const auto next = [this] {
    for (auto it = waiting_.begin(); it != waiting_.end(); ++it)
      if (!busy_(it->feed) && std::none_of(waiting_.begin(), it, [&](const Delivery& before) {
            return before.feed == it->feed;
          }))
        return it;
    return waiting_.end();
  };
  while (true) {
    std::unique_lock lock(waiting_mutex_);
    if (!waiting_changed_.wait(lock, stop, [this] { return !waiting_.empty(); })) break;
    const auto found = next();
    if (found == waiting_.end()) {
      // Every waiting feed is busy: looked at again shortly, or when another delivery comes.
      waiting_changed_.wait_for(lock, stop, 5ms, [] { return false; });
      continue;
    }
    Delivery delivery = std::move(*found);
    waiting_.erase(found);
    lock.unlock();
    const std::size_t bytes = delivery.document.body.size();
    const std::string& name = config_.feeds[delivery.feed].name;
    if (!sink_(delivery.feed, std::move(delivery.document), delivery.arrived))
      log->warn("websub delivery not taken feed={}: sluice is stopping; the next poll reads it", name);
    buffered_ -= bytes;
  }
  const std::lock_guard lock(waiting_mutex_);
  for (const Delivery& delivery : waiting_) {
    log->warn("websub delivery not taken feed={}: sluice is stopping; the next poll reads it",
              config_.feeds[delivery.feed].name);
    buffered_ -= delivery.document.body.size();
  }
  waiting_.clear();
}

void PushStage::advertised(std::size_t feed, const feeds::WebSubLinks& links, std::string_view fetched_url) {
  const config::FeedConfig& source = config_.feeds[feed];
  if (source.websub == config::FeedConfig::WebSub::off || !owned_[feed]) return;
  const std::string hub = !source.hub.empty() ? source.hub : links.hubs.empty() ? "" : links.hubs.front();
  if (hub.empty()) return;
  const std::string topic = links.self.empty() ? std::string(fetched_url) : links.self;
  subscriptions_.want(source.name, hub, topic, now());
}

bool PushStage::pushed(std::size_t feed) const { return subscriptions_.active(config_.feeds[feed].name, now()); }

feeds::WebSubLinks PushStage::subscribed(std::size_t feed) const {
  const auto subscription = subscriptions_.of(config_.feeds[feed].name);
  if (!subscription || subscription->state == StoredSubscription::State::unsubscribing) return {};
  return {{subscription->hub}, subscription->topic};
}

void PushStage::own(std::size_t feed, const feeds::WebSubLinks& previous) {
  owned_[feed] = true;
  // What the previous owner was pushed from stands for the feed's document until one is read.
  if (!previous.hubs.empty() && !previous.self.empty()) advertised(feed, previous, previous.self);
}

void PushStage::disown(std::size_t feed) {
  owned_[feed] = false;
  subscriptions_.drop(config_.feeds[feed].name, now());
}

void PushStage::end_unowned() {
  for (std::size_t feed = 0; feed < config_.feeds.size(); ++feed)
    if (!owned_[feed] && !subscribed(feed).hubs.empty()) {
      logger("push")->info("websub subscription ended feed={}: its shard is another instance's", config_.feeds[feed].name);
      subscriptions_.drop(config_.feeds[feed].name, now());
    }
}

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
  bool sorted = !config_.cluster;
  while (!stop.stop_requested()) {
    if (!sorted && Clock::now() >= settled_) {
      end_unowned();
      sorted = true;
    }
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
