// The real daemon under a stand-in for systemd: a datagram socket at NOTIFY_SOCKET receives what
// sd_notify sends (READY=1, WATCHDOG=1, STATUS=, RELOADING=1, STOPPING=1); SIGHUP reloads the
// configuration, and a broken one leaves the running configuration polling.
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <httplib.h>

#include <cstdlib>
#include <map>
#include <regex>
#include <sstream>
#include <vector>

#include "tests/support/http_server.h"
#include "tests/support/sluice_daemon.h"
#include "tests/support/temp_dir.h"

namespace sluice::daemon {
namespace {

using namespace std::chrono_literals;

// A datagram socket standing in for systemd's notification socket.
class NotifySocket {
 public:
  explicit NotifySocket(const std::filesystem::path& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::snprintf(address.sun_path, sizeof address.sun_path, "%s", path.c_str());
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0) << path;
    timeval timeout{0, 100'000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  }
  ~NotifySocket() { ::close(fd_); }

  // Waits for a message holding `line` (a whole line, e.g. "READY=1"); every message read on the
  // way is kept in messages().
  bool wait_for(const std::string& line, std::chrono::milliseconds timeout = 15s) {
    return test::wait_until([&] {
      drain();
      for (std::size_t i = checked_; i < messages_.size(); ++i)
        if (("\n" + messages_[i] + "\n").find("\n" + line + "\n") != std::string::npos) {
          checked_ = i + 1;
          return true;
        }
      return false;
    }, timeout);
  }
  const std::vector<std::string>& messages() const { return messages_; }

 private:
  void drain() {
    char buffer[4096];
    for (ssize_t got; (got = ::recv(fd_, buffer, sizeof buffer, 0)) > 0;) messages_.emplace_back(buffer, static_cast<std::size_t>(got));
  }

  std::filesystem::path path_;
  int fd_ = -1;
  std::vector<std::string> messages_;
  std::size_t checked_ = 0;
};

// Sets an environment variable for the daemons this test starts, and unsets it afterwards.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) { ::setenv(name, value.c_str(), 1); }
  ~ScopedEnv() { ::unsetenv(name_); }

