// The subscription lifecycle on a hand-moved clock: requests, verification of intent (and what is
// refused), renewal at 80% of the lease, backoff, unsubscription, deliveries, and the state kept
// in a real SQLite file across a restart.
#include "pipeline/push/subscriptions.h"

#include <gtest/gtest.h>

#include "pipeline/push/signature.h"
#include "tests/support/temp_dir.h"

namespace sluice::pipeline {
namespace {

using State = StoredSubscription::State;

constexpr std::int64_t kLease = 10 * 24 * 3600;

class SubscriptionsTest : public testing::Test {
 protected:
  Subscriptions subscriptions{{}, kLease, false, [this](const StoredSubscription& one) { saved.push_back(one); },
                              [this](const std::string& feed) { forgotten.push_back(feed); }};
  std::vector<StoredSubscription> saved;
  std::vector<std::string> forgotten;
  std::int64_t now = 1'800'000'000;

  // Asks the hub, which accepts, then verifies with `challenge`.
  Subscriptions::Answer subscribe_and_verify(const std::string& feed, std::string_view lease = "") {
    auto requests = subscriptions.due(now);
    EXPECT_EQ(requests.size(), 1U);
    if (requests.empty()) return {};
    subscriptions.answered(requests[0], true, "", now);
    return subscriptions.verify(requests[0].callback_id, {"subscribe", "https://blog.example/feed", "c-" + feed, lease, ""},
                                now);
  }
};

// A hub may verify intent before its answer to the request reaches sluice.
TEST_F(SubscriptionsTest, AVerificationBeforeTheHubsAnswerIsTakenAndTheAnswerChangesNothing) {
  subscriptions.want("blog", "https://hub.example/", "https://blog.example/feed", now);
  const auto requests = subscriptions.due(now);
  ASSERT_EQ(requests.size(), 1U);
  const auto answer =
      subscriptions.verify(requests[0].callback_id, {"subscribe", "https://blog.example/feed", "early", "3600", ""}, now);
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(answer.body, "early");
  subscriptions.answered(requests[0], true, "", now + 1);
  const auto subscription = subscriptions.of("blog");
  EXPECT_EQ(subscription->state, State::active);
  EXPECT_EQ(subscription->requested, 0);
  EXPECT_EQ(subscription->next_attempt, now + 3600 * 4 / 5) << "renewed when its lease says, not re-asked";
  EXPECT_TRUE(subscriptions.due(now + 2000).empty());

  // An unsubscription verified before the answer: forgotten, and the late answer finds nothing.
  subscriptions.drop("blog", now);
  const auto leaving = subscriptions.due(now);
  ASSERT_EQ(leaving.size(), 1U);
  EXPECT_EQ(subscriptions.verify(leaving[0].callback_id, {"unsubscribe", "https://blog.example/feed", "bye", "", ""}, now).status,
            200);
  subscriptions.answered(leaving[0], true, "", now);
  EXPECT_FALSE(subscriptions.of("blog"));
  EXPECT_EQ(forgotten, std::vector<std::string>{"blog"});
}

TEST_F(SubscriptionsTest, ASubscriptionIsRequestedVerifiedAndRenewedAtFourFifthsOfItsLease) {
  subscriptions.want("blog", "https://hub.example/", "https://blog.example/feed", now);
  const Subscriptions::Verification verification{"subscribe", "https://blog.example/feed", "challenge-1", "86400", ""};
  const std::string callback_id = subscriptions.of("blog")->callback_id;
  // Before the request went to the hub, no verification is taken.
  EXPECT_EQ(subscriptions.verify(callback_id, verification, now).status, 404);
  const auto requests = subscriptions.due(now);
  ASSERT_EQ(requests.size(), 1U);
  const Subscriptions::Request& request = requests[0];
  EXPECT_EQ(request.callback_id, callback_id);
  EXPECT_EQ(request.mode, "subscribe");
  EXPECT_EQ(request.hub, "https://hub.example/");
  EXPECT_EQ(request.callback_id.size(), 64U);
  EXPECT_EQ(request.secret.size(), 64U);
  EXPECT_NE(request.callback_id, request.secret);
  EXPECT_EQ(request.lease_seconds, kLease);
  EXPECT_TRUE(subscriptions.due(now).empty()) << "handed out once";

  subscriptions.answered(request, true, "", now);
  EXPECT_EQ(subscriptions.verify("not-a-callback", verification, now).status, 404);
  EXPECT_EQ(subscriptions.verify(request.callback_id, {"subscribe", "https://other.example/", "x", "", ""}, now).status,
            404)
      << "another topic";
  EXPECT_EQ(subscriptions.verify(request.callback_id, {"unsubscribe", "https://blog.example/feed", "x", "", ""}, now).status,
            404)
      << "sluice asked for no unsubscription";
  const auto answer = subscriptions.verify(request.callback_id, verification, now);
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(answer.body, "challenge-1");
  EXPECT_TRUE(subscriptions.active("blog", now));
  const auto active = subscriptions.of("blog");
  ASSERT_TRUE(active);
  EXPECT_EQ(active->state, State::active);
  EXPECT_EQ(active->lease_end, now + 86400) << "the lease the hub granted";
  EXPECT_EQ(saved.back().state, State::active);
  EXPECT_EQ(subscriptions.verify(request.callback_id, verification, now).status, 404) << "confirmed once";

  EXPECT_TRUE(subscriptions.due(now + 86400 * 4 / 5 - 1).empty());
  const auto renewal = subscriptions.due(now + 86400 * 4 / 5);
  ASSERT_EQ(renewal.size(), 1U);
  EXPECT_EQ(renewal[0].callback_id, request.callback_id) << "a renewal keeps its callback and secret";
  EXPECT_FALSE(subscriptions.active("blog", now + 86400)) << "a lease not renewed ends: polling takes over";
}

TEST_F(SubscriptionsTest, RefusalsAndSilentHubsBackOffAndDenialIsKept) {
  subscriptions.want("blog", "https://hub.example/", "https://blog.example/feed", now);
  auto request = subscriptions.due(now).at(0);
  subscriptions.answered(request, false, "HTTP 500", now);
  auto failed = *subscriptions.of("blog");
  EXPECT_EQ(failed.state, State::failed);
  EXPECT_EQ(failed.reason, "HTTP 500");
  EXPECT_EQ(failed.next_attempt, now + 60);
  request = subscriptions.due(now + 60).at(0);
  subscriptions.answered(request, false, "HTTP 500", now + 60);
  EXPECT_EQ(subscriptions.of("blog")->next_attempt, now + 60 + 120);
  // Accepted, but never verified: asked again, counted as a failure.
  request = subscriptions.due(now + 180).at(0);
  subscriptions.answered(request, true, "", now + 180);
  const auto again = subscriptions.due(now + 180 + Subscriptions::kVerificationWait);
  ASSERT_EQ(again.size(), 1U);
  EXPECT_EQ(subscriptions.of("blog")->failures, 3);
  EXPECT_NE(subscriptions.of("blog")->reason.find("did not verify"), std::string::npos);
  // A denial is acknowledged and kept with the hub's reason.
  const auto denied = subscriptions.verify(again[0].callback_id,
                                           {"denied", "https://blog.example/feed", "", "", "topic not allowed"}, now + 900);
  EXPECT_EQ(denied.status, 200);
  EXPECT_EQ(subscriptions.of("blog")->reason, "the hub denied it: topic not allowed");
  EXPECT_FALSE(subscriptions.active("blog", now + 900));
}

TEST_F(SubscriptionsTest, ANewHubOrTopicIsANewSubscriptionAndALeavingFeedIsUnsubscribed) {
  subscriptions.want("blog", "https://hub.example/", "https://blog.example/feed", now);
  ASSERT_EQ(subscribe_and_verify("blog").status, 200);
  const std::string first_callback = subscriptions.of("blog")->callback_id;
  subscriptions.want("blog", "https://hub.example/", "https://blog.example/feed", now);
  EXPECT_EQ(subscriptions.of("blog")->callback_id, first_callback) << "the same hub and topic: nothing changes";
  subscriptions.want("blog", "https://other-hub.example/", "https://blog.example/feed", now);
  EXPECT_NE(subscriptions.of("blog")->callback_id, first_callback);
  EXPECT_EQ(subscriptions.of("blog")->state, State::subscribing);
  ASSERT_EQ(subscribe_and_verify("blog").status, 200);

  subscriptions.drop("blog", now);
  const auto leaving = subscriptions.due(now);
  ASSERT_EQ(leaving.size(), 1U);
  EXPECT_EQ(leaving[0].mode, "unsubscribe");
  subscriptions.answered(leaving[0], true, "", now);
  const auto answer =
      subscriptions.verify(leaving[0].callback_id, {"unsubscribe", "https://blog.example/feed", "bye", "", ""}, now);
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(answer.body, "bye");
  EXPECT_FALSE(subscriptions.of("blog"));
  EXPECT_EQ(forgotten, std::vector<std::string>{"blog"});
}

TEST_F(SubscriptionsTest, DeliveriesCountOnlyWithTheSubscriptionsSignature) {
  subscriptions.want("blog", "https://hub.example/", "https://blog.example/feed", now);
  ASSERT_EQ(subscribe_and_verify("blog").status, 200);
  const StoredSubscription subscription = *subscriptions.of("blog");
  const std::string body = "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>B</title></feed>";
  const auto good = subscriptions.deliver(subscription.callback_id, sign("sha256", body, subscription.secret), body);
  ASSERT_TRUE(good.feed);
  EXPECT_EQ(*good.feed, "blog");
  EXPECT_EQ(subscriptions.deliver(subscription.callback_id, "", body).rejected, "signature missing");
  EXPECT_EQ(subscriptions.deliver(subscription.callback_id, sign("sha256", body, "guess"), body).rejected,
            "signature mismatch");
  EXPECT_EQ(subscriptions.deliver(subscription.callback_id, sign("sha1", body, subscription.secret), body).rejected,
            "signature unsupported method");
  EXPECT_EQ(subscriptions.deliver("elsewhere", sign("sha256", body, subscription.secret), body).rejected,
            "unknown callback");
}

TEST(SubscriptionState, SubscriptionsSurviveARestartInTheStateStore) {
  const test::TempDir dir;
  std::int64_t now = 1'800'000'000;
  std::string callback;
  {
    StateStore store(dir.path());
    Subscriptions subscriptions(store.load_subscriptions(), kLease, false,
                                [&](const StoredSubscription& one) { store.save_subscription(one); },
                                [&](const std::string& feed) { store.forget_subscription(feed); });
    subscriptions.want("blog", "https://hub.example/", "https://blog.example/feed", now);
    subscriptions.want("news", "https://hub.example/", "https://news.example/feed", now);
    for (const auto& request : subscriptions.due(now)) {
      subscriptions.answered(request, true, "", now);
      if (request.feed == "blog") {
        callback = request.callback_id;
        ASSERT_EQ(subscriptions.verify(callback, {"subscribe", request.topic, "c", "", ""}, now).status, 200);
      }
    }
  }
  StateStore store(dir.path());
  const auto stored = store.load_subscriptions();
  ASSERT_EQ(stored.size(), 2U);
  EXPECT_EQ(stored[0].feed, "blog");
  EXPECT_EQ(stored[0].state, State::active);
  EXPECT_EQ(stored[0].callback_id, callback);
  EXPECT_EQ(stored[0].lease_end, now + kLease);
  EXPECT_EQ(stored[1].state, State::subscribing);
  EXPECT_EQ(stored[1].requested, now) << "its verification is still awaited after the restart";
  Subscriptions restarted(stored, kLease, false);
  EXPECT_TRUE(restarted.active("blog", now + 1));
  EXPECT_EQ(restarted.verify(stored[1].callback_id, {"subscribe", "https://news.example/feed", "late", "", ""}, now + 5)
                .body,
            "late");
  store.forget_subscription("blog");
  EXPECT_EQ(StateStore::read_subscriptions(dir.path()).size(), 1U);
}

}  // namespace
}  // namespace sluice::pipeline
