// The real `sluice` binary against hostile servers and clients, each case beside a healthy feed
// whose publishing gaps are checked: what a feed, a link, a redirect or a network client sends
// must neither reach private data, nor stop the daemon, nor starve the other feeds.
//
// Every server is on loopback. 127.0.0.1 stands for the internet; 127.0.0.2 for a private host
// (the guard sees both as private, and only the configured feed's own host is exempt).
#include <netinet/in.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <mutex>
#include <thread>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "tests/support/http_server.h"
#include "tests/support/process.h"
#include "tests/support/replay_clients.h"
#include "tests/support/sluice_daemon.h"
#include "tests/support/temp_dir.h"
#include "tests/support/websub_hub.h"

namespace sluice::daemon {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;  // ASan's quarantine and shadow memory: RSS says nothing of sluice
#else
constexpr bool kSanitized = false;
#endif

std::string rss(const std::string& items) {
  return R"(<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>https://example.org/</link>)" +
         items + "</channel></rss>";
}

std::string item(const std::string& guid, const std::string& title, const std::string& link, const std::string& text) {
  return "<item><title>" + title + "</title><link>" + link + "</link><guid isPermaLink=\"false\">" + guid +
         "</guid><description>" + text + "</description></item>";
}

// A feed as servers send it, with a type the test server does not compress: compressing a large
// document would hold its first byte back past curl's patience on a loaded machine.
test::HttpReply feed_reply(std::string body) { return {200, std::move(body), {{"Content-Type", "application/rss+xml"}}}; }

// A TCP connection to 127.0.0.1:port (-1 when refused).
int connect_to(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Resident memory of a process, in bytes (0 when it is gone).
std::size_t rss_of(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);)
    if (line.starts_with("VmRSS:")) return std::stoull(line.substr(6)) * 1024;
  return 0;
}

struct Received {
  std::string feed;
  std::string title;
  std::string text;
  int revision = 1;
  Clock::time_point at;
};

class Hostile : public testing::Test {
 protected:
  Hostile() {
    // A new story at every poll, the last five listed.
    healthy_server.route("/healthy.xml", [this](const test::HttpRequest&) {
      const int poll = ++healthy_polls;
      std::string items;
      for (int i = poll; i > std::max(0, poll - 5); --i)
        items += item("healthy-" + std::to_string(i), "Healthy story " + std::to_string(i),
                      "https://healthy.example/" + std::to_string(i),
                      "Story number " + std::to_string(i) + " of the healthy feed, told in a sentence or two.");
      return feed_reply(rss(items));
    });
  }

  ~Hostile() override {
    stop_subscriber();
    if (daemon) daemon->stop(SIGKILL);
  }

  // Starts sluice on the healthy feed plus `feeds` (YAML list entries), and a subscriber.
  void start(const std::string& feeds, const std::string& top = "") {
    daemon.emplace(dir.path(), top + "defaults: { interval: 1s, min_interval: 1s, timeout: 5s }\nfeeds:\n"
                                     "  - name: healthy\n    url: " + healthy_server.url("/healthy.xml") +
                                     "\n    interval: 2s\n" + feeds);
    ASSERT_TRUE(daemon->start()) << daemon->log();
    subscriber = std::jthread([this](std::stop_token stop) { subscribe(stop); });
    ASSERT_TRUE(daemon->wait_for_log("subscription added")) << daemon->log();
  }

  void subscribe(std::stop_token stop) {
    zmq::socket_t socket(context, zmq::socket_type::sub);
    socket.set(zmq::sockopt::subscribe, "article.");
    socket.set(zmq::sockopt::rcvhwm, 0);
    socket.connect(daemon->endpoint());
    while (!stop.stop_requested()) {
      zmq::pollitem_t poll_item{socket.handle(), 0, ZMQ_POLLIN, 0};
      if (zmq::poll(&poll_item, 1, 100ms) <= 0) continue;
      std::vector<zmq::message_t> frames;
      static_cast<void>(zmq::recv_multipart(socket, std::back_inserter(frames)));
      if (frames.size() != 3) continue;
      const auto article = nlohmann::json::parse(frames[2].to_string(), nullptr, false);
      if (!article.is_object()) continue;
      const std::lock_guard lock(mutex);
      received.push_back({article["feed"]["name"], article.value("title", ""), article.value("text", ""),
                          article.value("revision", 1), Clock::now()});
    }
  }

