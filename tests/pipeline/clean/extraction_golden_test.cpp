// Golden pages from the shared extraction benchmark: real news and blog pages with human ground
// truth. Each page must come out close to its ground truth (word F1), with the snippets the truth
// requires and none of the boilerplate it lists, and with no paragraph of substance twice.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>

#include "pipeline/clean/block_dedup.h"
#include "pipeline/clean/cleaner.h"
#include "tests/support/temp_dir.h"

namespace sluice::pipeline {
namespace {

constexpr double kMinWordF1 = 0.9;
const std::filesystem::path kSets = std::filesystem::path(SLUICE_SHARED_DIR) / "extraction";

struct GoldenPage {
  const char* set;
  const char* id;
};

void PrintTo(const GoldenPage& page, std::ostream* out) { *out << page.set << "/" << page.id; }

const nlohmann::json& truth(const std::string& set) {
  static std::map<std::string, nlohmann::json> loaded;
  auto [found, fresh] = loaded.try_emplace(set);
  if (fresh) found->second = nlohmann::json::parse(test::read_file(kSets / set / "ground-truth.json"));
  return found->second;
}

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// Word F1 over bags of normalized words, as the WCXB metric counts them.
double word_f1(const std::string& predicted, const std::string& expected) {
  std::map<std::string, int> bag;
  for (std::string& word : normalized_words(expected)) ++bag[word];
  const auto predicted_words = normalized_words(predicted);
  const auto expected_count = static_cast<double>(normalized_words(expected).size());
  double common = 0;
  for (const std::string& word : predicted_words)
    if (auto found = bag.find(word); found != bag.end() && found->second > 0) {
      --found->second;
      ++common;
    }
  if (predicted_words.empty() || expected_count == 0) return predicted_words.empty() && expected_count == 0 ? 1 : 0;
  const double precision = common / static_cast<double>(predicted_words.size());
  const double recall = common / expected_count;
  return precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
}

class ExtractionGolden : public testing::TestWithParam<GoldenPage> {};

TEST_P(ExtractionGolden, MatchesTheGroundTruth) {
  const GoldenPage page = GetParam();
  const nlohmann::json& expected = truth(page.set).at(page.id);
  const std::string html = test::read_gzip_file(kSets / page.set / "html" / (std::string(page.id) + ".html.gz"));
  ASSERT_FALSE(html.empty());
  const CleanedStory story = clean_page(html, expected.value("url", ""));
  std::string text;
  for (const Block& block : story.blocks) text += block.text + "\n";

  EXPECT_GE(word_f1(text, expected["articleBody"].get<std::string>()), kMinWordF1);
  const std::string folded = lower(text);
  for (const auto& snippet : expected.value("with", nlohmann::json::array()))
    EXPECT_NE(folded.find(lower(snippet.get<std::string>())), std::string::npos) << "missing: " << snippet;
  for (const auto& snippet : expected.value("without", nlohmann::json::array()))
    EXPECT_EQ(folded.find(lower(snippet.get<std::string>())), std::string::npos) << "boilerplate: " << snippet;
  std::vector<Block> again = story.blocks;
  remove_repeated_blocks(again);
  EXPECT_EQ(again.size(), story.blocks.size()) << "a paragraph of substance came out twice";
}

std::string page_name(const testing::TestParamInfo<GoldenPage>& info) {
  std::string name = std::string(info.param.set) + "_" + std::string(info.param.id).substr(0, 12);
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

// Pages that print some of their article paragraphs twice come first in each set.
INSTANTIATE_TEST_SUITE_P(
    Pages, ExtractionGolden,
    testing::Values(GoldenPage{"scrapinghub", "04a6711caa7c687592777718866e781e976e0fe684faebe8b3cedcef8cd0ea34"},
                    GoldenPage{"scrapinghub", "098bb3e96c0acdf36efdcde45fb9cca3f8c82c7cb2071b76097a1b96155f1eb2"},
                    GoldenPage{"scrapinghub", "1ace8c85aaee21b9d4505eca506d50c4721c29db62848b567a9703bfe0583892"},
                    GoldenPage{"scrapinghub", "042bb7b5fedab6eac7db576522b89b93904c237d344bcbe14a6a5ab7f7335856"},
                    GoldenPage{"scrapinghub", "05844573ca7e1fba714d715bb11ca08c26e25328999c74a1cb3bc8a0e4399f0f"},
                    GoldenPage{"scrapinghub", "06ee193de4bd611f7fafbab0c59b0f6fe3495093516720632cd093b24c7a0e98"},
                    GoldenPage{"wcxb-dev", "0002"}, GoldenPage{"wcxb-dev", "0034"}, GoldenPage{"wcxb-dev", "0024"},
                    GoldenPage{"wcxb-dev", "0007"}, GoldenPage{"wcxb-dev", "0012"}, GoldenPage{"wcxb-dev", "0013"}),
    page_name);

}  // namespace
}  // namespace sluice::pipeline
