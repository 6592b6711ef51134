// The feeds' WebSub subscriptions (W3C WebSub §5–§7): what to ask each hub and when, and what to
// answer the requests hubs make of sluice's callbacks.
//
// A subscription is asked for when a feed's document names a hub (or its configuration does),
// with a new random callback and secret. The hub's verification of intent is answered only for a
// request sluice made and is still waiting on, for its topic: any other is refused with 404, so
// no one can use sluice to confirm subscriptions it never asked for. An active subscription is
// renewed at 80% of its lease; a refused or unverified request is asked again with exponential
// backoff; a feed that leaves the configuration is unsubscribed. Deliveries count only with the
// subscription's signature.
//
// Pure logic on the caller's clock (Unix seconds): the hub client and the callback server drive
// it. Every change goes to `saved` or `forgotten`, for the state store. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/state/state_store.h"

namespace sluice::pipeline {

class Subscriptions {
 public:
  using Saved = std::function<void(const StoredSubscription&)>;
  using Forgotten = std::function<void(const std::string& feed)>;

  // How long sluice waits for a hub's verification after the hub accepted a request.
  static constexpr std::int64_t kVerificationWait = 10 * 60;

  Subscriptions(std::vector<StoredSubscription> stored, std::int64_t lease_seconds, bool allow_sha1, Saved saved = {},
                Forgotten forgotten = {});

  // The hub and topic a feed's latest document (or its configuration) names. A feed without a
  // subscription, or whose hub or topic changed, gets a new one (a new callback and secret).
  void want(const std::string& feed, const std::string& hub, const std::string& topic, std::int64_t now);
  // The feed leaves the configuration: its subscription is ended at the hub.
  void drop(const std::string& feed, std::int64_t now);

  // One request to a hub (hub.mode, hub.topic, hub.callback's id, hub.secret, hub.lease_seconds).
  struct Request {
    std::string feed;
    std::string hub;
    std::string mode;  // "subscribe" or "unsubscribe"
    std::string topic;
    std::string callback_id;
    std::string secret;
    std::int64_t lease_seconds = 0;
  };
  // The requests due now; each is handed out once, until answered() says how it went.
  std::vector<Request> due(std::int64_t now);
  // The hub's answer to a request: accepted (2xx; its verification follows) or refused (reason).
  void answered(const Request& request, bool accepted, const std::string& reason, std::int64_t now);

  // A hub's GET on a callback: the status and body to answer with.
  struct Answer {
    int status = 404;
    std::string body;
  };
  struct Verification {
    std::string_view mode;  // hub.mode: subscribe, unsubscribe or denied
    std::string_view topic;
    std::string_view challenge;
    std::string_view lease_seconds;
    std::string_view reason;  // with denied
  };
  Answer verify(std::string_view callback_id, const Verification& request, std::int64_t now);

  // A hub's POST on a callback: the feed whose document the body is, or why it is not taken
  // ("unknown callback", or what is wrong with the signature).
  struct Delivery {
    std::optional<std::string> feed;
    std::string rejected;
  };
  Delivery deliver(std::string_view callback_id, std::string_view signature, std::string_view body) const;
  // The feed a callback is a subscription of; nullopt when none is.
  std::optional<std::string> feed_of(std::string_view callback_id) const;

  // Whether the hub pushes the feed now: verified, and the lease not over.
  bool active(const std::string& feed, std::int64_t now) const;
  std::optional<StoredSubscription> of(const std::string& feed) const;

 private:
  StoredSubscription* find_feed(std::string_view feed);
  const StoredSubscription* find_callback(std::string_view callback_id) const;
  StoredSubscription* find_callback(std::string_view callback_id);
  void fail(StoredSubscription& subscription, std::string reason, std::int64_t now);
  void save(const StoredSubscription& subscription) const;

  const std::int64_t lease_seconds_;
  const bool allow_sha1_;
  Saved saved_;
  Forgotten forgotten_;
  mutable std::mutex mutex_;
  std::vector<StoredSubscription> subscriptions_;
};

}  // namespace sluice::pipeline