  void stop_subscriber() {
    if (subscriber.joinable()) {
      subscriber.request_stop();
      subscriber.join();
    }
  }

  std::vector<Received> of_feed(const std::string& feed) {
    const std::lock_guard lock(mutex);
    std::vector<Received> out;
    for (const Received& article : received)
      if (article.feed == feed) out.push_back(article);
    return out;
  }

  // The healthy feed went on through the attack: its stories were published once and in order, and
  // the story of its next poll is published too. How long it waited is
  // measured by the benchmarks (bench/big_feed.py); the deadline here only keeps a hang from
  // running forever.
  void expect_healthy() {
    const int served = healthy_polls;
    const std::string next = "Healthy story " + std::to_string(served + 1);
    EXPECT_TRUE(test::wait_until(
        [&] {
          const auto stories = of_feed("healthy");
          return std::ranges::any_of(stories, [&](const Received& story) { return story.title == next; });
        },
        60s))
        << "the healthy feed stopped after " << served << " polls\n" << daemon->log();
    // The subscriber may have joined after the first story went out; from its first one on, none
    // is missing, repeated or out of order.
    const auto stories = of_feed("healthy");
    ASSERT_FALSE(stories.empty());
    const int first = std::stoi(stories.front().title.substr(std::string("Healthy story ").size()));
    for (std::size_t i = 0; i < stories.size(); ++i)
      EXPECT_EQ(stories[i].title, "Healthy story " + std::to_string(first + static_cast<int>(i)))
          << "lost, repeated or out of order";
  }

  // SIGTERM ends the daemon cleanly within the unit's TimeoutStopSec.
  void expect_clean_stop() {
    stop_subscriber();
    const auto asked = Clock::now();
    EXPECT_EQ(daemon->stop(SIGTERM), 0) << daemon->log();
    EXPECT_LT(Clock::now() - asked, 30s);
  }

  test::TempDir dir;
  test::HttpServer healthy_server;
  std::atomic<int> healthy_polls{0};
  std::optional<test::SluiceDaemon> daemon;
  zmq::context_t context;
  std::jthread subscriber;
  std::mutex mutex;
  std::vector<Received> received;
};

