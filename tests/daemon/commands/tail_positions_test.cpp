#include "daemon/commands/tail_positions.h"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include "tests/support/temp_dir.h"

namespace sluice::daemon {
namespace {

TEST(TailPositions, KeepsEachOriginsPositionAcrossRuns) {
  const test::TempDir dir;
  const auto file = dir.path() / "deep" / "tail.position";
  {
    TailPositions positions(file);
    positions.read();
    EXPECT_FALSE(positions.of(""));
    positions.save("", {7, 41});
    positions.save("", {7, 42});
    positions.save("east", {9, 3});
  }
  struct stat info {};
  ASSERT_EQ(stat(file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600U);
  TailPositions again(file);
  again.read();
  ASSERT_TRUE(again.of(""));
  EXPECT_EQ(again.of("")->epoch, 7U);
  EXPECT_EQ(again.of("")->seq, 42U);
  ASSERT_TRUE(again.of("east"));
  EXPECT_EQ(again.of("east")->seq, 3U);
  EXPECT_FALSE(again.of("west"));
}

TEST(TailPositions, AFileThatIsNotPositionsIsSkippedLineByLine) {
  const test::TempDir dir;
  const auto file = dir.path() / "tail.position";
  test::write_file(file, "not a position\nwest 12 x\n00000000000000000005 00000000000000000010\n");
  TailPositions positions(file);
  positions.read();
  EXPECT_FALSE(positions.of("west"));
  ASSERT_TRUE(positions.of(""));
  EXPECT_EQ(positions.of("")->seq, 10U);
}

TEST(TailPositions, AnUnwritablePlaceIsRefusedWithItsName) {
  const test::TempDir dir;
  test::write_file(dir.path() / "file", "");
  try {
    TailPositions positions(dir.path() / "file" / "tail.position");
    FAIL() << "opened a position file under a regular file";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("file/tail.position"), std::string::npos) << e.what();
  }
}

TEST(TailPositions, TheDefaultFileIsUnderTheStateHomeNamedForTheTopic) {
  setenv("XDG_STATE_HOME", "/var/lib/someone", 1);
  EXPECT_EQ(TailPositions::default_file("article.bbc/world."), "/var/lib/someone/sluice/tail-article.bbc_world.position");
  unsetenv("XDG_STATE_HOME");
}

}  // namespace
}  // namespace sluice::daemon
