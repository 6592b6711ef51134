#include <gtest/gtest.h>

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace sluice::daemon {
namespace {

TEST(Cli, PrintsVersion) {
  const auto result = test::run_command({SLUICE_BINARY, "--version"});
  EXPECT_EQ(result.status, 0);
  EXPECT_EQ(result.out, "sluice " SLUICE_VERSION "\n");
}

TEST(Cli, EverySubcommandHasHelp) {
  for (const char* command : {"run", "tail", "check-config"}) {
    const auto result = test::run_command({SLUICE_BINARY, command, "--help"});
    EXPECT_EQ(result.status, 0) << command;
    EXPECT_NE(result.out.find("Usage:"), std::string::npos) << command;
  }
}

TEST(Cli, UsageErrorsExitWithTwo) {
  EXPECT_EQ(test::run_command({SLUICE_BINARY}).status, 2);
  EXPECT_EQ(test::run_command({SLUICE_BINARY, "run"}).status, 2) << "-c is required";
  EXPECT_EQ(test::run_command({SLUICE_BINARY, "frobnicate"}).status, 2);
}

TEST(Cli, CheckConfigAcceptsAValidFile) {
  const auto result = test::run_command({SLUICE_BINARY, "check-config", SLUICE_SOURCE_DIR "/config/demo.yaml"});
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(result.out, SLUICE_SOURCE_DIR "/config/demo.yaml: valid, 3 feeds\n");
}

TEST(Cli, CheckConfigNamesLineColumnAndKey) {
  const test::TempDir dir;
  const auto file = (dir.path() / "bad.yaml").string();
  test::write_file(file, "feeds:\n  - name: world\n    url: https://example.org/rss.xml\n    intreval: 5m\n");
  const auto result = test::run_command({SLUICE_BINARY, "check-config", file});
  EXPECT_EQ(result.status, 2);
  EXPECT_EQ(result.err, "sluice: " + file + ":4:5: feeds[0].intreval: unknown key (did you mean 'interval'?)\n");
  EXPECT_EQ(result.out, "");
}

TEST(Cli, RunRefusesAnInvalidConfig) {
  const test::TempDir dir;
  const auto file = (dir.path() / "bad.yaml").string();
  test::write_file(file, "feeds:\n  - name: a\n    url: https://a.example/\n  - name: a\n    url: https://b.example/\n");
  const auto result = test::run_command({SLUICE_BINARY, "run", "-c", file});
  EXPECT_EQ(result.status, 2);
  EXPECT_EQ(result.err, "sluice: " + file + ":4:11: feeds[1].name: duplicate feed name 'a'\n");
}

}  // namespace
}  // namespace sluice::daemon