TEST_F(Hostile, LinksAndRedirectsReachNeitherLocalFilesNorPrivateHosts) {
  test::HttpServer internal("127.0.0.2");
  std::atomic<int> secrets{0};
  internal.route("/secret", [&](const test::HttpRequest&) {
    ++secrets;
    return test::HttpReply{200, "<html><body><article><p>INTERNAL SECRET of the private host, never to be "
                                "published anywhere by anyone.</p></article></body></html>",
                           {{"Content-Type", "text/html"}}};
  });
  // A configured feed on the private host: trusted, and its connections stay in the pool.
  internal.route("/intranet.xml", [](const test::HttpRequest&) {
    return test::HttpReply{200, rss(item("memo-1", "Memo", "https://intranet.example/memo", "Canteen closes early.")), {}};
  });
  test::write_file(dir.path() / "local.html", "<html><body><article><p>LOCAL FILE SECRET read from the disk of the "
                                              "machine sluice runs on.</p></article></body></html>");
  test::HttpServer hostile;
  hostile.route("/open", [&](const test::HttpRequest&) {
    return test::HttpReply{302, "", {{"Location", internal.url("/secret")}}};
  });
  hostile.route("/moved.xml", [&](const test::HttpRequest&) {
    return test::HttpReply{302, "", {{"Location", internal.url("/intranet.xml")}}};
  });
  const std::string mapped = internal.url("/secret").replace(7, 9, "[::ffff:127.0.0.2]");
  const std::vector<std::string> links = {"file://" + (dir.path() / "local.html").string(), internal.url("/secret"),
                                          hostile.url("/open"), mapped};
  hostile.route("/hostile.xml", [&](const test::HttpRequest&) {
    std::string items;
    for (std::size_t i = 0; i < links.size(); ++i)
      items += item("link-" + std::to_string(i), "Teaser " + std::to_string(i), links[i], "Only a teaser.");
    return feed_reply(rss(items));
  });
  // A site whose page advertises the private host's feed, and a local file, as its own.
  hostile.route("/", [&](const test::HttpRequest&) {
    return test::HttpReply{200, "<!DOCTYPE html><html><head><link rel=alternate type=application/rss+xml href=\"file://" +
                                    (dir.path() / "local.html").string() + "\"><link rel=alternate "
                                    "type=application/rss+xml href=\"" + internal.url("/intranet.xml") +
                                    "\"></head><body><p>Welcome</p></body></html>",
                           {{"Content-Type", "text/html"}}};
  });
  start("  - name: intranet\n    url: " + internal.url("/intranet.xml") + "\n  - name: hostile\n    url: " +
        hostile.url("/hostile.xml") + "\n    full_text: true\n  - name: redirected\n    url: " +
        hostile.url("/moved.xml") + "\n  - name: discovering\n    url: " + hostile.url("/") + "\n");
  ASSERT_TRUE(test::wait_until([&] { return of_feed("hostile").size() == links.size(); }, 30s)) << daemon->log();
  ASSERT_TRUE(daemon->wait_for_log("feed fetch failed feed=redirected")) << daemon->log();
  std::this_thread::sleep_for(4s);
  for (const Received& article : of_feed("hostile")) {
    EXPECT_EQ(article.text, "Only a teaser.") << "a followed link was read: " << article.title;
  }
  EXPECT_EQ(secrets, 0) << "the private host was asked for its secret";
  EXPECT_TRUE(of_feed("redirected").empty());
  EXPECT_TRUE(of_feed("discovering").empty()) << "a discovered feed on a private host was read";
  EXPECT_EQ(of_feed("intranet").size(), 1U) << "the configured private feed is trusted";
  const std::string log = daemon->log();
  EXPECT_NE(log.find("links and redirects sluice follows must be http or https"), std::string::npos) << log;
  EXPECT_GE(test::count_of(log, "refused non-public address 127.0.0.2"), 2U) << log;
  EXPECT_NE(log.find("refused non-public address ::ffff:127.0.0.2"), std::string::npos) << log;
  EXPECT_NE(log.find("feed not parsed feed=discovering url=" + hostile.url("/") +
                     " error=\"a web page, not a feed, and no feed found for it: the feeds the page advertises cannot "
                     "be read (" + internal.url("/intranet.xml") + ": refused non-public address 127.0.0.2"),
            std::string::npos)
      << log;
  EXPECT_EQ(log.find("feed discovered"), std::string::npos) << log;
  expect_healthy();
  expect_clean_stop();
}

