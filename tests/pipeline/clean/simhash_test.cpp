#include "pipeline/clean/simhash.h"

#include <gtest/gtest.h>

namespace sluice::pipeline {
namespace {

const std::vector<std::string> kStory{
    "Ecuador's President Daniel Noboa has taken a decisive stance against the rising tide of gang violence in the "
    "country, urging the United States, European nations, and Brazilian forces to join his fight.",
    "In a recent interview he emphasized the need for international military collaboration as the country grapples "
    "with an alarming surge in violence rooted in drug trafficking."};

TEST(Simhash, IgnoresCaseAndPunctuation) {
  std::vector<std::string> shouted;
  for (std::string paragraph : kStory) {
    for (char& c : paragraph) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    shouted.push_back(paragraph + "!!");
  }
  EXPECT_EQ(simhash(kStory), simhash(shouted));
}

TEST(Simhash, NearCopiesAreCloseOthersAreFar) {
  std::vector<std::string> edited = kStory;
  edited[1].replace(edited[1].find("alarming"), 8, "worrying");
  std::vector<std::string> other{"Ferry timetable changes for the spring season: from 1 March the early ferry leaves "
                                 "at 06:10, twenty minutes earlier than in winter, and the last Sunday crossing moves."};
  EXPECT_LE(hamming_distance(simhash(kStory), simhash(edited)), 10);
  EXPECT_GT(hamming_distance(simhash(kStory), simhash(other)), 16);
  EXPECT_EQ(simhash({}), 0U);
}

// Fingerprints are stored (in the journal's article JSON, and in a cluster's story bucket) and
// compared with those made later, perhaps by another version of sluice: a change in how they are
// computed would make every stored story look new. These values were made by the first version.
TEST(Simhash, FingerprintsStayTheSameAcrossVersions) {
  EXPECT_EQ(simhash(kStory), 0xded7577e4272e098ULL);
  EXPECT_EQ(simhash({"Hello, WORLD"}), 0xc48e5c0f1d92767eULL) << "fewer than three words: one feature";
  EXPECT_EQ(simhash({"Z\u00fcrich"}), 0xab05a28885647b67ULL) << "UTF-8 bytes are letters";
  EXPECT_EQ(simhash({"  Tab\tseparated\u00a0words \u2014 and 42 numbers!", "", "x"}), 0x1973c7a7ee32f9f1ULL);

  // A long text: more shingles than the vote counters hold before they are added up (255).
  std::vector<std::string> long_text;
  for (int k = 0; k < 6; ++k) {
    std::string paragraph;
    for (int i = 0; i < 200; ++i)
      paragraph += "Word" + std::to_string((i * 7919 + k * 104729) % 997) + (i % 9 == 0 ? ", " : " ");
    long_text.push_back(paragraph);
  }
  EXPECT_EQ(simhash(long_text), 0x274b311ed2857307ULL);
}

TEST(Simhash, CountsWords) {
  EXPECT_EQ(count_words({"one two  three", " four ", ""}), 4U);
  EXPECT_EQ(count_words({"tab\tand\nnew\vline\fand\rreturn"}), 6U);
  EXPECT_EQ(count_words({}), 0U);
}

}  // namespace
}  // namespace sluice::pipeline
