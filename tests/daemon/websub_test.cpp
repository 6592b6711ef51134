// WebSub end to end: the real `sluice` binary, a feed that advertises a hub, and a hub written for
// the test on 127.0.0.1 that takes the subscription request, verifies intent on sluice's callback
// and then pushes signed (and forged) deliveries, observed through a real ZeroMQ subscriber.
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include <atomic>
#include <mutex>
#include <optional>

#include "feeds/fetch/http_fetcher.h"
#include "pipeline/push/signature.h"
#include "tests/support/http_server.h"
#include "tests/support/process.h"
#include "tests/support/sluice_daemon.h"
#include "tests/support/temp_dir.h"

namespace sluice::daemon {
namespace {

using namespace std::chrono_literals;

// A port free on 127.0.0.1 now, for a listener whose public URL must be known beforehand.
int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  ::close(fd);
  return ntohs(address.sin_port);
}

// One request through a real fetcher, waited for.
feeds::FetchResult send(feeds::FetchRequest request) {
  std::optional<feeds::FetchResult> result;
  feeds::HttpFetcher fetcher([&](std::uint64_t, feeds::FetchResult done) { result = std::move(done); });
  request.user_agent = "test-hub/1";
  request.timeout = 5s;
  fetcher.start(request);
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!result && std::chrono::steady_clock::now() < deadline) fetcher.poll(50ms);
  if (!result) return std::unexpected(feeds::FetchError{"test gave up", 0, std::nullopt});
  return std::move(*result);
}

std::string atom(const std::string& hub, const std::string& self, const std::vector<std::string>& ids) {
  std::string out = R"(<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Blog</title>)"
                    R"(<id>urn:blog</id><updated>2026-12-01T10:00:00Z</updated><link rel="hub" href=")" +
                    hub + R"("/><link rel="self" href=")" + self + R"("/>)";
  for (const std::string& id : ids)
    out += "<entry><title>Post " + id + "</title><id>urn:blog:" + id + "</id><updated>2026-12-01T10:00:00Z</updated>"
           "<link href=\"https://blog.example/" + id + "\"/><summary>The text of post " + id + ".</summary></entry>";
  return out + "</feed>";
}

// The subscription request the hub received.
struct HubRequest {
  std::string mode, topic, callback, secret, lease;
};

class WebSub : public testing::Test {
 protected:
  void SetUp() override {
    hub.route("/hub", [this](const test::HttpRequest& request) {
      const std::lock_guard lock(mutex);
      requests.push_back({request.param("hub.mode"), request.param("hub.topic"), request.param("hub.callback"),
                          request.param("hub.secret"), request.param("hub.lease_seconds")});
      return test::HttpReply{202, "", {}};
    });
    site.route("/feed.xml", [this](const test::HttpRequest&) {
      ++polls;
      return test::HttpReply{200, atom(hub.url("/hub"), site.url("/feed.xml"), {"1"}), {{"Content-Type", "application/atom+xml"}}};
    });
    port = free_port();
    daemon.emplace(dir.path(), "websub: { listen: 127.0.0.1:" + std::to_string(port) +
                                   ", public_url: http://127.0.0.1:" + std::to_string(port) + "/websub }\n"
                                   "defaults: { interval: 2s, min_interval: 1s, timeout: 5s }\n"
                                   "feeds:\n  - name: blog\n    url: " + site.url("/feed.xml") + "\n");
    ASSERT_TRUE(daemon->start()) << daemon->log();
  }

  std::optional<HubRequest> first_request() {
    if (!test::wait_until([&] { const std::lock_guard lock(mutex); return !requests.empty(); }, 15s)) return std::nullopt;
    const std::lock_guard lock(mutex);
    return requests.front();
  }

  // The hub's verification of intent: GET on the callback; the answer.
  feeds::FetchResult verify(const std::string& callback, const std::string& topic, const std::string& challenge) {
    feeds::FetchRequest request;
    request.url = callback + "?hub.mode=subscribe&hub.topic=" + topic + "&hub.challenge=" + challenge +
                  "&hub.lease_seconds=3600";
    return send(request);
  }

  // A delivery: POST of body with a signature header.
  feeds::FetchResult deliver(const std::string& callback, const std::string& body, const std::string& signature) {
    feeds::FetchRequest request;
    request.url = callback;
    request.form = body;
    request.headers = {{"Content-Type", "application/atom+xml"}, {"X-Hub-Signature", signature}};
    return send(request);
  }