TEST_F(Hostile, ReplayClientsThatLeaveAtOnceOrNeverReadNeitherStopNorSwampTheDaemon) {
  // A journal worth replaying: 1 500 articles of about 4 KB.
  test::HttpServer bulk;
  const std::string paragraph(4000, 'w');
  bulk.route("/bulk.xml", [&](const test::HttpRequest&) {
    std::string items;
    for (int i = 0; i < 1500; ++i)
      items += item("bulk-" + std::to_string(i), "Bulk " + std::to_string(i), "https://bulk.example/" + std::to_string(i),
                    std::to_string(i) + " " + paragraph);
    return feed_reply(rss(items));
  });
  start("  - name: bulk\n    url: " + bulk.url("/bulk.xml") + "\n    interval: 1h\n    max_interval: 1h\n");
  ASSERT_TRUE(test::wait_until([&] { return of_feed("bulk").size() == 1500; }, 60s)) << daemon->log();

  // A thousand clients that ask (nonsense, or a replay) and are gone before the answer.
  test::hit_and_run(daemon->replay_endpoint(), 1000, R"({"from": 1, "credit": 50000})", "{not json");

  // Eighty clients asking for everything again and again, reading nothing, for five seconds: more
  // than the 64 replays served at once.
  const std::size_t before = rss_of(daemon->pid());
  std::vector<zmq::socket_t> flood;
  for (int i = 0; i < 80; ++i) {
    flood.emplace_back(context, zmq::socket_type::dealer);
    flood.back().set(zmq::sockopt::rcvhwm, 1);
    flood.back().set(zmq::sockopt::rcvbuf, 4096);
    flood.back().set(zmq::sockopt::sndhwm, 100);
    flood.back().connect(daemon->replay_endpoint());
  }
  std::size_t peak = before;
  for (const auto until = Clock::now() + 5s; Clock::now() < until;) {
    for (auto& client : flood)
      static_cast<void>(client.send(zmq::str_buffer(R"({"from": 1, "credit": 50000})"), zmq::send_flags::dontwait));
    peak = std::max(peak, rss_of(daemon->pid()));
    std::this_thread::sleep_for(5ms);
  }
  for (auto& client : flood) client.close();
  EXPECT_GT(rss_of(daemon->pid()), 0U) << "the daemon is gone:\n" << daemon->log();
  if (!kSanitized) {
    EXPECT_LT(peak, before + (150 << 20)) << "RSS from " << before << " to " << peak;
  }
  EXPECT_TRUE(daemon->wait_for_log("replay request refused: 64 replays under way already")) << daemon->log();
  // A well-behaved client is still served, once the flood's replays have wound down.
  bool served = false;
  for (const auto until = Clock::now() + 20s; !served && Clock::now() < until;) {
    zmq::socket_t client(context, zmq::socket_type::dealer);
    client.connect(daemon->replay_endpoint());
    client.send(zmq::str_buffer(R"({"from": 1, "to": 3})"), zmq::send_flags::none);
    std::vector<std::string> topics;
    for (zmq::pollitem_t poll_item{client.handle(), 0, ZMQ_POLLIN, 0}; zmq::poll(&poll_item, 1, 2s) > 0;) {
      std::vector<zmq::message_t> frames;
      static_cast<void>(zmq::recv_multipart(client, std::back_inserter(frames)));
      topics.push_back(frames.at(0).to_string());
      if (topics.back() == "end." || topics.back() == "error.") break;
    }
    served = topics.size() == 4 && topics.back() == "end.";
  }
  EXPECT_TRUE(served) << daemon->log();
  expect_healthy();
  expect_clean_stop();
}

