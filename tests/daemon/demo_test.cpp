// The bundled demo: scripts/demo refuses to start halfway, and its feed server keeps the stream
// going, a syndicated copy and an edit among the new stories, which the real sluice publishes once
// and as revision 2.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "tests/support/process.h"
#include "tests/support/sluice_daemon.h"
#include "tests/support/temp_dir.h"

namespace sluice::daemon {
namespace {

using namespace std::chrono_literals;

TEST(Demo, SaysWhichPortIsTakenInsteadOfStartingHalfway) {
  const int holder = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(holder, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(5557);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // Taken by this test, or by something else already: either way the demo must say so.
  if (::bind(holder, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) ::listen(holder, 1);
  const auto result = test::run_command({"/bin/sh", SLUICE_SOURCE_DIR "/scripts/demo", "--no-build"});
  ::close(holder);
  EXPECT_EQ(result.status, 1) << result.err;
  EXPECT_NE(result.err.find("port 5557 on 127.0.0.1 is in use"), std::string::npos) << result.err;
  EXPECT_EQ(result.err.find("sluice is running"), std::string::npos) << result.err;
}

std::vector<nlohmann::json> articles_in(const std::string& text) {
  std::vector<nlohmann::json> articles;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);)
    if (!line.empty()) articles.push_back(nlohmann::json::parse(line));
  return articles;
}

// The demo's feed server at one story a second, its two RSS feeds polled by the real sluice.
TEST(Demo, KeepsProducingStoriesWithARepeatAndAnEdit) {
  const test::TempDir dir;
  test::Process feeds({"/usr/bin/python3", SLUICE_SOURCE_DIR "/scripts/demo-feeds.py", "--port", "0", "--delay", "0",
                       "--step", "1"},
                      dir.path() / "feeds.out", dir.path() / "feeds.err");
  std::smatch match;
  std::string said;
  ASSERT_TRUE(test::wait_until(
      [&] {
        said = test::read_file(dir.path() / "feeds.err");
        return std::regex_search(said, match, std::regex("http://127\\.0\\.0\\.1:([0-9]+)/"));
      },
      15s))
      << said;
  const std::string base = "http://127.0.0.1:" + match[1].str() + "/";
  test::SluiceDaemon daemon(dir.path(), "defaults: { interval: 1s, min_interval: 1s, max_interval: 30s, min_revision_interval: 1s }\n"
                                        "feeds:\n"
                                        "  - name: meridian-world\n    url: " + base + "meridian-world.xml\n"
                                        "  - name: harbour-gazette\n    url: " + base + "harbour-gazette.xml\n");
  ASSERT_TRUE(daemon.start()) << daemon.log();
  test::Process tail({SLUICE_BINARY, "tail", "-c", daemon.config().string(), "--from", "1"}, dir.path() / "tail.out",
                     dir.path() / "tail.err");
  // A cycle of five stories after the three bundled items: three new ones, a repeat and an edit.
  const auto revised = [&] {
    std::size_t edits = 0;
    for (const nlohmann::json& article : articles_in(test::read_file(dir.path() / "tail.out")))
      edits += article["revision"].get<int>() == 2;
    return edits;
  };
  ASSERT_TRUE(test::wait_until([&] { return revised() >= 1 && test::count_of(daemon.log(), "same story as") >= 1; },
                               90s))
      << test::read_file(dir.path() / "tail.out") << daemon.log();

  const std::vector<nlohmann::json> articles = articles_in(test::read_file(dir.path() / "tail.out"));
  std::map<std::string, std::set<int>> revisions;  // by article id
  std::set<std::string> urls;
  std::set<std::string> world_urls;
  for (const nlohmann::json& article : articles) {
    revisions[article["id"].get<std::string>()].insert(article["revision"].get<int>());
    if (article["revision"].get<int>() == 1) {
      // Every story once: no URL published twice (the syndicated copies link to the originals).
      EXPECT_TRUE(urls.insert(article["url"].get<std::string>()).second) << article["url"];
      if (article["feed"]["name"] == "meridian-world") world_urls.insert(article["url"].get<std::string>());
    }
  }
  // New stories beyond the three bundled ones, in both feeds.
  EXPECT_GE(articles.size(), 3U + 4U);
  EXPECT_GE(world_urls.size(), 3U);
  // Each edit is a second revision of a story published before.
  std::size_t edited = 0;
  for (const auto& [id, seen] : revisions) {
    if (!seen.contains(2)) continue;
    ++edited;
    EXPECT_TRUE(seen.contains(1)) << id;
  }
  EXPECT_GE(edited, 1U);
  const std::string log = daemon.log();
  const std::regex gazette_copy("same story as seq=[0-9]+ feed=harbour-gazette ");
  EXPECT_EQ(test::count_of(log, "same story as"),
            static_cast<std::size_t>(std::distance(std::sregex_iterator(log.begin(), log.end(), gazette_copy),
                                                   std::sregex_iterator())))
      << "only the gazette's copies are repeats\n" << log;
}

}  // namespace
}  // namespace sluice::daemon
