#include "pipeline/push/subscriptions.h"

#include <algorithm>
#include <charconv>
#include <utility>

#include "pipeline/push/signature.h"

namespace sluice::pipeline {
namespace {

using State = StoredSubscription::State;

// Leases hubs grant are kept within this range, whatever they say.
constexpr std::int64_t kShortestLease = 60;
constexpr std::int64_t kLongestLease = 365LL * 24 * 3600;

// After the n-th failure in a row: a minute, doubling, at most a day.
std::int64_t backoff(int failures) {
  const int doublings = std::clamp(failures - 1, 0, 11);
  return std::min<std::int64_t>(60LL << doublings, 24 * 3600);
}

}  // namespace

Subscriptions::Subscriptions(std::vector<StoredSubscription> stored, std::int64_t lease_seconds, bool allow_sha1,
                             Saved saved, Forgotten forgotten)
    : lease_seconds_(lease_seconds),
      allow_sha1_(allow_sha1),
      saved_(std::move(saved)),
      forgotten_(std::move(forgotten)),
      subscriptions_(std::move(stored)) {}

void Subscriptions::want(const std::string& feed, const std::string& hub, const std::string& topic, std::int64_t now) {
  const std::lock_guard lock(mutex_);
  StoredSubscription* known = find_feed(feed);
  if (known && known->hub == hub && known->topic == topic && known->state != State::unsubscribing) return;
  StoredSubscription& subscription = known ? (*known = StoredSubscription{}) : subscriptions_.emplace_back();
  subscription.feed = feed;
  subscription.hub = hub;
  subscription.topic = topic;
  subscription.callback_id = new_secret();
  subscription.secret = new_secret();
  subscription.state = State::subscribing;
  subscription.next_attempt = now;
  save(subscription);
}

void Subscriptions::drop(const std::string& feed, std::int64_t now) {
  const std::lock_guard lock(mutex_);
  StoredSubscription* subscription = find_feed(feed);
  if (!subscription || subscription->state == State::unsubscribing) return;
  subscription->state = State::unsubscribing;
  subscription->failures = 0;
  subscription->reason.clear();
  subscription->next_attempt = now;
  save(*subscription);
}

std::vector<Subscriptions::Request> Subscriptions::due(std::int64_t now) {
  const std::lock_guard lock(mutex_);
  std::vector<Request> out;
  for (StoredSubscription& subscription : subscriptions_) {
    if (subscription.next_attempt == 0 || subscription.next_attempt > now) continue;
    // An accepted request whose verification never came counts as failed.
    if (subscription.requested != 0) {
      subscription.requested = 0;
      ++subscription.failures;
      subscription.reason = "the hub accepted the request but did not verify it within 10m";
    }
    const bool leaving = subscription.state == State::unsubscribing;
    out.push_back({subscription.feed, subscription.hub, leaving ? "unsubscribe" : "subscribe", subscription.topic,
                   subscription.callback_id, subscription.secret, lease_seconds_});
    // Handed out once: what happens next comes with answered(). A hub may verify before its
    // answer to the request arrives, so the request awaits verification from now on.
    subscription.next_attempt = 0;
    subscription.requested = now;
  }
  return out;
}

void Subscriptions::answered(const Request& request, bool accepted, const std::string& reason, std::int64_t now) {
  const std::lock_guard lock(mutex_);
  StoredSubscription* subscription = find_feed(request.feed);
  if (!subscription || subscription->callback_id != request.callback_id) return;  // replaced meanwhile
  if (subscription->requested == 0) return;  // the hub verified (or denied) it before answering
  if (accepted) {
    // The hub verifies next; without it in time, the request is made again.
    subscription->next_attempt = now + std::max(kVerificationWait, backoff(subscription->failures));
    save(*subscription);
    return;
  }
  if (subscription->state == State::unsubscribing && subscription->failures >= 5) {
    // A hub that will not let go: its deliveries are refused once the subscription is forgotten.
    const std::string feed = subscription->feed;
    std::erase_if(subscriptions_, [&](const StoredSubscription& one) { return one.feed == feed; });
    if (forgotten_) forgotten_(feed);
    return;
  }
  fail(*subscription, reason, now);
}

Subscriptions::Answer Subscriptions::verify(std::string_view callback_id, const Verification& request,
                                            std::int64_t now) {
  const std::lock_guard lock(mutex_);
  StoredSubscription* subscription = find_callback(callback_id);
  if (!subscription || request.topic != subscription->topic) return {404, "unknown subscription"};
  if (request.mode == "denied") {
    fail(*subscription, "the hub denied it: " + std::string(request.reason.empty() ? "no reason given" : request.reason),
         now);
    return {200, ""};
  }
  if (request.challenge.empty()) return {404, "no challenge"};
  // Only a request sluice made and is waiting on is confirmed.
  if (subscription->requested == 0) return {404, "no request waits for verification"};
  if (request.mode == "subscribe" && subscription->state != State::unsubscribing) {
    std::int64_t lease = lease_seconds_;
    if (!request.lease_seconds.empty()) {
      std::int64_t given = 0;
      const auto* end = request.lease_seconds.data() + request.lease_seconds.size();
      if (std::from_chars(request.lease_seconds.data(), end, given).ptr == end) lease = given;
    }
    lease = std::clamp(lease, kShortestLease, kLongestLease);
    subscription->state = State::active;
    subscription->requested = 0;
    subscription->lease_end = now + lease;
    subscription->next_attempt = now + lease * 4 / 5;
    subscription->failures = 0;
    subscription->reason.clear();
    save(*subscription);
    return {200, std::string(request.challenge)};
  }
  if (request.mode == "unsubscribe" && subscription->state == State::unsubscribing) {
    const std::string feed = subscription->feed;
    std::erase_if(subscriptions_, [&](const StoredSubscription& one) { return one.feed == feed; });
    if (forgotten_) forgotten_(feed);
    return {200, std::string(request.challenge)};
  }
  return {404, "not a request sluice made"};
}

Subscriptions::Delivery Subscriptions::deliver(std::string_view callback_id, std::string_view signature,
                                               std::string_view body) const {
  const std::lock_guard lock(mutex_);
  const StoredSubscription* subscription = find_callback(callback_id);
  if (!subscription) return {std::nullopt, "unknown callback"};
  const Signature check = check_signature(signature, body, subscription->secret, allow_sha1_);
  if (check != Signature::valid) return {std::nullopt, "signature " + std::string(signature_name(check))};
  return {subscription->feed, ""};
}

std::optional<std::string> Subscriptions::feed_of(std::string_view callback_id) const {
  const std::lock_guard lock(mutex_);
  const StoredSubscription* subscription = find_callback(callback_id);
  if (!subscription) return std::nullopt;
  return subscription->feed;
}

bool Subscriptions::active(const std::string& feed, std::int64_t now) const {
  const std::lock_guard lock(mutex_);
  const auto found = std::ranges::find(subscriptions_, feed, &StoredSubscription::feed);
  return found != subscriptions_.end() && found->state == State::active && found->lease_end > now;
}

std::optional<StoredSubscription> Subscriptions::of(const std::string& feed) const {
  const std::lock_guard lock(mutex_);
  const auto found = std::ranges::find(subscriptions_, feed, &StoredSubscription::feed);
  if (found == subscriptions_.end()) return std::nullopt;
  return *found;
}

StoredSubscription* Subscriptions::find_feed(std::string_view feed) {
  const auto found = std::ranges::find(subscriptions_, feed, &StoredSubscription::feed);
  return found == subscriptions_.end() ? nullptr : &*found;
}

const StoredSubscription* Subscriptions::find_callback(std::string_view callback_id) const {
  if (callback_id.empty()) return nullptr;
  const auto found = std::ranges::find(subscriptions_, callback_id, &StoredSubscription::callback_id);
  return found == subscriptions_.end() ? nullptr : &*found;
}

StoredSubscription* Subscriptions::find_callback(std::string_view callback_id) {
  return const_cast<StoredSubscription*>(std::as_const(*this).find_callback(callback_id));
}

void Subscriptions::fail(StoredSubscription& subscription, std::string reason, std::int64_t now) {
  ++subscription.failures;
  subscription.requested = 0;
  subscription.reason = std::move(reason);
  // An active subscription stays active until its lease ends; the renewal is tried again.
  if (subscription.state != State::active || subscription.lease_end <= now)
    subscription.state = subscription.state == State::unsubscribing ? State::unsubscribing : State::failed;
  subscription.next_attempt = now + backoff(subscription.failures);
  save(subscription);
}

void Subscriptions::save(const StoredSubscription& subscription) const {
  if (saved_) saved_(subscription);
}

}  // namespace sluice::pipeline
