// WebSub end to end: the real `sluice` binary, a feed that advertises a hub, and a hub written for
// the test on 127.0.0.1 that takes the subscription request, verifies intent on sluice's callback
// and then pushes signed (and forged) deliveries, observed through a real ZeroMQ subscriber.
#include <signal.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include <atomic>
#include <mutex>
#include <optional>
#include <regex>
#include <map>

#include "feeds/fetch/http_fetcher.h"
#include "pipeline/cluster/shard_leases.h"
#include "pipeline/push/signature.h"
#include "tests/support/http_server.h"
#include "tests/support/nats_server.h"
#include "tests/support/process.h"
#include "tests/support/sluice_daemon.h"
#include "tests/support/temp_dir.h"
#include "tests/support/websub_hub.h"

namespace sluice::daemon {
namespace {

using namespace std::chrono_literals;

using test::WebSubHub;
using test::websub_atom;

class WebSub : public testing::Test {
 protected:
  void SetUp() override {
    site.route("/feed.xml", [this](const test::HttpRequest&) {
      ++polls;
      return test::HttpReply{200, websub_atom(hub.url(), site.url("/feed.xml"), {"1"}),
                             {{"Content-Type", "application/atom+xml"}}};
    });
    port = test::free_port();
    daemon.emplace(dir.path(), "websub: { listen: 127.0.0.1:" + std::to_string(port) +
                                   ", public_url: http://127.0.0.1:" + std::to_string(port) + "/websub }\n"
                                   "metrics: { listen: 127.0.0.1:0 }\n"
                                   "defaults: { interval: 2s, min_interval: 1s, timeout: 5s }\n"
                                   "feeds:\n  - name: blog\n    url: " + site.url("/feed.xml") + "\n");
    ASSERT_TRUE(daemon->start()) << daemon->log();
  }

  std::optional<WebSubHub::Request> first_request() {
    return hub.wait_for([](const WebSubHub::Request&) { return true; });
  }

