#include "pipeline/deliver/story_index.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <random>

#include "pipeline/clean/simhash.h"
#include "tests/support/fixtures.h"
#include "tests/support/temp_dir.h"

namespace sluice::pipeline {
namespace {

// An article as the index sees it, holding what StoryFacts refers to.
struct Story {
  std::string feed;
  std::optional<std::string> url;
  std::string title;
  std::vector<std::string> paragraphs;
  StorySketch sketch = sketch_story(paragraphs);

  StoryFacts facts() const { return {feed, url, title, sketch, count_words(paragraphs)}; }
};

std::vector<std::string> seed_paragraphs() {
  const auto expected = nlohmann::json::parse(test::read_file(test::kSeed / "expected.json"));
  return expected["paragraphs"].get<std::vector<std::string>>();
}

// Text of `words` words of its own for each seed: no two such texts share a word pair by design.
std::string own_words(std::uint64_t seed, int words) {
  std::mt19937_64 random(seed);
  std::string text;
  for (int i = 0; i < words; ++i) text += "w" + std::to_string(random() % 50'000) + (i % 12 == 11 ? ". " : " ");
  return text;
}

class SyndicatedStory : public ::testing::Test {
 protected:
  void SetUp() override { index.add(41, wire.facts()); }

  std::optional<StoryMatch> carried(std::vector<std::string> paragraphs, std::string feed = "partner") {
    const Story copy{std::move(feed), "https://partner.example/2026/12/03/copy", "Another headline", std::move(paragraphs)};
    return index.find(copy.facts());
  }

  const std::vector<std::string> body = seed_paragraphs();
  const Story wire{"wire", "https://wire.example/story/1", "The headline", body};
  StoryIndex index;
};

TEST_F(SyndicatedStory, CopiesAsSyndicationChangesThemAreFoundUnderAnyUrlAndHeadline) {
  std::vector<std::string> credited = body;
  credited.front() = "WASHINGTON (AP) - " + credited.front();
  credited.insert(credited.begin(), "By Maria Lopez, Associated Press");
  credited.push_back("Copyright 2026 The Associated Press. All rights reserved. This material may not be "
                     "published, broadcast, rewritten or redistributed.");
  const std::vector<std::string> cut(body.begin() + 1, body.end() - 1);
  std::vector<std::string> relede = body;
  relede.front() = own_words(7, 40);
  std::vector<std::string> reordered = body;
  std::swap(reordered[2], reordered[4]);
  // Copy edits: one word in twenty replaced.
  std::vector<std::string> edited;
  int n = 0;
  for (const std::string& paragraph : body) {
    std::string out;
    for (std::size_t at = 0, end; at < paragraph.size(); at = end + 1) {
      end = std::min(paragraph.find(' ', at), paragraph.size());
      out += (++n % 20 == 0 ? std::string("changed") : paragraph.substr(at, end - at)) + ' ';
    }
    edited.push_back(out);
  }
  for (const auto& copy : {credited, cut, relede, reordered, edited}) {
    const auto match = carried(copy);
    ASSERT_TRUE(match) << copy.front();
    EXPECT_EQ(match->seq, 41U);
    EXPECT_EQ(match->rule, StoryMatch::Rule::same_text);
    EXPECT_GT(match->overlap.jaccard, 0.4);
  }
}

TEST_F(SyndicatedStory, StoriesSharingAParagraphOrBackgroundStayApart) {
  // Another story quoting one paragraph of this one.
  EXPECT_FALSE(carried({own_words(1, 80), body[2], own_words(2, 120), own_words(3, 90)}));
  // A follow-up: new reporting, then two paragraphs of background from the first story.
  EXPECT_FALSE(carried({own_words(4, 70), own_words(5, 90), own_words(6, 60), body[3], body[5]}));
  // Unrelated.
  EXPECT_FALSE(carried({own_words(8, 400)}));
}

TEST_F(SyndicatedStory, WithinOneFeedItemsAreToldApartByTheirIdentity) {
  EXPECT_FALSE(carried(body, "wire")) << "the same feed's item is its identity's business";
  EXPECT_TRUE(carried(body, "partner"));
}

TEST(StoryIndex, SameCanonicalUrlInAnotherFeedIsTheSameStory) {
  StoryIndex index;
  index.add(7, Story{"world", "https://news.example.org/a", "A", {"Short text."}}.facts());
  const auto match = index.find(Story{"americas", "https://news.example.org/a", "B", {"Other words."}}.facts());
  ASSERT_TRUE(match);
  EXPECT_EQ(match->seq, 7U);
  EXPECT_EQ(match->rule, StoryMatch::Rule::same_url);
  EXPECT_FALSE(index.find(Story{"americas", "https://news.example.org/b", "B", {"Other words."}}.facts()));
  EXPECT_FALSE(index.find(Story{"americas", std::nullopt, "B", {"Other words."}}.facts()));
}

TEST(StoryIndex, HomePagesAndOneFeedsOwnLinksAreNoIdentity) {
  StoryIndex index;
  // A podcast whose episodes all link to the show's page keeps every episode.
  index.add(1, Story{"show", "https://podcast.example.org/show", "Episode 1", {"First."}}.facts());
  EXPECT_FALSE(index.find(Story{"show", "https://podcast.example.org/show", "Episode 2", {"Second."}}.facts()));
  // Every item of some feeds links to the home page.
  index.add(2, Story{"status", "https://status.example.org/", "Up", {"All fine."}}.facts());
  EXPECT_FALSE(index.find(Story{"other", "https://status.example.org/", "Down", {"Outage."}}.facts()));
  EXPECT_FALSE(index.find(Story{"other", "https://status.example.org/?ref=rss", "Down", {"Outage."}}.facts()));
}

TEST(StoryIndex, BriefsAreTheSameStoryByHeadlineAndText) {
  StoryIndex index;
  const std::string text =
      "Markets closed higher on Wednesday after the central bank held its key rate steady, with technology "
      "shares leading the gains and bond yields easing slightly.";
  index.add(5, Story{"wire", std::nullopt, "Markets close higher as rate holds", {text}}.facts());
  const auto credited =
      index.find(Story{"partner", std::nullopt, "Markets close higher as rate holds!", {"NEW YORK (Reuters) - " + text}}.facts());
  ASSERT_TRUE(credited);
  EXPECT_EQ(credited->seq, 5U);
  EXPECT_EQ(credited->rule, StoryMatch::Rule::same_brief);
  // The same headline over another text, and the same text under another headline, are not.
  EXPECT_FALSE(index.find(Story{"partner", std::nullopt, "Markets close higher as rate holds", {own_words(3, 30)}}.facts()));
  EXPECT_FALSE(index.find(Story{"partner", std::nullopt, "Stocks rally", {text}}.facts()));
}

TEST(StoryIndex, ManyStoriesStayDistinctAndACopyIsFoundAmongThem) {
  StoryIndex index;
  std::vector<Story> stories;
  for (std::uint64_t seq = 1; seq <= 20'000; ++seq) {
    const Story story{"wire", std::nullopt, "", {own_words(seq, 120)}};
    index.add(seq, story.facts());
    if (seq == 4'242) stories.push_back(story);
  }
  EXPECT_EQ(index.size(), 20'000U);
  EXPECT_LT(index.memory_bytes() / index.size(), 400U);
  Story copy = stories.front();
  copy.feed = "partner";
  copy.paragraphs.front() = "(AP) - " + copy.paragraphs.front();
  copy.sketch = sketch_story(copy.paragraphs);
  const auto match = index.find(copy.facts());
  ASSERT_TRUE(match);
  EXPECT_EQ(match->seq, 4'242U);
  int false_matches = 0;
  for (std::uint64_t other = 1; other <= 500; ++other)
    false_matches += index.find(Story{"partner", std::nullopt, "", {own_words(1'000'000 + other, 120)}}.facts()).has_value();
  EXPECT_EQ(false_matches, 0);
}

}  // namespace
}  // namespace sluice::pipeline

namespace sluice::pipeline {
namespace {

TEST(StoryIndex, AtItsLimitTheOldestHalfIsForgottenAndTheRestStillFound) {
  StoryIndex index(3 * StoryIndex::kChunk);
  const auto story = [](std::uint64_t n) {
    return Story{"wire", "https://wire.example/" + std::to_string(n), "", {own_words(n, 60)}};
  };
  for (std::uint64_t seq = 1; seq <= 3 * StoryIndex::kChunk + 10; ++seq) index.add(seq, story(seq).facts());
  EXPECT_EQ(index.size(), 2 * StoryIndex::kChunk + 10) << "the first chunk went when the limit was reached";
  Story old = story(5), kept = story(2 * StoryIndex::kChunk);
  old.feed = kept.feed = "partner";
  EXPECT_FALSE(index.find(old.facts()));
  const auto found = index.find(kept.facts());
  ASSERT_TRUE(found);
  EXPECT_EQ(found->seq, 2 * StoryIndex::kChunk);
}

}  // namespace
}  // namespace sluice::pipeline
