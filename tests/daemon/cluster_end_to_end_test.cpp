// Real `sluice run` instances sharing 50 local feeds through a real nats-server with JetStream:
// the feeds are split without overlap, a SIGKILLed instance's feeds resume on the others, a
// returning instance takes its share back, and the JetStream stream holds every item exactly once.
#include <signal.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>
#include <mutex>
#include <regex>
#include <sstream>
#include <set>
#include <thread>

#include "pipeline/deliver/journal.h"
#include "pipeline/cluster/shard_leases.h"
#include "tests/support/http_server.h"
#include "tests/support/json_lines.h"
#include "tests/support/nats_server.h"
#include "tests/support/sluice_daemon.h"
#include "tests/support/temp_dir.h"

namespace sluice::daemon {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr int kFeeds = 50;
constexpr std::uint32_t kShards = 16;
constexpr auto kTtl = 2s;
constexpr auto kInterval = 1s;
const std::string kSharedLink = "https://wire.example.org/shared-story";

// Two feed names whose shards go to different instances, whether a and b or a, b and c run.
std::pair<std::string, std::string> syndicating_feeds() {
  for (int i = 0;; ++i) {
    const std::string first = "wire-" + std::to_string(i);
    const std::string second = "daily-" + std::to_string(i);
    const auto owner = [](const std::string& feed, const std::vector<std::string>& members) {
      return pipeline::ShardLeases::preferred(pipeline::shard_of(feed, kShards), members);
    };
    if (owner(first, {"a", "b"}) != owner(second, {"a", "b"}) &&
        owner(first, {"a", "b", "c"}) != owner(second, {"a", "b", "c"}))
      return {first, second};
  }
}

// The feeds, served over loopback: each gains an item every 2 seconds until frozen; every poll is
// recorded with the instance that made it (each instance has its own User-Agent).
class Feeds {
 public:
  Feeds() : syndicating_(syndicating_feeds()) {
    for (int i = 0; i < kFeeds - 2; ++i) names_.push_back("feed-" + std::to_string(i));
    names_.push_back(syndicating_.first);
    names_.push_back(syndicating_.second);
    for (const std::string& name : names_)
      server_.route("/" + name + ".xml", [this, name](const test::HttpRequest& request) {
        const std::lock_guard lock(mutex_);
        // Validators, so a poll tells whether its instance knew the document (a takeover included).
        const std::string etag = "\"" + std::to_string(count()) + (shared_ ? "s" : "") + "\"";
        const std::string validator = request.header("If-None-Match");
        polls_.push_back({name, request.header("User-Agent"), Clock::now(), !validator.empty()});
        if (validator == etag) return test::HttpReply{304, "", {{"ETag", etag}}};
        return test::HttpReply{200, document(name), {{"Content-Type", "application/rss+xml"}, {"ETag", etag}}};
      });
  }

  std::string config_feeds() const {
    std::string yaml = "feeds:\n";
    for (const std::string& name : names_) yaml += "  - name: " + name + "\n    url: " + server_.url("/" + name + ".xml") + "\n";
    return yaml;
  }

  // From now on both syndicating feeds carry the shared story.
  void share() {
    const std::lock_guard lock(mutex_);
    shared_ = true;
  }

  // Stops new items; returns every item guid there will be.
  std::set<std::string> freeze() {
    const std::lock_guard lock(mutex_);
    frozen_ = count();
    std::set<std::string> guids;
    for (const std::string& name : names_)
      for (int k = 1; k <= *frozen_; ++k) guids.insert(name + "-" + std::to_string(k));
    if (shared_) {
      guids.insert(syndicating_.first + "-shared");
      guids.insert(syndicating_.second + "-shared");
    }
    return guids;
  }

  struct Poll {
    std::string feed;
    std::string agent;
    Clock::time_point at;
    bool conditional;  // sent with the validator of an earlier response
  };
  std::vector<Poll> polls() const {
    const std::lock_guard lock(mutex_);
    return polls_;
  }
  const std::vector<std::string>& names() const { return names_; }
  const std::pair<std::string, std::string>& syndicating() const { return syndicating_; }

