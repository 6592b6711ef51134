#include "pipeline/story_index.h"

#include <gtest/gtest.h>

#include <random>

namespace sluice::pipeline {
namespace {

TEST(StoryIndex, SameCanonicalUrlIsTheSameStory) {
  StoryIndex index;
  index.add(7, std::string("https://news.example.org/a"), 0x1234, 10);
  EXPECT_EQ(index.find(std::string("https://news.example.org/a"), 0xFFFF0000FFFF0000ULL, 5), 7U);
  EXPECT_FALSE(index.find(std::string("https://news.example.org/b"), 0xFFFF0000FFFF0000ULL, 5));
  EXPECT_FALSE(index.find(std::nullopt, 0xFFFF0000FFFF0000ULL, 5));
}

TEST(StoryIndex, NearFingerprintsOfSubstantialBodiesMatch) {
  StoryIndex index;
  const std::uint64_t story = 0x0123456789ABCDEFULL;
  index.add(3, std::nullopt, story, 400);
  // Three bits apart, one in each of three blocks: found through the fourth.
  EXPECT_EQ(index.find(std::nullopt, story ^ 0x0001000100010000ULL, 400), 3U);
  EXPECT_EQ(index.find(std::nullopt, story ^ 0x7ULL, 400), 3U);
  EXPECT_FALSE(index.find(std::nullopt, story ^ 0xFULL, 400)) << "four bits apart is another story";
  EXPECT_FALSE(index.find(std::nullopt, story, 20)) << "a short body's fingerprint says too little";
}

TEST(StoryIndex, ShortBodiesAreKnownByUrlOnly) {
  StoryIndex index;
  index.add(1, std::nullopt, 0xABCDULL, 12);
  EXPECT_FALSE(index.find(std::nullopt, 0xABCDULL, 400));
  EXPECT_EQ(index.size(), 1U);
}

TEST(StoryIndex, ManyStoriesStayDistinct) {
  StoryIndex index;
  std::mt19937_64 random(42);
  std::vector<std::uint64_t> fingerprints;
  for (std::uint64_t seq = 1; seq <= 100'000; ++seq) {
    fingerprints.push_back(random());
    index.add(seq, std::nullopt, fingerprints.back(), 300);
  }
  EXPECT_EQ(index.find(std::nullopt, fingerprints[4'242] ^ 0x100ULL, 300), 4'243U);
  int false_matches = 0;
  for (int i = 0; i < 1000; ++i) false_matches += index.find(std::nullopt, random(), 300).has_value();
  EXPECT_EQ(false_matches, 0) << "random fingerprints are far apart";
}

}  // namespace
}  // namespace sluice::pipeline