 private:
  const char* name_;
};

std::string feed_yaml(const test::HttpServer& server, const std::vector<std::string>& names) {
  std::string yaml = "defaults: { interval: 1s, min_interval: 1s }\nfeeds:\n";
  for (const std::string& name : names) yaml += "  - name: " + name + "\n    url: " + server.url("/feed.xml") + "\n";
  return yaml;
}

// /feed.xml: a channel without items.
void serve_empty_feed(test::HttpServer& server) {
  server.route("/feed.xml", [](const test::HttpRequest&) {
    return test::HttpReply{200, R"(<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>)", {}};
  });
}

TEST(Service, TellsSystemdItsStateAndReloadsOnSighup) {
  const test::TempDir dir;
  test::HttpServer server;
  serve_empty_feed(server);
  NotifySocket notify(dir.path() / "notify.sock");
  const ScopedEnv socket("NOTIFY_SOCKET", (dir.path() / "notify.sock").string());
  const ScopedEnv watchdog("WATCHDOG_USEC", "400000");  // a ping every 200 ms
  test::SluiceDaemon daemon(dir.path(), feed_yaml(server, {"first"}));
  ASSERT_TRUE(daemon.start()) << daemon.log();

  ASSERT_TRUE(notify.wait_for("READY=1")) << daemon.log();
  EXPECT_TRUE(notify.wait_for("WATCHDOG=1"));
  ASSERT_TRUE(notify.wait_for("WATCHDOG=1")) << "pinged again and again";
  bool status = false;
  for (const std::string& message : notify.messages())
    status = status || message.find("STATUS=feeds=1 failing=0") != std::string::npos;
  EXPECT_TRUE(status) << testing::PrintToString(notify.messages());

  // A broken file: the reload is refused with the place of the error; the old feed goes on.
  const std::string good = test::read_file(daemon.config());
  test::write_file(daemon.config(), good + "  - name: Bad Name\n    url: " + server.url("/feed.xml") + "\n");
  daemon.signal(SIGHUP);
  ASSERT_TRUE(notify.wait_for("RELOADING=1"));
  ASSERT_TRUE(notify.wait_for("READY=1"));
  EXPECT_NE(daemon.log().find("reload refused: " + daemon.config().string() + ":"), std::string::npos) << daemon.log();
  const std::size_t polls = test::count_of(daemon.log(), "feed fetched feed=first");
  EXPECT_TRUE(daemon.wait_for_log("feed fetched feed=first", polls + 1)) << "still polling\n" << daemon.log();

  // A valid file that `run` could not start with (an unset ${VARIABLE} in state_dir): refused as
  // check-config refuses it, before the running configuration is let go of.
  test::write_file(daemon.config(), "state_dir: ${SLUICE_TEST_NEVER_SET}/state\n" + good.substr(good.find('\n') + 1));
  daemon.signal(SIGHUP);
  ASSERT_TRUE(notify.wait_for("RELOADING=1"));
  ASSERT_TRUE(notify.wait_for("READY=1"));
  EXPECT_NE(daemon.log().find("reload refused: " + daemon.config().string() + ": state_dir: ${SLUICE_TEST_NEVER_SET} is not set"),
            std::string::npos)
      << daemon.log();
  test::write_file(daemon.config(), good);

  // A valid file with one more feed: applied live.
  test::write_file(daemon.config(), test::read_file(daemon.config()).substr(0, good.size()) + "  - name: second\n    url: " +
                                        server.url("/feed.xml") + "\n");
  daemon.signal(SIGHUP);
  ASSERT_TRUE(notify.wait_for("RELOADING=1"));
  ASSERT_TRUE(notify.wait_for("READY=1"));
  EXPECT_TRUE(daemon.wait_for_log("configuration reloaded")) << daemon.log();
  EXPECT_TRUE(daemon.wait_for_log("feed fetched feed=second")) << daemon.log();

  EXPECT_EQ(daemon.stop(SIGTERM), 0);
  EXPECT_TRUE(notify.wait_for("STOPPING=1"));
}

TEST(Service, SighupReadsIncludedFilesAgain) {
  const test::TempDir dir;
  test::HttpServer server;
  serve_empty_feed(server);
  NotifySocket notify(dir.path() / "notify.sock");
  const ScopedEnv socket("NOTIFY_SOCKET", (dir.path() / "notify.sock").string());
  test::SluiceDaemon daemon(dir.path(), "include: [feeds.d/*.yaml]\n" + feed_yaml(server, {"first"}));
  const auto included = daemon.config().parent_path() / "feeds.d";
  std::filesystem::create_directories(included);
  ASSERT_TRUE(daemon.start()) << daemon.log();
  ASSERT_TRUE(notify.wait_for("READY=1")) << daemon.log();
  const auto reload = [&] {
    daemon.signal(SIGHUP);
    ASSERT_TRUE(notify.wait_for("RELOADING=1"));
    ASSERT_TRUE(notify.wait_for("READY=1"));
  };

  // A file added to the directory: its feed is polled.
  const auto extra = included / "extra.yaml";
  const std::string second = "feeds:\n  - name: second\n    url: " + server.url("/feed.xml") + "\n";
  test::write_file(extra, second);
  reload();
  EXPECT_TRUE(daemon.wait_for_log("configuration reloaded config=" + daemon.config().string() + " feeds=2")) << daemon.log();
  EXPECT_TRUE(daemon.wait_for_log("feed fetched feed=second")) << daemon.log();

  // The file broken: the reload is refused at its place, and both feeds go on.
  test::write_file(extra, second + "  - name: first\n    url: " + server.url("/feed.xml") + "\n");
  reload();
  EXPECT_TRUE(daemon.wait_for_log("reload refused: " + extra.string() + ":4:")) << daemon.log();
  EXPECT_NE(daemon.log().find("duplicate feed name 'first' (first defined at " + daemon.config().string()), std::string::npos)
      << daemon.log();
  const std::size_t polls = test::count_of(daemon.log(), "feed fetched feed=second");
  EXPECT_TRUE(daemon.wait_for_log("feed fetched feed=second", polls + 1)) << "still polling\n" << daemon.log();

  // The file removed: back to the main file's feed.
  std::filesystem::remove(extra);
  reload();
  EXPECT_TRUE(daemon.wait_for_log("configuration reloaded config=" + daemon.config().string() + " feeds=1")) << daemon.log();
  EXPECT_EQ(daemon.stop(SIGTERM), 0);
}

// Each sample of a Prometheus text exposition, by its name with labels; an unparsable line fails.
std::map<std::string, double> parse_exposition(const std::string& text) {
  std::map<std::string, double> samples;
  const std::regex line_form(R"(^([a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})?) (-?[0-9.e+-]+|\+Inf|NaN)$)");
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) continue;
    std::smatch match;
    if (!std::regex_match(line, match, line_form)) {
      ADD_FAILURE() << "not in the exposition format: " << line;
      continue;
    }
    samples[match[1]] = std::stod(match[4]);
  }
  return samples;
}

