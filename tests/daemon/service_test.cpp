// The real daemon under a stand-in for systemd: a datagram socket at NOTIFY_SOCKET receives what
// sd_notify sends (READY=1, WATCHDOG=1, STATUS=, RELOADING=1, STOPPING=1); SIGHUP reloads the
// configuration, and a broken one leaves the running configuration polling.
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
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

TEST(Service, TellsSystemdItsStateAndReloadsOnSighup) {
  const test::TempDir dir;
  test::HttpServer server;
  server.route("/feed.xml", [](const test::HttpRequest&) {
    return test::HttpReply{200, R"(<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>)", {}};
  });
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

}  // namespace
}  // namespace sluice::daemon