  test::TempDir dir;
  WebSubHub hub;
  test::HttpServer site;
  std::atomic<int> polls{0};
  int port = 0;
  std::optional<test::SluiceDaemon> daemon;
};

TEST_F(WebSub, ASignedPushIsPublishedAndForgeriesAreNot) {
  zmq::context_t context;
  zmq::socket_t subscriber(context, zmq::socket_type::sub);
  subscriber.set(zmq::sockopt::subscribe, "article.blog.");
  subscriber.connect(daemon->endpoint());
  const auto request = first_request();
  ASSERT_TRUE(request) << daemon->log();
  EXPECT_EQ(request->mode, "subscribe");
  EXPECT_EQ(request->topic, site.url("/feed.xml"));
  EXPECT_TRUE(request->callback.starts_with("http://127.0.0.1:" + std::to_string(port) + "/websub/")) << request->callback;
  EXPECT_EQ(request->secret.size(), 64U);
  EXPECT_EQ(request->lease, "864000");

  // Verification: refused for a callback sluice never made, or a topic it never asked for.
  WebSubHub::Request stranger_request = *request;
  stranger_request.callback = "http://127.0.0.1:" + std::to_string(port) + "/websub/0123abcd";
  const auto stranger = WebSubHub::verify(stranger_request, "x");
  ASSERT_FALSE(stranger);
  EXPECT_EQ(stranger.error().status, 404);
  const auto other_topic = WebSubHub::verify(*request, "x", "https://elsewhere.example/feed");
  ASSERT_FALSE(other_topic);
  EXPECT_EQ(other_topic.error().status, 404);
  const auto verified = WebSubHub::verify(*request, "challenge-42");
  ASSERT_TRUE(verified) << verified.error().reason;
  EXPECT_EQ(verified->body, "challenge-42");
  ASSERT_TRUE(daemon->wait_for_log("websub verified mode=subscribe")) << daemon->log();
  const auto status = test::run_command({SLUICE_BINARY, "status", "-c", daemon->config().string()});
  EXPECT_NE(status.out.find("PUSH"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("active until "), std::string::npos) << status.out;
  const auto json = test::run_command({SLUICE_BINARY, "status", "--json", "-c", daemon->config().string()});
  const auto line = nlohmann::json::parse(json.out.substr(0, json.out.find('\n')));
  EXPECT_EQ(line["websub"]["state"], "active") << json.out;
  EXPECT_EQ(line["websub"]["hub"], hub.url());

  // A forged delivery and one to a callback that is not the subscription's publish nothing.
  const std::string forged = websub_atom(hub.url(), request->topic, {"forged", "1"});
  ASSERT_TRUE(WebSubHub::deliver(request->callback, forged, pipeline::sign("sha256", forged, "not the secret")));
  ASSERT_TRUE(WebSubHub::deliver(request->callback, forged, ""));
  ASSERT_TRUE(WebSubHub::deliver(request->callback + "0", forged, pipeline::sign("sha256", forged, request->secret)));
  EXPECT_TRUE(daemon->wait_for_log("websub delivery dropped", 3)) << daemon->log();

  // The signed one is published, once, beside the item the first poll brought.
  const std::string pushed = websub_atom(hub.url(), request->topic, {"2", "1"});
  ASSERT_TRUE(WebSubHub::deliver(request->callback, pushed, pipeline::sign("sha512", pushed, request->secret)));
  std::vector<std::string> titles;
  for (int i = 0; i < 3; ++i) {
    zmq::pollitem_t item{subscriber.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, 10s) <= 0) break;
    std::vector<zmq::message_t> frames;
    static_cast<void>(zmq::recv_multipart(subscriber, std::back_inserter(frames)));
    if (frames.size() == 3) titles.push_back(nlohmann::json::parse(frames[2].to_string())["title"]);
    if (titles.size() == 2) break;
  }
  EXPECT_EQ(titles, (std::vector<std::string>{"Post 1", "Post 2"})) << daemon->log();
  EXPECT_EQ(daemon->log().find("Post forged"), std::string::npos);
  // Counted: the deliveries by outcome, and the pushed document's time to the stream.
  std::smatch metrics_port;
  const std::string log = daemon->log();
  ASSERT_TRUE(std::regex_search(log, metrics_port, std::regex("metrics served listen=\\S+ port=([0-9]+)"))) << log;
  feeds::FetchRequest scrape;
  scrape.url = "http://127.0.0.1:" + metrics_port[1].str() + "/metrics";
  std::string metrics;
  ASSERT_TRUE(test::wait_until(
      [&] {
        const auto answer = test::send(scrape);
        metrics = answer ? answer->body : "";
        return metrics.find("sluice_websub_push_to_publish_seconds_count 1\n") != std::string::npos;
      },
      5s))
      << metrics;
  EXPECT_NE(metrics.find("sluice_websub_deliveries_total{outcome=\"taken\"} 1\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("sluice_websub_deliveries_total{outcome=\"bad_signature\"} 2\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("sluice_websub_deliveries_total{outcome=\"unknown_callback\"} 1\n"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("sluice_websub_push_to_publish_seconds_bucket{le=\"1\"} 1\n"), std::string::npos)
      << "published within a second of arriving\n" << metrics;
  // Pushed, the feed is polled at its websub_interval (6h), not every 2 s.
  const int polls_then = polls;
  std::this_thread::sleep_for(5s);
  EXPECT_LE(polls - polls_then, 1) << daemon->log();
  ASSERT_EQ(daemon->stop(SIGTERM), 0);

  // After a restart the subscription is still active: nothing is asked of the hub again.
  const std::size_t asked = hub.requests().size();
  ASSERT_TRUE(daemon->start()) << daemon->log();
  std::this_thread::sleep_for(2s);
  EXPECT_EQ(hub.requests().size(), asked) << "an active subscription is not asked for again";
  const std::string later = websub_atom(hub.url(), request->topic, {"3", "2", "1"});
  ASSERT_TRUE(WebSubHub::deliver(request->callback, later, pipeline::sign("sha256", later, request->secret)));
  EXPECT_TRUE(daemon->wait_for_log("feed parsed feed=blog format=atom10 entries=3 new=1")) << daemon->log();
  ASSERT_EQ(daemon->stop(SIGTERM), 0);
}

TEST_F(WebSub, AFeedTakenOutOfTheConfigurationIsUnsubscribed) {
  const auto request = first_request();
  ASSERT_TRUE(request) << daemon->log();
  ASSERT_TRUE(WebSubHub::verify(*request, "hello"));
  ASSERT_EQ(daemon->stop(SIGTERM), 0);
  // The feed leaves; another takes its place.
  std::string config = test::read_file(daemon->config());
  config.replace(config.find("name: blog"), 10, "name: other");
  config.replace(config.find(site.url("/feed.xml")), site.url("/feed.xml").size(), site.url("/other.xml"));
  test::write_file(daemon->config(), config);
  site.route("/other.xml", [](const test::HttpRequest&) {
    return test::HttpReply{200, "<rss version=\"2.0\"><channel><title>O</title></channel></rss>", {}};
  });
  ASSERT_TRUE(daemon->start()) << daemon->log();
  const auto next = hub.wait_for([](const WebSubHub::Request&) { return true; }, 1);
  ASSERT_TRUE(next) << daemon->log();
  const WebSubHub::Request leaving = *next;
  EXPECT_EQ(leaving.mode, "unsubscribe");
  EXPECT_EQ(leaving.callback, request->callback);
  EXPECT_EQ(leaving.secret, "") << "an unsubscription carries no secret";
  const auto answer = WebSubHub::verify(leaving, "bye");
  ASSERT_TRUE(answer) << answer.error().reason;
  EXPECT_EQ(answer->body, "bye");
  // Gone: its callback takes nothing more.
  const std::string body = websub_atom(hub.url(), request->topic, {"9"});
  ASSERT_TRUE(WebSubHub::deliver(request->callback, body, pipeline::sign("sha256", body, request->secret)));
  EXPECT_TRUE(daemon->wait_for_log("websub delivery dropped reason=\"unknown callback\""))
      << daemon->log();
  ASSERT_EQ(daemon->stop(SIGTERM), 0);
}

TEST_F(WebSub, FloodsOfForgedOrOversizedDeliveriesPublishNothing) {
  const auto request = first_request();
  ASSERT_TRUE(request) << daemon->log();
  ASSERT_TRUE(WebSubHub::verify(*request, "c"));
  // 200 deliveries with a forged signature, each naming a new item.
  for (int i = 0; i < 200; ++i) {
    const std::string body = websub_atom(hub.url(), request->topic, {"flood-" + std::to_string(i)});
    ASSERT_TRUE(WebSubHub::deliver(request->callback, body, "sha256=" + std::string(64, '0')));
  }
  EXPECT_TRUE(daemon->wait_for_log("reason=\"signature mismatch\"", 200)) << daemon->log();
  EXPECT_EQ(test::count_of(daemon->log(), " new=1 "), 1U) << "the first poll's item only\n" << daemon->log();
  // A signed one over the feed's max_body (15MiB by default, 64KiB here for the test).
  std::string big = websub_atom(hub.url(), request->topic, {"big"});
  big.insert(big.find("</summary>"), std::string(100'000, 'x'));
  ASSERT_EQ(daemon->stop(SIGTERM), 0);
  std::string config = test::read_file(daemon->config());
  config += "    max_body: 64KiB\n";
  test::write_file(daemon->config(), config);
  ASSERT_TRUE(daemon->start()) << daemon->log();
  // Refused on its Content-Length, before a byte of it is read.
  const auto refused = WebSubHub::deliver(request->callback, big, pipeline::sign("sha256", big, request->secret));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().status, 413);
  EXPECT_TRUE(daemon->wait_for_log("websub delivery dropped feed=blog bytes=" + std::to_string(big.size()) +
                                   " reason=\"over max_body 64KiB\""))
      << daemon->log();
  EXPECT_EQ(daemon->log().find(" new=1 "), std::string::npos) << "nothing new was published\n" << daemon->log();
  ASSERT_EQ(daemon->stop(SIGTERM), 0);
}

// In a cluster, the instance holding a feed's shard holds its subscription, on a callback of its
// own: a new owner subscribes from the hub and topic its predecessor shared (before any changed
// document), and one handing the feed back unsubscribes.
TEST(WebSubCluster, TheFeedsOwnerHoldsItsSubscriptionAndANewOwnerSubscribesAtOnce) {
  constexpr std::uint32_t kWebSubShards = 8;
  std::string feed = "blog";
  for (int i = 0; pipeline::ShardLeases::preferred(pipeline::shard_of(feed, kWebSubShards), {"a", "b"}) != "a"; ++i)
    feed = "blog-" + std::to_string(i);
  test::NatsServer nats;
  WebSubHub hub;
  test::HttpServer site;
  std::mutex mutex;
  std::vector<std::string> document_polls;  // the User-Agents of polls answered with the document
  site.route("/feed.xml", [&](const test::HttpRequest& request) {
    if (request.header("If-None-Match") == "\"v1\"") return test::HttpReply{304, "", {{"ETag", "\"v1\""}}};
    const std::lock_guard lock(mutex);
    document_polls.push_back(request.header("User-Agent"));
    return test::HttpReply{200, websub_atom(hub.url(), site.url("/feed.xml"), {"1"}),
                           {{"Content-Type", "application/atom+xml"}, {"ETag", "\"v1\""}}};
  });
  const test::TempDir dir;
  std::map<std::string, std::unique_ptr<test::SluiceDaemon>> instances;
  for (const std::string name : {"a", "b"}) {
    std::filesystem::create_directories(dir.path() / name);
    const std::string port = std::to_string(test::free_port());
    instances[name] = std::make_unique<test::SluiceDaemon>(
        dir.path() / name,
        "user_agent: sluice-test/" + name + "\ncluster: { nats: '" + nats.url() + "', instance: " + name +
            ", shards: " + std::to_string(kWebSubShards) + ", lease_ttl: 2s }\n"
            "websub: { listen: '127.0.0.1:" + port + "', public_url: 'http://127.0.0.1:" + port + "/websub/{instance}' }\n"
            "defaults: { interval: 1s, min_interval: 1s, timeout: 5s }\n"
            "feeds:\n  - name: " + feed + "\n    url: " + site.url("/feed.xml") + "\n");
  }
  auto& a = *instances["a"];
  auto& b = *instances["b"];
  const auto subscribe_of = [](const std::string& instance) {
    return [instance](const WebSubHub::Request& request) {
      return request.mode == "subscribe" && request.callback.find("/websub/" + instance + "/") != std::string::npos;
    };
  };

  // a owns the feed: it alone subscribes, on its own callback, and is pushed the feed.
  ASSERT_TRUE(a.start()) << a.log();
  ASSERT_TRUE(b.start()) << b.log();
  const auto of_a = hub.wait_for(subscribe_of("a"));
  ASSERT_TRUE(of_a) << a.log();
  ASSERT_TRUE(WebSubHub::verify(*of_a, "a-challenge"));
  const std::string second = websub_atom(hub.url(), of_a->topic, {"2", "1"});
  ASSERT_TRUE(WebSubHub::deliver(of_a->callback, second, pipeline::sign("sha256", second, of_a->secret)));
  ASSERT_TRUE(a.wait_for_log("feed parsed feed=" + feed + " format=atom10 entries=2 new=1")) << a.log();

  // a is killed: b takes the feed over with a's validators (its polls are answered 304) and
  // subscribes on its own callback from what a shared.
  std::this_thread::sleep_for(1s);  // a's commit, and the feed state it shares, follow the parse
  static_cast<void>(a.stop(SIGKILL));
  const auto of_b = hub.wait_for(subscribe_of("b"), 0, 20s);
  ASSERT_TRUE(of_b) << b.log();
  EXPECT_EQ(of_b->topic, of_a->topic);
  EXPECT_NE(of_b->secret, of_a->secret);
  {
    const std::lock_guard lock(mutex);
    EXPECT_EQ(document_polls, std::vector<std::string>{"sluice-test/a"}) << "b read no document of the feed\n" << b.log();
  }
  ASSERT_TRUE(WebSubHub::verify(*of_b, "b-challenge"));
  const std::string third = websub_atom(hub.url(), of_b->topic, {"3", "2", "1"});
  ASSERT_TRUE(WebSubHub::deliver(of_b->callback, third, pipeline::sign("sha256", third, of_b->secret)));
  ASSERT_TRUE(b.wait_for_log("feed parsed feed=" + feed + " format=atom10 entries=3 new=1")) << b.log();

  // a comes back and takes its feed back: b unsubscribes, and a is pushed on its kept subscription
  // without asking the hub again.
  const std::size_t asked = hub.requests().size();
  ASSERT_TRUE(a.start()) << a.log();
  const auto leaving = hub.wait_for([&](const WebSubHub::Request& request) { return request.mode == "unsubscribe"; },
                                    asked, 20s);
  ASSERT_TRUE(leaving) << b.log();
  EXPECT_EQ(leaving->callback, of_b->callback);
  ASSERT_TRUE(WebSubHub::verify(*leaving, "bye"));
  ASSERT_TRUE(b.wait_for_log("websub verified mode=unsubscribe")) << b.log();
  ASSERT_TRUE(a.wait_for_log("feeds_gained=1")) << a.log();
  const std::string fourth = websub_atom(hub.url(), of_a->topic, {"4", "3", "2", "1"});
  ASSERT_TRUE(WebSubHub::deliver(of_a->callback, fourth, pipeline::sign("sha256", fourth, of_a->secret)));
  ASSERT_TRUE(a.wait_for_log("feed parsed feed=" + feed + " format=atom10 entries=4 new=1")) << a.log();
  ASSERT_TRUE(WebSubHub::deliver(of_b->callback, fourth, pipeline::sign("sha256", fourth, of_b->secret)));
  EXPECT_TRUE(b.wait_for_log("reason=\"unknown callback\"")) << b.log();
  std::size_t subscribes = 0;
  for (const WebSubHub::Request& request : hub.requests()) subscribes += request.mode == "subscribe";
  EXPECT_EQ(subscribes, 2U) << "a once, b once";
  EXPECT_EQ(a.stop(SIGTERM), 0);
  EXPECT_EQ(b.stop(SIGTERM), 0);
}

}  // namespace
}  // namespace sluice::daemon

