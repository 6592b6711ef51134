#include "pipeline/clean/story_sketch.h"

#include <gtest/gtest.h>

#include <random>

namespace sluice::pipeline {
namespace {

std::vector<std::string> words_of(std::uint64_t seed, int count) {
  std::mt19937_64 random(seed);
  std::vector<std::string> words;
  for (int i = 0; i < count; ++i) words.push_back("w" + std::to_string(random() % 50'000));
  return words;
}

std::string join(const std::vector<std::string>& words, std::size_t from, std::size_t to) {
  std::string text;
  for (std::size_t i = from; i < to; ++i) (text += words[i]) += ' ';
  return text;
}

TEST(StorySketch, CaseTypographyAndParagraphBreaksChangeNothing) {
  const StorySketch plain = sketch_story(std::string_view("The mayor's plan - \"a bridge\" - opens today. It was late."));
  const StorySketch rendered = sketch_story(std::vector<std::string>{
      "THE MAYOR\xE2\x80\x99S PLAN \xE2\x80\x94 \xE2\x80\x9C" "a bridge\xE2\x80\x9D \xE2\x80\x94 opens today.",
      "It was late!"});
  EXPECT_EQ(plain.bits, rendered.bits);
  EXPECT_EQ(plain.bands, rendered.bands);
  EXPECT_EQ(plain.shingles, rendered.shingles);
  EXPECT_EQ(plain.shingles, 9U) << "ten words, nine pairs";
}

TEST(StorySketch, EstimatesTheShareOfEachTextInTheOther) {
  const std::vector<std::string> words = words_of(1, 800), others = words_of(2, 400);
  const StorySketch whole = sketch_story(join(words, 0, 800));
  // Half of it, then 400 words of another: each shares 400 of its 800 pairs with the other.
  const StorySketch half = sketch_story(join(words, 0, 400) + join(others, 0, 400));
  const Overlap shared = estimate_overlap(whole.bits, whole.shingles, half.bits, half.shingles);
  EXPECT_NEAR(shared.jaccard, 1.0 / 3, 0.12);
  EXPECT_NEAR(shared.of_first, 0.5, 0.15);
  EXPECT_NEAR(shared.of_second, 0.5, 0.15);
  // An excerpt of a quarter: all of it in the whole, a quarter of the whole in it.
  const StorySketch excerpt = sketch_story(join(words, 200, 400));
  const Overlap cut = estimate_overlap(excerpt.bits, excerpt.shingles, whole.bits, whole.shingles);
  EXPECT_GT(cut.of_first, 0.85);
  EXPECT_NEAR(cut.of_second, 0.25, 0.1);
  // Texts with nothing in common.
  const StorySketch other = sketch_story(join(others, 0, 400));
  EXPECT_LT(estimate_overlap(whole.bits, whole.shingles, other.bits, other.shingles).jaccard, 0.12);
}

TEST(StorySketch, NoWordsNoSketch) {
  const StorySketch empty = sketch_story(std::string_view(" -- ... "));
  EXPECT_TRUE(empty.empty());
  const StorySketch one = sketch_story(std::string_view("Breaking"));
  EXPECT_EQ(one.shingles, 1U);
  const Overlap none = estimate_overlap(empty.bits, empty.shingles, one.bits, one.shingles);
  EXPECT_EQ(none.jaccard, 0.0);
  EXPECT_EQ(none.of_first, 0.0);
}

}  // namespace
}  // namespace sluice::pipeline