TEST(Service, ServesPrometheusMetricsAndHealth) {
  const test::TempDir dir;
  test::HttpServer server;
  server.route("/feed.xml", [](const test::HttpRequest&) {
    return test::HttpReply{200, R"(<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
      <item><title>One</title><guid>1</guid><description>First story.</description></item>
      <item><title>Two</title><guid>2</guid><description>Second story.</description></item></channel></rss>)", {}};
  });
  test::SluiceDaemon daemon(dir.path(), "metrics: { listen: \"127.0.0.1:0\" }\n" + feed_yaml(server, {"first"}));
  ASSERT_TRUE(daemon.start()) << daemon.log();
  std::smatch match;
  const std::string log = daemon.log();
  ASSERT_TRUE(std::regex_search(log, match, std::regex("metrics served listen=\\S+ port=([0-9]+)"))) << log;
  httplib::Client client("127.0.0.1", std::stoi(match[1]));
  ASSERT_TRUE(daemon.wait_for_log("feed parsed feed=first")) << log;

  std::map<std::string, double> samples;
  ASSERT_TRUE(test::wait_until([&] {
    const auto response = client.Get("/metrics");
    if (!response || response->status != 200) return false;
    EXPECT_NE(response->get_header_value("Content-Type").find("text/plain; version=0.0.4"), std::string::npos);
    samples = parse_exposition(response->body);
    return samples["sluice_articles_published_total"] >= 2;
  }, 15s)) << daemon.log();
  EXPECT_GE(samples["sluice_fetches_total{result=\"fetched\"}"], 1);
  EXPECT_GE(samples["sluice_fetch_responses_total{status=\"200\"}"], 1);
  EXPECT_GE(samples["sluice_fetch_duration_seconds_count"], 1);
  EXPECT_EQ(samples["sluice_fetch_duration_seconds_bucket{le=\"+Inf\"}"], samples["sluice_fetch_duration_seconds_count"]);
  EXPECT_GT(samples["sluice_fetched_bytes_total"], 100);
  EXPECT_GT(samples["sluice_feed_last_success_timestamp_seconds{feed=\"first\"}"], 1.7e9);
  EXPECT_GT(samples["sluice_feed_next_poll_timestamp_seconds{feed=\"first\"}"], 1.7e9);
  EXPECT_GE(samples["sluice_entries_parsed_total"], 2);
  EXPECT_EQ(samples["sluice_articles_cleaned_total"], 2);
  EXPECT_EQ(samples["sluice_journal_head_seq"], 2);
  EXPECT_GT(samples["sluice_journal_bytes"], 0);
  EXPECT_EQ(samples["sluice_up"], 1);
  EXPECT_EQ(samples["sluice_ready"], 1);
  // The endpoints as bound: the configuration's "tcp://127.0.0.1:*" with the port sluice took.
  EXPECT_EQ(samples["sluice_info{version=\"" SLUICE_VERSION "\",endpoint=\"" + daemon.endpoint() +
                    "\",replay_endpoint=\"" + daemon.replay_endpoint() + "\"}"],
            1);
  EXPECT_TRUE(samples.contains("sluice_subscribers"));
  EXPECT_TRUE(samples.contains("sluice_replay_requests_total"));
  EXPECT_TRUE(samples.contains("sluice_queue_depth{queue=\"documents\"}"));

  const auto health = client.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  const auto ready = client.Get("/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200);
  EXPECT_EQ(daemon.stop(SIGTERM), 0);
}

}  // namespace
}  // namespace sluice::daemon