 private:
  int count() const {
    return frozen_ ? *frozen_ : 1 + static_cast<int>((Clock::now() - started_) / 2s);
  }

  std::string document(const std::string& name) const {
    std::string items;
    for (int k = count(); k >= 1; --k) {
      const std::string id = name + "-" + std::to_string(k);
      items += "<item><title>Story " + id + "</title><link>https://" + name + ".example.org/" + std::to_string(k) +
               "</link><guid isPermaLink=\"false\">" + id + "</guid><description>Report " + id +
               ".</description></item>";
    }
    if (shared_ && (name == syndicating_.first || name == syndicating_.second))
      items += "<item><title>The shared story</title><link>" + kSharedLink + "</link><guid isPermaLink=\"false\">" +
               name + "-shared</guid><description>Syndicated everywhere.</description></item>";
    return R"(<?xml version="1.0"?><rss version="2.0"><channel><title>)" + name + "</title>" + items +
           "</channel></rss>";
  }

  std::pair<std::string, std::string> syndicating_;
  std::vector<std::string> names_;
  test::HttpServer server_;
  const Clock::time_point started_ = Clock::now();
  mutable std::mutex mutex_;
  std::optional<int> frozen_;
  bool shared_ = false;
  std::vector<Poll> polls_;
};

// Who polled each feed in [from, to).
std::map<std::string, std::set<std::string>> pollers(const std::vector<Feeds::Poll>& polls, Clock::time_point from,
                                                     Clock::time_point to) {
  std::map<std::string, std::set<std::string>> by_feed;
  for (const auto& poll : polls)
    if (poll.at >= from && poll.at < to) by_feed[poll.feed].insert(poll.agent);
  return by_feed;
}

// Over a quiet window, every feed is polled, by one instance only, no more often than its
// interval. A hand-over still under way when a window starts (on a loaded machine) is waited out:
// up to five windows are tried, and the faults of the last one are reported. Returns how many
// feeds each instance polled in the window that passed.
std::map<std::string, int> expect_split(const Feeds& feeds, std::chrono::milliseconds window) {
  std::vector<std::string> faults;
  std::map<std::string, int> share;
  for (int attempt = 0; attempt < 5; ++attempt) {
    faults.clear();
    share.clear();
    const auto from = Clock::now();
    std::this_thread::sleep_for(window);
    const auto polls = feeds.polls();
    const auto by_feed = pollers(polls, from, Clock::now());
    for (const std::string& name : feeds.names()) {
      const auto found = by_feed.find(name);
      if (found == by_feed.end()) {
        faults.push_back(name + " not polled in the window");
        continue;
      }
      if (found->second.size() != 1)
        faults.push_back(name + " polled by " + std::to_string(found->second.size()) + " instances");
      ++share[*found->second.begin()];
      const auto times = std::ranges::count_if(polls, [&](const auto& poll) { return poll.feed == name && poll.at >= from; });
      if (times > window / kInterval + 2) faults.push_back(name + " polled more often than its interval");
    }
    if (faults.empty()) return share;
  }
  for (const std::string& fault : faults) ADD_FAILURE() << fault;
  return share;
}

struct Instance {
  std::string name;
  std::unique_ptr<test::SluiceDaemon> daemon;
};

TEST(ClusterEndToEnd, InstancesSplitFeedsTakeOverFromAKilledOneAndPublishEveryItemOnce) {
  test::NatsServer nats;
  Feeds feeds;
  const test::TempDir dir;
  std::map<std::string, Instance> instances;
  for (const std::string name : {"a", "b", "c"}) {
    std::filesystem::create_directories(dir.path() / name);
    instances[name] = {name, std::make_unique<test::SluiceDaemon>(
                                 dir.path() / name,
                                 "user_agent: sluice-test/" + name + "\ncluster:\n  nats: " + nats.url() +
                                     "\n  instance: " + name + "\n  shards: " + std::to_string(kShards) +
                                     "\n  lease_ttl: 2s\ndefaults:\n  interval: 1s\n  min_interval: 1s\n" +
                                     feeds.config_feeds())};
  }
  auto& a = *instances["a"].daemon;
  auto& b = *instances["b"].daemon;
  auto& c = *instances["c"].daemon;

  // Two instances.
  ASSERT_TRUE(a.start()) << a.log();
  ASSERT_TRUE(b.start()) << b.log();
  std::this_thread::sleep_for(kTtl + 1s);  // settled: every shard held by the one that ranks first
  auto share = expect_split(feeds, 3s);
  EXPECT_GT(share["sluice-test/a"], 5);
  EXPECT_GT(share["sluice-test/b"], 5);
  // One story in two feeds that different instances poll goes out once, cluster-wide.
  feeds.share();
  ASSERT_TRUE(test::wait_until(
      [&] { return test::count_of(a.log() + b.log(), "in the cluster feed=") == 1; }, 10s));

  // A third joins: the others hand its share over.
  ASSERT_TRUE(c.start()) << c.log();
  ASSERT_TRUE(c.wait_for_log("shards changed instance=c", 1, 20s)) << c.log();
  std::this_thread::sleep_for(kTtl + 1s);
  share = expect_split(feeds, 3s);
  EXPECT_GT(share["sluice-test/a"], 3);
  EXPECT_GT(share["sluice-test/b"], 3);
  EXPECT_GT(share["sluice-test/c"], 3);
  const auto syndicated = pollers(feeds.polls(), Clock::now() - 2s, Clock::now());
  EXPECT_NE(syndicated.at(feeds.syndicating().first), syndicated.at(feeds.syndicating().second))
      << "the syndicated story's two feeds are on different instances";

  // c is killed: its feeds resume on a and b within the lease TTL and one interval.
  std::set<std::string> of_c;
  for (const auto& [feed, agents] : pollers(feeds.polls(), Clock::now() - 2s, Clock::now()))
    if (agents.contains("sluice-test/c")) of_c.insert(feed);
  ASSERT_FALSE(of_c.empty());
  const auto killed = Clock::now();
  c.signal(SIGKILL);
  ASSERT_TRUE(test::wait_until(
      [&] {
        const auto after = pollers(feeds.polls(), killed, Clock::now());
        return std::ranges::all_of(of_c, [&](const std::string& feed) { return after.contains(feed); });
      },
      20s));
  std::chrono::milliseconds slowest{0};
  std::size_t unconditional = 0;
  for (const std::string& feed : of_c)
    for (const auto& poll : feeds.polls())
      if (poll.feed == feed && poll.at >= killed) {
        EXPECT_NE(poll.agent, "sluice-test/c");
        slowest = std::max(slowest, std::chrono::duration_cast<std::chrono::milliseconds>(poll.at - killed));
        // Conditional: the new owner has validators (c's shared ones; the journal check below is
        // what shows the seen entries travelled too).
        unconditional += !poll.conditional;
        break;
      }
  std::printf("failover: %zu feeds of the killed instance polled again after %lld ms at most (TTL %lld ms, interval "
              "%lld ms); %zu of those first polls went without validators\n",
              of_c.size(), static_cast<long long>(slowest.count()),
              static_cast<long long>(std::chrono::milliseconds(kTtl).count()),
              static_cast<long long>(std::chrono::milliseconds(kInterval).count()), unconditional);
  EXPECT_EQ(unconditional, 0U);
  EXPECT_LE(slowest, kTtl + kInterval + 2s);
  expect_split(feeds, 3s);

  // c comes back and takes its share again.
  ASSERT_TRUE(c.start()) << c.log();
  ASSERT_TRUE(c.wait_for_log("shards changed instance=c", 1, 20s)) << c.log();
  std::this_thread::sleep_for(kTtl + 1s);
  share = expect_split(feeds, 3s);
  EXPECT_GT(share["sluice-test/c"], 3);

  // No new items: once the stream holds them all, every item is there exactly once.
  const std::set<std::string> expected = feeds.freeze();
  const auto stream_guids = [&] {
    std::multiset<std::string> guids;
    for (const auto& message : test::stream_messages(nats.url(), "sluice-articles"))
      guids.insert(nlohmann::json::parse(message.body).value("guid", ""));
    return guids;
  };
  // The second syndicating feed's copy of the shared story is dropped as told elsewhere.
  const auto complete = [&] {
    const auto guids = stream_guids();
    return std::ranges::all_of(expected, [&](const std::string& guid) {
      return guid.ends_with("-shared") || guids.contains(guid);
    });
  };
  ASSERT_TRUE(test::wait_until(complete, 30s));
  for (auto& [name, instance] : instances) EXPECT_EQ(instance.daemon->stop(SIGTERM), 0) << name;
  const auto messages = test::stream_messages(nats.url(), "sluice-articles");
  std::multiset<std::string> guids;
  std::set<std::string> message_ids;
  std::size_t shared = 0;
  for (const auto& message : messages) {
    const auto article = nlohmann::json::parse(message.body);
    guids.insert(article.value("guid", ""));
    EXPECT_TRUE(message_ids.insert(message.msg_id).second) << message.msg_id;
    EXPECT_EQ(message.subject, "sluice.article." + article["feed"]["name"].get<std::string>());
    shared += article.value("url", "") == kSharedLink;
  }
  EXPECT_EQ(shared, 1U) << "the syndicated story went out once";
  for (const std::string& guid : expected) {
    if (guid.ends_with("-shared")) continue;
    EXPECT_EQ(guids.count(guid), 1U) << guid;
  }
  EXPECT_EQ(messages.size(), expected.size() - 1) << "nothing more than the items, the shared story once";
  // The instances' own ZeroMQ streams too: each item went out of one instance's journal, once,
  // but for what c published in its last moments, before it could share its feeds' state (the new
  // owner fetches that document again): at most two items per feed of c, in c's journal and one
  // other. Without the hand-over, every item of c's feeds would go out twice.
  std::map<std::string, std::multiset<std::string>> journaled;  // guid → instances
  for (const std::string name : {"a", "b", "c"}) {
    const pipeline::Journal journal(dir.path() / name / "state" / "journal");
    journal.read(journal.first(), journal.head(), [&](const pipeline::Journal::Record& record) {
      journaled[nlohmann::json::parse(record.body).value("guid", "")].insert(name);
      return true;
    });
  }
  std::map<std::string, int> repeated;  // per feed
  for (const std::string& guid : guids) EXPECT_TRUE(journaled.contains(guid)) << guid << " in no journal";
  for (const auto& [guid, where] : journaled) {
    EXPECT_TRUE(guids.contains(guid)) << guid << " journaled but not in the stream";
    if (where.size() == 1) continue;
    const std::string feed = guid.substr(0, guid.rfind('-'));
    EXPECT_TRUE(where.size() == 2 && where.contains("c") && of_c.contains(feed))
        << guid << " went out on " << where.size() << " instances' streams";
    ++repeated[feed];
  }
  for (const auto& [feed, count] : repeated) EXPECT_LE(count, 2) << feed << ": more than c's last document repeated";
  std::printf("ZeroMQ-side repeats after the kill: %zu feeds\n", repeated.size());
  // The README's consumer reads them all, and a second run under the same durable name nothing more.
  const auto consumed = test::run_command({STREAM_CONSUMER, nats.url(), "archive", "--until-idle"}, 30s);
  EXPECT_EQ(consumed.status, 0) << consumed.err;
  EXPECT_EQ(test::json_lines(consumed.out).size(), messages.size());
  const auto again = test::run_command({STREAM_CONSUMER, nats.url(), "archive", "--until-idle"}, 30s);
  EXPECT_EQ(again.status, 0) << again.err;
  EXPECT_EQ(test::json_lines(again.out).size(), 0U);
  for (auto& [name, instance] : instances) {
    const std::string log = instance.daemon->log();
    std::printf("instance %s (last run): %zu fetches, %zu told elsewhere, %zu told here, %zu already journaled, "
                "%zu warnings\n",
                name.c_str(), test::count_of(log, "feed fetched"), test::count_of(log, "in the cluster feed="),
                test::count_of(log, "same story as seq="), test::count_of(log, "already in the journal"),
                test::count_of(log, "[warning]"));
  }
  for (const std::string name : {"a", "b"})
    EXPECT_EQ(test::count_of(instances[name].daemon->log(), "[error]"), 0U) << instances[name].daemon->log();
}

// One subscriber on `sluice proxy` gets the streams of every instance, and recovers what it missed
// while the proxy was down from each instance's own replay server.
TEST(ClusterEndToEnd, AProxyMergesTheInstancesStreamsAndTailRecoversAGapPerOrigin) {
  test::NatsServer nats;
  Feeds feeds;
  const test::TempDir dir;
  std::vector<std::unique_ptr<test::SluiceDaemon>> instances;
  for (const std::string name : {"a", "b"}) {
    std::filesystem::create_directories(dir.path() / name);
    instances.push_back(std::make_unique<test::SluiceDaemon>(
        dir.path() / name, "cluster:\n  nats: " + nats.url() + "\n  instance: " + name + "\n  shards: " +
                               std::to_string(kShards) + "\n  lease_ttl: 2s\ndefaults:\n  interval: 1s\n  min_interval: 1s\n" +
                               feeds.config_feeds()));
    ASSERT_TRUE(instances.back()->start()) << instances.back()->log();
  }
  const auto start_proxy = [&](const std::string& bind, int run) {
    return std::make_unique<test::Process>(
        std::vector<std::string>{SLUICE_BINARY, "proxy", "-b", bind, "-u", instances[0]->endpoint(), "-u",
                                 instances[1]->endpoint()},
        dir.path() / "proxy.out", dir.path() / ("proxy-" + std::to_string(run) + ".err"));
  };
  auto proxy = start_proxy("tcp://127.0.0.1:*", 1);
  std::string endpoint;
  ASSERT_TRUE(test::wait_until(
      [&] {
        const std::string log = test::read_file(dir.path() / "proxy-1.err");
        std::smatch match;
        if (!std::regex_search(log, match, std::regex("proxy started endpoint=(tcp://[0-9.]+:[0-9]+)"))) return false;
        endpoint = match[1].str();
        return true;
      },
      10s));
  // Started late, from seq 1 of every origin: the replays bring what came before.
  std::this_thread::sleep_for(3s);
  test::Process tail({SLUICE_BINARY, "tail", "-e", endpoint, "--from", "1"}, dir.path() / "tail.out",
                     dir.path() / "tail.err");
  std::this_thread::sleep_for(4s);
  // The proxy goes away for a while: both streams go on without this subscriber.
  proxy->send_signal(SIGTERM);
  ASSERT_EQ(proxy->wait_for(10s), 0);
  std::this_thread::sleep_for(5s);
  proxy = start_proxy(endpoint, 2);
  std::this_thread::sleep_for(4s);
  const std::set<std::string> expected = feeds.freeze();
  const auto printed = [&] { return test::json_lines(test::read_file(dir.path() / "tail.out")); };
  const auto has_all = [&] {
    std::set<std::string> guids;
    for (const auto& article : printed()) guids.insert(article.value("guid", ""));
    return std::ranges::all_of(expected, [&](const std::string& guid) { return guids.contains(guid); });
  };
  ASSERT_TRUE(test::wait_until(has_all, 30s))
      << "printed " << printed().size() << " of " << expected.size() << "; tail: " << test::read_file(dir.path() / "tail.err")
      << "; proxy: " << test::read_file(dir.path() / "proxy-1.err") << test::read_file(dir.path() / "proxy-2.err");
  tail.send_signal(SIGTERM);
  EXPECT_EQ(tail.wait_for(10s), 0);
  std::multiset<std::string> guids;
  for (const auto& article : printed()) guids.insert(article.value("guid", ""));
  for (const std::string& guid : expected) EXPECT_EQ(guids.count(guid), 1U) << guid;
  const std::string errors = test::read_file(dir.path() / "tail.err");
  EXPECT_EQ(errors.find("missed seq"), std::string::npos) << errors;
  for (auto& instance : instances) EXPECT_EQ(instance->stop(SIGTERM), 0);
}

}  // namespace
}  // namespace sluice::daemon
