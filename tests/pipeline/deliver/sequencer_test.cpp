#include "pipeline/deliver/sequencer.h"

#include <gtest/gtest.h>

#include "pipeline/clean/simhash.h"
#include "tests/support/temp_dir.h"

namespace sluice::pipeline {
namespace {

feeds::Article article(const std::string& feed, const std::string& id, const std::string& url, const std::string& text) {
  feeds::Article out;
  out.id = id;
  out.feed_name = feed;
  out.feed_url = "https://example.org/" + feed + ".xml";
  out.url = url;
  out.title = "Title of " + id;
  out.paragraphs = {text};
  out.simhash = simhash(out.paragraphs);
  return out;
}

// The sequencer's decision on an article prepared as the workers prepare it.
std::variant<Sequencer::Appended, Sequencer::Skipped> admit(Sequencer& sequencer, const feeds::Article& article,
                                                            std::int64_t unix_time) {
  PreparedArticle prepared = prepare_article(article);
  return sequencer.admit(prepared, unix_time);
}

TEST(ArticleJson, NumberingPreparedJsonMatchesSerializingWithTheSeq) {
  const feeds::Article story = article("world", "abc", "https://example.org/a", "Some text.");
  const PreparedArticle prepared = prepare_article(story);
  EXPECT_EQ(numbered_json(prepared.json, 12345), article_json(story, 12345));
  EXPECT_EQ(prepared.words, 2U);
  EXPECT_EQ(numbered_json("{\"other\":1}", 7), "{\"other\":1}") << "anything else is left alone";
}

TEST(Sequencer, NumbersNewArticlesAndSkipsRepeats) {
  const test::TempDir dir;
  Journal journal(dir.path());
  using Skipped = Sequencer::Skipped;
  {
    Sequencer sequencer(journal);
    const feeds::Article bridge = article("city", "a1", "https://city.example/bridge", "Bridge closes.");
    auto first = admit(sequencer, bridge, 10);
    ASSERT_TRUE(std::holds_alternative<Sequencer::Appended>(first));
    EXPECT_EQ(std::get<Sequencer::Appended>(first).seq, 1U);
    EXPECT_EQ(std::get<Sequencer::Appended>(first).topic, "article.city.");
    // Another feed's item linking to the same page is the same story.
    auto wire = admit(sequencer, article("wire", "w7", "https://city.example/bridge", "Bridge shut."), 11);
    ASSERT_TRUE(std::holds_alternative<Skipped>(wire));
    EXPECT_EQ(std::get<Skipped>(wire).reason, Skipped::Reason::same_story);
    EXPECT_EQ(std::get<Skipped>(wire).earlier, 1U);
    // An edit is published as what it is, though it tells the same story.
    auto edited = article("city", "a1", "https://city.example/bridge", "Bridge closes on Monday.");
    edited.revision = 2;
    auto second = admit(sequencer, edited, 12);
    ASSERT_TRUE(std::holds_alternative<Sequencer::Appended>(second));
    EXPECT_EQ(std::get<Sequencer::Appended>(second).seq, 2U);
    journal.sync();
    // The JSON went into the journal numbered, as the live stream sends it from written().
    std::vector<std::string> bodies;
    Journal::for_each_written(*journal.written(), [&](const Journal::Record& record) {
      bodies.emplace_back(record.body);
      return true;
    });
    ASSERT_EQ(bodies.size(), 2U);
    EXPECT_EQ(bodies[0], article_json(bridge, 1));
    EXPECT_TRUE(bodies[1].starts_with(R"({"schema":1,"seq":2,)")) << bodies[1];
  }
  // After a restart: what the journal holds is known again.
  Sequencer sequencer(journal);
  auto again = admit(sequencer, article("city", "a1", "https://city.example/other", "Unrelated."), 13);
  ASSERT_TRUE(std::holds_alternative<Skipped>(again));
  EXPECT_EQ(std::get<Skipped>(again).reason, Skipped::Reason::in_journal);
  auto wire = admit(sequencer, article("wire", "w8", "https://city.example/bridge", "Bridge."), 14);
  EXPECT_TRUE(std::holds_alternative<Skipped>(wire)) << "the story index is rebuilt too";
  EXPECT_EQ(sequencer.stories(), 2U);
}

TEST(Sequencer, ASyndicatedCopyOfTheTextIsKnownAcrossARestart) {
  const test::TempDir dir;
  Journal journal(dir.path());
  using Skipped = Sequencer::Skipped;
  std::string text;
  for (int i = 0; i < 120; ++i) text += "word" + std::to_string(i * 7919 % 1000) + " ";
  {
    Sequencer sequencer(journal);
    ASSERT_TRUE(std::holds_alternative<Sequencer::Appended>(
        admit(sequencer, article("wire", "w1", "https://wire.example/1", text), 10)));
    journal.sync();
  }
  // Rebuilt from the journal: the sketch from the text the journal holds, its shingles as recent.
  Sequencer sequencer(journal);
  const auto copy = admit(sequencer, article("daily", "d1", "https://daily.example/a", "(AP) - " + text + " Read more."), 11);
  ASSERT_TRUE(std::holds_alternative<Skipped>(copy));
  const Skipped& skipped = std::get<Skipped>(copy);
  EXPECT_EQ(skipped.reason, Skipped::Reason::same_story);
  EXPECT_EQ(skipped.earlier, 1U);
  ASSERT_TRUE(skipped.match);
  EXPECT_EQ(skipped.match->rule, StoryMatch::Rule::same_text);
  EXPECT_GT(skipped.match->overlap.of_second, 0.99) << "all of the earlier text is in the copy";
}

}  // namespace
}  // namespace sluice::pipeline