TEST_F(Hostile, AHugeFeedIsReadOnceAndNeitherStarvesTheOthersNorHoldsUpStopping) {
  // 60 000 items: six times max_items, the newest first.
  test::HttpServer huge;
  std::string document;
  for (int i = 60'000; i > 0; --i)
    document += item("huge-" + std::to_string(i), "Item " + std::to_string(i), "https://huge.example/" + std::to_string(i),
                     "Item " + std::to_string(i) + " of a feed that keeps everything it ever published.");
  document = rss(document);
  std::atomic<int> polls{0};
  huge.route("/huge.xml", [&](const test::HttpRequest&) {
    ++polls;
    return feed_reply(document);
  });
  start("  - name: huge\n    url: " + huge.url("/huge.xml") + "\n    interval: 3s\n    max_items: 10000\n");
  ASSERT_TRUE(daemon->wait_for_log("feed lists more items than max_items feed=huge items=60000 max_items=10000", 1, 60s))
      << daemon->log();
  ASSERT_TRUE(daemon->wait_for_log("feed parsed feed=huge format=rss20 entries=60000 new=10000", 1, 60s)) << daemon->log();
  ASSERT_TRUE(daemon->wait_for_log("feed parsed feed=huge format=rss20 entries=60000 new=0 edited=0", 1, 60s))
      << daemon->log();
  ASSERT_TRUE(test::wait_until([&] { return of_feed("huge").size() == 10'000; }, 30s)) << of_feed("huge").size();
  EXPECT_EQ(of_feed("huge").front().title, "Item 50001") << "the newest 10 000, oldest first";
  EXPECT_EQ(of_feed("huge").back().title, "Item 60000");
  expect_healthy();
  // Stopping while the huge document is being read again: prompt, and nothing is lost.
  ASSERT_TRUE(test::wait_until([&] { return polls >= 3; }, 30s));
  expect_clean_stop();
  EXPECT_EQ(test::count_of(daemon->log(), "sluice stopped"), 1U);
}

TEST_F(Hostile, GuidFloodsAndRevisionStormsAreBraked) {
  test::HttpServer flooding;
  std::atomic<int> flood_polls{0};
  // 300 new guids at every poll.
  flooding.route("/flood.xml", [&](const test::HttpRequest&) {
    const int poll = ++flood_polls;
    std::string items;
    for (int i = 0; i < 300; ++i) {
      const std::string id = std::to_string(poll) + "-" + std::to_string(i);
      items += item("flood-" + id, "Flood " + id, "https://flood.example/" + id, "Flood item " + id + ".");
    }
    return feed_reply(rss(items));
  });
  // One item whose text changes at every poll.
  std::atomic<int> storm_polls{0};
  flooding.route("/storm.xml", [&](const test::HttpRequest&) {
    const int poll = ++storm_polls;
    return test::HttpReply{200, rss(item("storm-1", "Live blog", "https://storm.example/live",
                                         "Update number " + std::to_string(poll) + " of the live blog.")),
                           {}};
  });
  start("  - name: flood\n    url: " + flooding.url("/flood.xml") + "\n    max_new_per_poll: 50\n"
        "  - name: storm\n    url: " + flooding.url("/storm.xml") + "\n    min_revision_interval: 4s\n");
  std::this_thread::sleep_for(10s);
  // What was published first, then how many documents were served: every article published came
  // from a document counted here.
  const std::size_t flooded = of_feed("flood").size();
  const int flood_documents = flood_polls;
  const int storm_documents = storm_polls;
  ASSERT_GE(flood_documents, 4);
  ASSERT_GE(storm_documents, 6);
  // The first document is the feed's backlog; every later one adds at most 50.
  EXPECT_LE(flooded, 300U + 50U * static_cast<std::size_t>(flood_documents - 1));
  EXPECT_GE(flooded, 300U + 50U) << daemon->log();
  EXPECT_TRUE(daemon->wait_for_log("feed has more new items than max_new_per_poll feed=flood")) << daemon->log();
  // One revision per 4 s at most, the latest text each time, never all of them.
  const auto storm = of_feed("storm");
  ASSERT_GE(storm.size(), 2U) << daemon->log();
  EXPECT_LE(storm.size(), 4U) << "revisions in 10 s of polls every second";
  for (std::size_t i = 1; i < storm.size(); ++i) {
    EXPECT_EQ(storm[i].revision, storm[i - 1].revision + 1);
    EXPECT_GE(storm[i].at - storm[i - 1].at, 3s) << "revision " << storm[i].revision;
  }
  EXPECT_TRUE(daemon->wait_for_log("edits held feed=storm items=1 min_revision_interval=4s")) << daemon->log();
  expect_healthy();
  expect_clean_stop();
}

// Eight kinds of hostile server at once, each on a feed of its own, the healthy feed beside them.
TEST_F(Hostile, HostileServersFailTheirOwnFeedsOnly) {
  test::HttpServer hostile;
  hostile.route("/drip.xml", [](const test::HttpRequest&) { return test::HttpReply{200, rss(""), {}, 0ms, 2s}; });
  hostile.route("/endless.xml", [](const test::HttpRequest&) {
    return test::HttpReply{200, std::string(64 * 1024, ' '), {}, 0ms, 0ms, true};
  });
  // 64 MiB of zeros compress to some 64 KB: only the decoded size shows the bomb.
  const std::string bomb = test::gzipped(std::string(64 << 20, '\0'));
  hostile.route("/bomb.xml", [&](const test::HttpRequest&) {
    return test::HttpReply{200, bomb, {{"Content-Encoding", "gzip"}}};
  });
  hostile.route("/loop-a", [](const test::HttpRequest&) { return test::HttpReply{302, "", {{"Location", "/loop-b"}}}; });
  hostile.route("/loop-b", [](const test::HttpRequest&) { return test::HttpReply{302, "", {{"Location", "/loop-a"}}}; });
  hostile.route("/laughs.xml", [](const test::HttpRequest&) {
    std::string entities = R"(<!ENTITY lol0 "lol">)";
    for (int i = 1; i < 10; ++i) {
      std::string next = "<!ENTITY lol" + std::to_string(i) + " \"";
      for (int j = 0; j < 10; ++j) next += "&lol" + std::to_string(i - 1) + ";";
      entities += next + "\">";
    }
    return test::HttpReply{200, "<?xml version=\"1.0\"?><!DOCTYPE rss [" + entities + "]>" +
                                    rss(item("lol", "&lol9;", "https://lol.example/", "&lol9;")),
                           {}};
  });
  hostile.route("/deep.xml", [](const test::HttpRequest&) {
    std::string deep;
    for (int i = 0; i < 300'000; ++i) deep += "<b>";
    return feed_reply(rss("<item><title>Deep</title><guid>deep</guid><description>" + deep + "</description></item>"));
  });
  // A server that asks everyone to go away, on a host of its own (it holds back its whole host).
  test::HttpServer busy;
  std::atomic<int> busy_asked{0};
  busy.route("/busy.xml", [&](const test::HttpRequest&) {
    ++busy_asked;
    return test::HttpReply{429, "", {{"Retry-After", "3"}}};
  });
  const std::string plain = hostile.url("/drip.xml");
  start("  - name: drip\n    url: " + plain + "\n"
        "  - name: endless\n    url: " + hostile.url("/endless.xml") + "\n    max_body: 1MiB\n"
        "  - name: bomb\n    url: " + hostile.url("/bomb.xml") + "\n    max_body: 4MiB\n"
        "  - name: loop\n    url: " + hostile.url("/loop-a") + "\n"
        "  - name: laughs\n    url: " + hostile.url("/laughs.xml") + "\n"
        "  - name: deep\n    url: " + hostile.url("/deep.xml") + "\n"
        "  - name: tls\n    url: https://" + plain.substr(7) + "\n"
        "  - name: busy\n    url: " + busy.url("/busy.xml") + "\n",
        "");
  for (const char* failing : {"feed fetch failed feed=drip", "feed fetch failed feed=endless url",
                              "feed fetch failed feed=bomb url", "feed fetch failed feed=loop",
                              "feed fetch failed feed=tls", "feed fetch failed feed=busy"})
    EXPECT_TRUE(daemon->wait_for_log(failing, 1, 30s)) << failing << "\n" << daemon->log();
  EXPECT_TRUE(daemon->wait_for_log("body exceeds max_body 1MiB")) << daemon->log();
  EXPECT_TRUE(daemon->wait_for_log("body exceeds max_body 4MiB")) << daemon->log();
  EXPECT_TRUE(daemon->wait_for_log("feed=laughs", 1, 30s)) << daemon->log();
  EXPECT_TRUE(daemon->wait_for_log("feed=deep", 1, 30s)) << daemon->log();
  std::this_thread::sleep_for(6s);
  EXPECT_LE(busy_asked, 4) << "the busy server was asked again before its Retry-After";
  for (const Received& article : of_feed("laughs")) EXPECT_LT(article.text.size(), 100'000U) << "entities expanded";
  expect_healthy();
  expect_clean_stop();
}

// The disk under the state directory fills up: nothing is published meanwhile and nothing is lost;
// once there is room again, everything goes out once, in order.
TEST_F(Hostile, AFullDiskHoldsPublishingBackAndLosesNothing) {
  const std::filesystem::path state = dir.path() / "state";
  std::filesystem::create_directories(state);
  if (mount("tmpfs", state.c_str(), "tmpfs", 0, "size=2m") != 0)
    GTEST_SKIP() << "cannot mount a small tmpfs here (needs root): the full-disk case is not run";
  struct Unmount {
    std::filesystem::path path;
    ~Unmount() { umount2(path.c_str(), MNT_DETACH); }
  } unmount{state};
  test::HttpServer big;
  const std::string paragraph(3000, 'z');
  std::atomic<int> released{0};
  big.route("/big.xml", [&](const test::HttpRequest&) {
    std::string items;
    for (int i = released; i > 0; --i)
      items += item("big-" + std::to_string(i), "Big " + std::to_string(i), "https://big.example/" + std::to_string(i),
                    std::to_string(i) + " " + paragraph);
    return feed_reply(rss(items));
  });
  start("  - name: big\n    url: " + big.url("/big.xml") + "\n    max_new_per_poll: 10000\n",
        "journal: { max_size: 64MiB }\n");
  released = 1500;  // some 5 MB of articles into a 2 MB disk
  ASSERT_TRUE(daemon->wait_for_log("journal not written", 1, 30s)) << daemon->log();
  ASSERT_EQ(mount("tmpfs", state.c_str(), "tmpfs", MS_REMOUNT, "size=64m"), 0);
  ASSERT_TRUE(daemon->wait_for_log("journal written again", 1, 30s)) << daemon->log();
  ASSERT_TRUE(test::wait_until([&] { return of_feed("big").size() >= 1500; }, 60s)) << of_feed("big").size();
  const auto articles = of_feed("big");
  EXPECT_EQ(articles.size(), 1500U) << "nothing twice";
  for (std::size_t i = 0; i < articles.size(); ++i) EXPECT_EQ(articles[i].title, "Big " + std::to_string(i + 1));
  expect_clean_stop();
}

// WebSub from the outside: hubs a feed names on a private host, or reached by redirect, hear
// nothing; callback clients that send endless bodies, open hundreds of idle connections or flood
// deliveries neither stop the callback server nor grow the daemon without bound.
TEST_F(Hostile, WebSubHubsAndCallbackClientsNeitherSteerNorSwampTheDaemon) {
  test::HttpServer internal("127.0.0.2");
  std::atomic<int> private_hub{0};
  internal.route("/hub", [&](const test::HttpRequest&) {
    ++private_hub;
    return test::HttpReply{202, "", {}};
  });
  test::HttpServer hostile;
  // The hub on the feed's own server sends the subscription on to the private host.
  hostile.route("/hub", [&](const test::HttpRequest&) {
    return test::HttpReply{307, "", {{"Location", internal.url("/hub")}}};
  });
  const auto advertising = [&](const std::string& hub, const std::string& path) {
    return [&, hub, path](const test::HttpRequest&) {
      return test::HttpReply{200, test::websub_atom(hub, hostile.url(path), {path}),
                             {{"Content-Type", "application/atom+xml"}}};
    };
  };
  hostile.route("/private-hub.xml", advertising(internal.url("/hub"), "/private-hub.xml"));
  hostile.route("/redirected-hub.xml", advertising(hostile.url("/hub"), "/redirected-hub.xml"));
  const int port = test::free_port();
  start("  - name: private-hub\n    url: " + hostile.url("/private-hub.xml") + "\n  - name: redirected-hub\n    url: " +
            hostile.url("/redirected-hub.xml") + "\n",
        "websub: { listen: 127.0.0.1:" + std::to_string(port) + ", public_url: http://127.0.0.1:" +
            std::to_string(port) + "/websub }\n");
  ASSERT_TRUE(daemon->wait_for_log("websub request failed feed=private-hub")) << daemon->log();
  ASSERT_TRUE(daemon->wait_for_log("websub request failed feed=redirected-hub")) << daemon->log();
  const std::string log = daemon->log();
  EXPECT_NE(log.find("refused non-public address 127.0.0.2"), std::string::npos) << log;
  EXPECT_EQ(private_hub, 0) << "a private host heard a subscription request";
  const std::size_t before = rss_of(daemon->pid());

  // An endless chunked delivery: cut off, answered, and the server goes on.
  std::thread endless([&] {
    const int fd = connect_to(port);
    ASSERT_GE(fd, 0);
    const std::string head = "POST /websub/0123 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                             "Content-Type: application/atom+xml\r\n\r\n";
    ::send(fd, head.data(), head.size(), MSG_NOSIGNAL);
    const std::string chunk = "10000\r\n" + std::string(0x10000, 'x') + "\r\n";
    std::size_t sent = 0;
    // 64 MiB at most, until the server stops reading.
    for (int i = 0; i < 1024; ++i) {
      const ssize_t n = ::send(fd, chunk.data(), chunk.size(), MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += static_cast<std::size_t>(n);
    }
    EXPECT_LT(sent, 64U << 20) << "the callback server read an endless body to its end";
    ::close(fd);
  });
  // 300 connections that never send a request, held open meanwhile.
  std::vector<int> idle;
  for (int i = 0; i < 300; ++i)
    if (const int fd = connect_to(port); fd >= 0) idle.push_back(fd);
  // 500 deliveries with forged signatures, from 8 clients at once.
  std::vector<std::thread> flooders;
  std::atomic<int> answered{0};
  for (int t = 0; t < 8; ++t)
    flooders.emplace_back([&, t] {
      for (int i = 0; i < 62; ++i) {
        const std::string body = test::websub_atom(hostile.url("/hub"), "x", {"flood-" + std::to_string(t * 100 + i)});
        answered += test::WebSubHub::deliver("http://127.0.0.1:" + std::to_string(port) + "/websub/" +
                                                 std::to_string(i),
                                             body, "sha256=" + std::string(64, '0'))
                        .has_value();
      }
    });
  for (std::thread& flooder : flooders) flooder.join();
  endless.join();
  for (const int fd : idle) ::close(fd);
  EXPECT_EQ(answered, 8 * 62) << "every delivery is answered (202) and dropped";
  // Still serving: a verification for nothing sluice asked is refused at once.
  const auto stranger =
      test::WebSubHub::verify({"subscribe", "x", "http://127.0.0.1:" + std::to_string(port) + "/websub/abc", "", ""}, "c");
  ASSERT_FALSE(stranger);
  EXPECT_EQ(stranger.error().status, 404);
  const std::size_t after = rss_of(daemon->pid());
  std::printf("resident memory %zu MiB before the callback attacks, %zu MiB after\n", before >> 20, after >> 20);
  if (!kSanitized) {
    EXPECT_LT(after, before + (64U << 20)) << "memory grew with what callback clients sent";
  }
  EXPECT_EQ(of_feed("private-hub").size(), 1U);
  EXPECT_EQ(of_feed("redirected-hub").size(), 1U);
  expect_healthy();
  expect_clean_stop();
}

}  // namespace
}  // namespace sluice::daemon
