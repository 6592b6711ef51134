#include "pipeline/clean/cleaner.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "feeds/dates.h"
#include "feeds/parse/feed_parser.h"
#include "tests/support/fixtures.h"
#include "tests/support/temp_dir.h"

namespace sluice::pipeline {
namespace {

using test::kSeed;

nlohmann::json expected() { return nlohmann::json::parse(test::read_file(kSeed / "expected.json")); }

std::string joined(const std::vector<Block>& blocks) {
  std::string out;
  for (const Block& block : blocks) out += block.text + "\n\n";
  return out;
}

std::size_t occurrences(const std::string& text, const std::string& part) {
  std::size_t count = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++count;
  return count;
}

// The seed's promise, whatever the source: the seven paragraphs once each and in order, the title
// not repeated in the body, and none of the page's boilerplate.
void expect_seed_story(const CleanedStory& story) {
  const nlohmann::json seed = expected();
  EXPECT_EQ(story.metadata.title, seed["title"]);
  const std::string body = joined(story.blocks);
  std::size_t last = 0;
  for (const auto& paragraph : seed["paragraphs"]) {
    const std::string text = paragraph.get<std::string>();
    EXPECT_EQ(occurrences(body, text), 1U) << text.substr(0, 60);
    const std::size_t at = body.find(text);
    if (at != std::string::npos) {
      EXPECT_GE(at, last) << "out of order: " << text.substr(0, 60);
      last = at;
    }
  }
  EXPECT_EQ(occurrences(body, seed["title"].get<std::string>()), 0U) << "the title is not part of the body";
  for (const auto& boilerplate : seed["boilerplate"])
    EXPECT_EQ(body.find(boilerplate.get<std::string>()), std::string::npos) << boilerplate;
}

TEST(Cleaner, SeedPageGivesTheStoryOnce) {
  const CleanedStory story = clean_page(test::read_file(kSeed / "page.html"), "");
  expect_seed_story(story);
  EXPECT_EQ(story.blocks.size(), 7U);
  const nlohmann::json seed = expected();
  ASSERT_TRUE(story.metadata.url);
  EXPECT_EQ(*story.metadata.url, seed["url"]);
  ASSERT_TRUE(story.metadata.published);
  EXPECT_EQ(feeds::format_rfc3339(*story.metadata.published), seed["published"]);
  EXPECT_EQ(story.metadata.description, seed["dek"]);
  EXPECT_EQ(story.metadata.language, "en");
}

TEST(Cleaner, SeedFeedItemGivesTheStoryOnce) {
  const auto document = feeds::parse_feed(test::read_file(kSeed / "feed.xml"), "https://news.example.org/world/rss.xml");
  ASSERT_TRUE(document && !document->entries.empty());
  const feeds::Entry& entry = document->entries.front();
  ASSERT_FALSE(entry.content.empty());
  const CleanedStory story = clean_fragment(entry.content.front().value, entry.link, expected()["title"].get<std::string>());
  expect_seed_story(story);
  EXPECT_EQ(story.blocks.size(), 7U);
}

TEST(Cleaner, AFeedItemLosesWhatTheFeedsRemoveRulesMatch) {
  config::PageRules rules;
  rules.remove.push_back(*config::parse_selector("p.promo, div > .credit"));
  const CleanedStory story = clean_fragment(
      "<p>The ferry runs again.</p><p class=promo>Get our app.</p><div><span class=credit>Photo: Agency</span></div>"
      "<p>Tickets are on sale.</p>",
      "https://news.example/ferry", "Ferry", &rules);
  ASSERT_EQ(story.blocks.size(), 2U);
  EXPECT_EQ(story.blocks[0].text, "The ferry runs again.");
  EXPECT_EQ(story.blocks[1].text, "Tickets are on sale.");
}

TEST(Cleaner, ScrapedTextFindsTheRepeatedTitle) {
  const CleanedStory story = clean_text(test::read_file(kSeed / "scraped.txt"));
  expect_seed_story(story);
  EXPECT_EQ(story.lead, expected()["teaser"]) << "the teaser before the headline is the lead, not the body";
}

// The seed story in another site's template: other class names, the repeats typographically
// different (dashes, case), a link box and an ad inside the body, a sidebar beside it.
TEST(Cleaner, SeedStoryInAnotherTemplate) {
  const nlohmann::json seed = expected();
  std::vector<std::string> p;
  for (const auto& paragraph : seed["paragraphs"]) p.push_back(paragraph.get<std::string>());
  std::string upper = p[4];
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string dashes = p[3];
  for (std::size_t at; (at = dashes.find("\xE2\x80\x94")) != std::string::npos;) dashes.replace(at, 3, " - ");
  const std::string title = seed["title"];
  std::string page = "<html><head><title>" + title + " - Meridian News</title>"
      "<meta name=\"pubdate\" content=\"2025-02-10T14:30:00Z\">"
      "<link rel=\"canonical\" href=\"https://news.example.org/world/americas/ecuador-noboa-military-support"
      "?utm_campaign=x&amp;fbclid=abc#comments\"></head><body>"
      "<div id=\"gdpr\">" + seed["boilerplate"][0].get<std::string>() + " <a href=\"#\">Accept all</a></div>"
      "<div class=\"top\"><a href=\"/\">Meridian</a><ul class=\"menu\"><li><a href=\"/w\">World</a></li></ul></div>"
      "<div class=\"wrapper\"><div class=\"col-left\"><h1 class=\"headline\">" + title + "</h1>"
      "<ul class=\"sharing\"><li><a href=\"#\">Share on Facebook</a></li></ul><div class=\"story-text\">"
      "<p>" + p[0] + "</p><p>" + p[1] + "</p>"
      "<div class=\"inline-box\"><b>Read more:</b> <a href=\"/r0\">Colombia's coca output hits a new record</a></div>"
      "<p>" + p[2] + "</p><div class=\"advert\">Advertisement</div>"
      "<p>" + p[3] + "</p><p>" + p[4] + "</p><p>" + p[5] + "</p><p>" + p[6] + "</p>"
      "<p>" + p[2] + "</p><p>" + dashes + "</p><p>" + upper + "</p></div>"
      "<div class=\"newsletter-box\">" + seed["boilerplate"][8].get<std::string>() + "</div></div>"
      "<div class=\"col-right\"><h3>Most read</h3><ol><li><a href=\"/m0\">Markets slide as oil prices jump</a></li>"
      "<li><a href=\"/m1\">Ten recipes for a rainy weekend</a></li></ol></div></div>"
      "<div id=\"comment-section\"><h3>Comments (42)</h3><p>Log in to join the conversation.</p></div>"
      "<div class=\"bottom\"><p>" + seed["boilerplate"][9].get<std::string>() + "</p></div></body></html>";
  const CleanedStory story = clean_page(page, "");
  expect_seed_story(story);
  EXPECT_EQ(story.blocks.size(), 7U);
  EXPECT_EQ(story.metadata.url, seed["url"]);
}

TEST(Cleaner, PageLinksBecomeAbsoluteAndScriptsNeverPass) {
  const CleanedStory story = clean_page(
      "<html><head><title>A story about the budget | Site</title></head><body><article>"
      "<p>First paragraph of a story, long enough to read as prose, with <a href=\"/more\">a link</a> in it.</p>"
      "<p onclick=\"steal()\">Second paragraph <script>alert(1)</script>with <em>emphasis</em>, and "
      "<a href=\"javascript:alert(1)\">a script link</a> that loses its target.</p>"
      "<p>Third paragraph, <img src=x onerror=alert(1)>still prose, and still long enough to be kept here.</p>"
      "</article></body></html>",
      "https://example.org/news/story");
  ASSERT_EQ(story.blocks.size(), 3U);
  EXPECT_EQ(story.blocks[0].html,
            "First paragraph of a story, long enough to read as prose, with <a href=\"https://example.org/more\">a "
            "link</a> in it.");
  EXPECT_EQ(story.blocks[1].html,
            "Second paragraph with <em>emphasis</em>, and a script link that loses its target.");
  EXPECT_EQ(story.metadata.title, "A story about the budget");
  for (const Block& block : story.blocks) {
    EXPECT_EQ(block.html.find("<script"), std::string::npos);
    EXPECT_EQ(block.html.find("javascript:"), std::string::npos);
    EXPECT_EQ(block.html.find("onerror"), std::string::npos);
    EXPECT_EQ(block.html.find("onclick"), std::string::npos);
  }
}

TEST(Cleaner, BoilerplateInsideTheArticleIsDropped) {
  std::string page = "<html><body><main><article><h1>Budget passes</h1>";
  for (const char* sentence :
       {"The council passed its budget on Monday night, after a debate that ran past midnight.",
        "Spending on schools rises by four percent, while road repairs get a smaller share than last year.",
        "Opposition members said the plan leaves the library service short, and voted against it.",
        "The mayor called the result a fair compromise, and thanked staff for months of work.",
        "Residents will see the new rates on their bills from April, the finance office said.",
        "A review of parking charges, promised last spring, has been pushed back to the autumn.",
        "Several speakers asked for the review to include the price of permits for carers.",
        "The next full meeting of the council is due in three weeks, when the review is discussed."})
    page += std::string("<p>") + sentence + "</p>";
  page +=
      "<div class=\"share-tools\"><a href=\"#\">Share on Facebook</a></div>"
      "<div class=\"newsletter-signup\">Get our newsletter every morning in your inbox.</div>"
      "<figure><img src=\"a.jpg\"><figcaption>A caption that is not the story.</figcaption></figure>"
      "<ul class=\"related-links\"><li><a href=\"/a\">Another story entirely</a></li></ul>"
      "<p style=\"display:none\">Hidden text a reader never sees, however long it happens to be.</p>"
      "</article><section id=\"comments\"><p>A reader's comment, long enough to pass for prose, with commas.</p>"
      "</section></main></body></html>";
  const std::string body = joined(clean_page(page, "").blocks);
  EXPECT_NE(body.find("The next full meeting"), std::string::npos);
  for (const char* gone : {"Share on", "newsletter", "caption", "Another story", "Hidden text", "reader's comment"})
    EXPECT_EQ(body.find(gone), std::string::npos) << gone;
}

TEST(Cleaner, ArticleHiddenForAScriptToRevealIsKept) {
  std::string page = "<html><body><div>Loading</div><div hidden id=\"S:0\"><article>";
  for (int i = 0; i < 4; ++i) page += "<p>Streamed paragraph " + std::to_string(i) + ", long enough, with commas, to count.</p>";
  page += "</article></div></body></html>";
  EXPECT_EQ(clean_page(page, "").blocks.size(), 4U);
}

TEST(Cleaner, BrokenMarkupNeverThrows) {
  for (const char* html : {"", "<", "<p", "<!--", "<script>", "<style>x", "<svg><p>x", "</p></p>", "<a href=\"",
                           "\xff\xfe\x00<p>", "<table><td><p>cell</td></p>"})
    EXPECT_NO_THROW(clean_page(html, "")) << html;
}

TEST(Cleaner, HostileNestingIsFlattenedNotRecursedInto) {
  std::string page = "<html><body><article><p>Before the trap, a paragraph of prose that reads well enough.</p>";
  for (int i = 0; i < 200'000; ++i) page += "<div><b>";
  page += "deep</body></html>";
  const CleanedStory story = clean_page(page, "");
  EXPECT_EQ(story.problem, "elements nested deeper than 1000 flattened");
  ASSERT_FALSE(story.blocks.empty());
  EXPECT_EQ(story.blocks.front().text, "Before the trap, a paragraph of prose that reads well enough.");
}

TEST(Cleaner, HugePageIsCutAtTheLimit) {
  std::string page = "<html><body><article>";
  for (int i = 0; page.size() < feeds::kMaxMarkupBytes + 100'000; ++i)
    page += "<p>Paragraph number " + std::to_string(i) + " of a very long page, with commas, and words.</p>";
  const CleanedStory story = clean_page(page, "");
  EXPECT_EQ(story.problem, "page cut at 4 MiB of markup");
  EXPECT_FALSE(story.blocks.empty());
}

TEST(Cleaner, PlainTextHardWrappedKeepsItsParagraphs) {
  const CleanedStory story = clean_text(
      "A title line\n\n"
      "The first paragraph was wrapped by a mail client at a\n"
      "width of sixty characters, as plain text often is.\n\n"
      "The second paragraph follows after a blank line and\n"
      "is wrapped the same way.\n",
      "A title line");
  ASSERT_EQ(story.blocks.size(), 2U);
  EXPECT_EQ(story.blocks[0].text,
            "The first paragraph was wrapped by a mail client at a width of sixty characters, as plain text often is.");
}

// Wrapped at 60 columns with no blank lines: a line ends its paragraph when the next line's first
// word would have fitted on it, or when the next line is indented.
TEST(Cleaner, PlainTextHardWrappedWithoutBlankLinesFindsItsTitleAndParagraphs) {
  const CleanedStory story = clean_text(
      "Harbour ferry resumes winter timetable\n"
      "By Ana Ruiz\n"
      "The ferry between the old harbour and the island resumes its\n"
      "winter timetable on Monday, the operator said.\n"
      "Departures move to every forty minutes, and the last boat\n"
      "leaves the island at nine in the evening, an hour earlier\n"
      "than in summer.\n"
      "  Season tickets bought before October remain valid for the\n"
      "whole winter, and the operator will refund the difference to\n"
      "holders of summer passes who ask for it.\n");
  EXPECT_EQ(story.metadata.title, "Harbour ferry resumes winter timetable");
  ASSERT_EQ(story.blocks.size(), 4U) << story.blocks.size();
  EXPECT_EQ(story.blocks[0].text, "By Ana Ruiz");
  EXPECT_EQ(story.blocks[1].text,
            "The ferry between the old harbour and the island resumes its winter timetable on Monday, the operator "
            "said.");
  EXPECT_TRUE(story.blocks[2].text.ends_with("an hour earlier than in summer.")) << story.blocks[2].text;
  EXPECT_TRUE(story.blocks[3].text.starts_with("Season tickets")) << story.blocks[3].text;
}

}  // namespace
}  // namespace sluice::pipeline
