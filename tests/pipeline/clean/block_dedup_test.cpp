#include "pipeline/clean/block_dedup.h"

#include <gtest/gtest.h>

namespace sluice::pipeline {
namespace {

Block block(std::string text) {
  Block out;
  out.text = std::move(text);
  out.html = out.text;
  out.chars = static_cast<int>(out.text.size());
  return out;
}

std::vector<std::string> texts(const std::vector<Block>& blocks) {
  std::vector<std::string> out;
  for (const Block& b : blocks) out.push_back(b.text);
  return out;
}

const std::string kParagraph =
    "The council voted on Tuesday to extend the night bus service until the end of the year, "
    "citing strong demand from shift workers.";

TEST(BlockDedup, ExactRepeatKeepsTheFirst) {
  std::vector<Block> blocks = {block(kParagraph), block("Another paragraph with enough words to count as one."),
                               block(kParagraph)};
  remove_repeated_blocks(blocks);
  EXPECT_EQ(texts(blocks), (std::vector<std::string>{kParagraph, "Another paragraph with enough words to count as one."}));
}

TEST(BlockDedup, NearRepeatsAreRepeats) {
  // Typography, case, white space and trailing punctuation differ; the words do not.
  const std::vector<std::string> variants = {
      "THE COUNCIL VOTED ON TUESDAY TO EXTEND THE NIGHT BUS SERVICE UNTIL THE END OF THE YEAR, CITING STRONG DEMAND "
      "FROM SHIFT WORKERS",
      "The  council voted on Tuesday to extend the night bus service until the end of the year \xE2\x80\x94 citing "
      "strong demand from shift workers\xE2\x80\xA6",
      "The council voted on Tuesday to extend the \xE2\x80\x9Cnight bus\xE2\x80\x9D service until the end of the "
      "year, citing strong demand from shift workers!"};
  for (const std::string& variant : variants) {
    std::vector<Block> blocks = {block(kParagraph), block(variant)};
    remove_repeated_blocks(blocks);
    EXPECT_EQ(blocks.size(), 1U) << variant;
  }
}

TEST(BlockDedup, ARepeatSplitAcrossTwoBlocksIsFound) {
  const std::string first = "Storms closed the coast road for a second day, and crews worked through the night.";
  const std::string second = "Officials said the road should reopen by Friday if the weather allows it to.";
  std::vector<Block> blocks = {block(first), block(second), block(first + " " + second)};
  remove_repeated_blocks(blocks);
  EXPECT_EQ(texts(blocks), (std::vector<std::string>{first, second}));
}

TEST(BlockDedup, ShortLabelsMayRepeat) {
  std::vector<Block> blocks = {block("Q:"), block(kParagraph), block("Q:"), block("Answer"), block("Answer")};
  remove_repeated_blocks(blocks);
  EXPECT_EQ(blocks.size(), 5U);
}

TEST(BlockDedup, DifferentParagraphsOnOneTopicStay) {
  std::vector<Block> blocks = {
      block("The council voted on Tuesday to extend the night bus service until the end of the year."),
      block("The council will vote next month on whether to extend the tram service into the new year."),
      block("Shift workers said the night bus had changed how they get to work and back home safely.")};
  remove_repeated_blocks(blocks);
  EXPECT_EQ(blocks.size(), 3U);
}

TEST(BlockDedup, TitleRepeatsGoWithTheTeaserBeforeThem) {
  std::vector<Block> blocks = {block("A teaser that sums up the story before its headline is shown."),
                               block("Night buses run until December"), block("night buses run until December."),
                               block(kParagraph)};
  const std::vector<Block> lead = remove_title_blocks(blocks, "Night Buses Run Until December");
  EXPECT_EQ(texts(blocks), (std::vector<std::string>{kParagraph}));
  ASSERT_EQ(lead.size(), 1U);
  EXPECT_EQ(lead[0].text, "A teaser that sums up the story before its headline is shown.");
}

TEST(BlockDedup, TitleDeepInTheBodyLeavesWhatComesBefore) {
  std::vector<Block> blocks = {block(kParagraph), block(kParagraph + " Again, with more."), block("Night buses")};
  const std::vector<Block> lead = remove_title_blocks(blocks, "Night buses");
  EXPECT_TRUE(lead.empty());
  EXPECT_EQ(blocks.size(), 2U);
}

TEST(BlockDedup, SimilarityIsSymmetricAndBounded) {
  EXPECT_DOUBLE_EQ(text_similarity(kParagraph, kParagraph), 1.0);
  EXPECT_DOUBLE_EQ(text_similarity("alpha beta gamma delta", "epsilon zeta eta theta"), 0.0);
  EXPECT_DOUBLE_EQ(text_similarity("one two three four", "two three four five"),
                   text_similarity("two three four five", "one two three four"));
}

}  // namespace
}  // namespace sluice::pipeline