  test::TempDir dir;
  test::HttpServer hub;
  test::HttpServer site;
  std::mutex mutex;
  std::vector<HubRequest> requests;
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
  const auto stranger = verify("http://127.0.0.1:" + std::to_string(port) + "/websub/0123abcd", request->topic, "x");
  ASSERT_FALSE(stranger);
  EXPECT_EQ(stranger.error().status, 404);
  const auto other_topic = verify(request->callback, "https://elsewhere.example/feed", "x");
  ASSERT_FALSE(other_topic);
  EXPECT_EQ(other_topic.error().status, 404);
  const auto verified = verify(request->callback, request->topic, "challenge-42");
  ASSERT_TRUE(verified) << verified.error().reason;
  EXPECT_EQ(verified->body, "challenge-42");
  ASSERT_TRUE(daemon->wait_for_log("websub verified mode=subscribe")) << daemon->log();
  const auto status = test::run_command({SLUICE_BINARY, "status", "-c", daemon->config().string()});
  EXPECT_NE(status.out.find("PUSH"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("active until "), std::string::npos) << status.out;
  const auto json = test::run_command({SLUICE_BINARY, "status", "--json", "-c", daemon->config().string()});
  const auto line = nlohmann::json::parse(json.out.substr(0, json.out.find('\n')));
  EXPECT_EQ(line["websub"]["state"], "active") << json.out;
  EXPECT_EQ(line["websub"]["hub"], hub.url("/hub"));

  // A forged delivery and one to a callback that is not the subscription's publish nothing.
  const std::string forged = atom(hub.url("/hub"), request->topic, {"forged", "1"});
  ASSERT_TRUE(deliver(request->callback, forged, pipeline::sign("sha256", forged, "not the secret")));
  ASSERT_TRUE(deliver(request->callback, forged, ""));
  ASSERT_TRUE(deliver(request->callback + "0", forged, pipeline::sign("sha256", forged, request->secret)));
  EXPECT_TRUE(daemon->wait_for_log("websub delivery dropped", 3)) << daemon->log();

  // The signed one is published, once, beside the item the first poll brought.
  const std::string pushed = atom(hub.url("/hub"), request->topic, {"2", "1"});
  ASSERT_TRUE(deliver(request->callback, pushed, pipeline::sign("sha512", pushed, request->secret)));
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
  // Pushed, the feed is polled at its websub_interval (6h), not every 2 s.
  const int polls_then = polls;
  std::this_thread::sleep_for(5s);
  EXPECT_LE(polls - polls_then, 1) << daemon->log();
  ASSERT_EQ(daemon->stop(SIGTERM), 0);

  // After a restart the subscription is still active: nothing is asked of the hub again.
  const std::size_t asked = [&] { const std::lock_guard lock(mutex); return requests.size(); }();
  ASSERT_TRUE(daemon->start()) << daemon->log();
  std::this_thread::sleep_for(2s);
  {
    const std::lock_guard lock(mutex);
    EXPECT_EQ(requests.size(), asked) << "an active subscription is not asked for again";
  }
  const std::string later = atom(hub.url("/hub"), request->topic, {"3", "2", "1"});
  ASSERT_TRUE(deliver(request->callback, later, pipeline::sign("sha256", later, request->secret)));
  EXPECT_TRUE(daemon->wait_for_log("feed parsed feed=blog format=atom10 entries=3 new=1")) << daemon->log();
  ASSERT_EQ(daemon->stop(SIGTERM), 0);
}

TEST_F(WebSub, AFeedTakenOutOfTheConfigurationIsUnsubscribed) {
  const auto request = first_request();
  ASSERT_TRUE(request) << daemon->log();
  ASSERT_TRUE(verify(request->callback, request->topic, "hello"));
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
  ASSERT_TRUE(test::wait_until([&] { const std::lock_guard lock(mutex); return requests.size() >= 2; }, 15s))
      << daemon->log();
  HubRequest leaving;
  {
    const std::lock_guard lock(mutex);
    leaving = requests[1];
  }
  EXPECT_EQ(leaving.mode, "unsubscribe");
  EXPECT_EQ(leaving.callback, request->callback);
  EXPECT_EQ(leaving.secret, "") << "an unsubscription carries no secret";
  feeds::FetchRequest confirm;
  confirm.url = leaving.callback + "?hub.mode=unsubscribe&hub.topic=" + leaving.topic + "&hub.challenge=bye";
  const auto answer = send(confirm);
  ASSERT_TRUE(answer) << answer.error().reason;
  EXPECT_EQ(answer->body, "bye");
  // Gone: its callback takes nothing more.
  const std::string body = atom(hub.url("/hub"), request->topic, {"9"});
  ASSERT_TRUE(deliver(request->callback, body, pipeline::sign("sha256", body, request->secret)));
  EXPECT_TRUE(daemon->wait_for_log("websub delivery dropped bytes=" + std::to_string(body.size()) +
                                   " reason=\"unknown callback\""))
      << daemon->log();
  ASSERT_EQ(daemon->stop(SIGTERM), 0);
}

TEST_F(WebSub, FloodsOfForgedOrOversizedDeliveriesPublishNothing) {
  const auto request = first_request();
  ASSERT_TRUE(request) << daemon->log();
  ASSERT_TRUE(verify(request->callback, request->topic, "c"));
  // 200 deliveries with a forged signature, each naming a new item.
  for (int i = 0; i < 200; ++i) {
    const std::string body = atom(hub.url("/hub"), request->topic, {"flood-" + std::to_string(i)});
    ASSERT_TRUE(deliver(request->callback, body, "sha256=" + std::string(64, '0')));
  }
  EXPECT_TRUE(daemon->wait_for_log("reason=\"signature mismatch\"", 200)) << daemon->log();
  EXPECT_EQ(test::count_of(daemon->log(), " new=1 "), 1U) << "the first poll's item only\n" << daemon->log();
  // A signed one over the feed's max_body (15MiB by default, 64KiB here for the test).
  std::string big = atom(hub.url("/hub"), request->topic, {"big"});
  big.insert(big.find("</summary>"), std::string(100'000, 'x'));
  ASSERT_EQ(daemon->stop(SIGTERM), 0);
  std::string config = test::read_file(daemon->config());
  config += "    max_body: 64KiB\n";
  test::write_file(daemon->config(), config);
  ASSERT_TRUE(daemon->start()) << daemon->log();
  ASSERT_TRUE(deliver(request->callback, big, pipeline::sign("sha256", big, request->secret)));
  EXPECT_TRUE(daemon->wait_for_log("websub delivery dropped feed=blog bytes=" + std::to_string(big.size()) +
                                   " reason=\"over max_body 64KiB\""))
      << daemon->log();
  EXPECT_EQ(daemon->log().find(" new=1 "), std::string::npos) << "nothing new was published\n" << daemon->log();
  ASSERT_EQ(daemon->stop(SIGTERM), 0);
}

}  // namespace
}  // namespace sluice::daemon

