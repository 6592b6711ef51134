#include "pipeline/deliver/story_index.h"

#include <gtest/gtest.h>

#include <random>

namespace sluice::pipeline {
namespace {

TEST(StoryIndex, SameCanonicalUrlInAnotherFeedIsTheSameStory) {
  StoryIndex index;
  index.add(7, "world", std::string("https://news.example.org/a"), 0x1234, 10);
  EXPECT_EQ(index.find("americas", std::string("https://news.example.org/a"), 0xFFFF0000FFFF0000ULL, 5), 7U);
  EXPECT_FALSE(index.find("americas", std::string("https://news.example.org/b"), 0xFFFF0000FFFF0000ULL, 5));
  EXPECT_FALSE(index.find("americas", std::nullopt, 0xFFFF0000FFFF0000ULL, 5));
}

TEST(StoryIndex, HomePagesAndOneFeedsOwnLinksAreNoIdentity) {
  StoryIndex index;
  // A podcast whose episodes all link to the show's page keeps every episode.
  index.add(1, "show", std::string("https://podcast.example.org/show"), 0x1, 10);
  EXPECT_FALSE(index.find("show", std::string("https://podcast.example.org/show"), 0x2, 10));
  // Every item of some feeds links to the home page.
  index.add(2, "status", std::string("https://status.example.org/"), 0x3, 10);
  EXPECT_FALSE(index.find("other", std::string("https://status.example.org/"), 0x4, 10));
  EXPECT_FALSE(index.find("other", std::string("https://status.example.org/?ref=rss"), 0x4, 10));
}

TEST(StoryIndex, NearFingerprintsOfSubstantialBodiesMatch) {
  StoryIndex index;
  const std::uint64_t story = 0x0123456789ABCDEFULL;
  index.add(3, "a", std::nullopt, story, 400);
  // Three bits apart, one in each of three blocks: found through the fourth.
  EXPECT_EQ(index.find("b", std::nullopt, story ^ 0x0001000100010000ULL, 400), 3U);
  EXPECT_EQ(index.find("b", std::nullopt, story ^ 0x7ULL, 400), 3U);
  EXPECT_FALSE(index.find("b", std::nullopt, story ^ 0xFULL, 400)) << "four bits apart is another story";
  EXPECT_FALSE(index.find("b", std::nullopt, story, 20)) << "a short body's fingerprint says too little";
}

TEST(StoryIndex, ShortBodiesAreKnownByUrlOnly) {
  StoryIndex index;
  index.add(1, "a", std::nullopt, 0xABCDULL, 12);
  EXPECT_FALSE(index.find("b", std::nullopt, 0xABCDULL, 400));
  EXPECT_EQ(index.size(), 1U);
}

TEST(StoryIndex, ManyStoriesStayDistinct) {
  StoryIndex index;
  std::mt19937_64 random(42);
  std::vector<std::uint64_t> fingerprints;
  for (std::uint64_t seq = 1; seq <= 100'000; ++seq) {
    fingerprints.push_back(random());
    index.add(seq, "a", std::nullopt, fingerprints.back(), 300);
  }
  EXPECT_EQ(index.find("b", std::nullopt, fingerprints[4'242] ^ 0x100ULL, 300), 4'243U);
  int false_matches = 0;
  for (int i = 0; i < 1000; ++i) false_matches += index.find("b", std::nullopt, random(), 300).has_value();
  EXPECT_EQ(false_matches, 0) << "random fingerprints are far apart";
}

}  // namespace
}  // namespace sluice::pipeline
