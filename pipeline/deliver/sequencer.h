// The publish thread's decision on each prepared article: drop it when the journal already holds
// it (the same id and revision: fetched again after a crash, before its feed's state advanced) or
// when another feed already told the story (StoryIndex; a revision is never such a repeat);
// otherwise give it the next seq and append it to the journal (durable at the journal's next sync),
// its JSON numbered on the way in.
// Both indexes are rebuilt from the journal when the sequencer is made (each story's sketch made
// again from its text, so journals of earlier versions serve as well), so they hold across
// restarts for as long as the journal keeps the earlier article.
//
// Thread-safety: none; the publish thread owns it, with the journal.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>

#include "feeds/hashing.h"
#include "pipeline/clean/article_json.h"
#include "pipeline/deliver/flat_map.h"
#include "pipeline/deliver/journal.h"
#include "pipeline/deliver/story_index.h"

namespace sluice::pipeline {

class Sequencer {
 public:
  explicit Sequencer(Journal& journal);

  // The article JSON with its seq is in the journal's record; once its batch is durable it is read
  // from Journal::written().
  struct Appended {
    // "article.<feed>.", held by the sequencer for as long as it lives: made by topic(), never
    // from a string of the caller's (a view of a temporary would dangle).
    std::string_view topic;
    std::uint64_t seq;
  };
  struct Skipped {
    enum class Reason { in_journal, same_story, told_elsewhere } reason;
    std::uint64_t earlier = 0;  // in_journal: its seq; same_story: the seq that told it
    std::string where;          // told_elsewhere: which feed and instance told it
    std::optional<StoryMatch> match;  // same_story, told_elsewhere: the rule and overlap that decided
  };
  // In a cluster: asked about a new story (revision 1) that no feed of this instance told yet;
  // says where it was told when another instance's feed did, and otherwise records it as told here.
  struct ToldElsewhere {
    std::string where;
    StoryMatch match;
  };
  using Elsewhere = std::function<std::optional<ToldElsewhere>(const PreparedArticle&)>;
  void ask_elsewhere(Elsewhere elsewhere) { elsewhere_ = std::move(elsewhere); }

  // Decides on article; appends it when it goes out (and keeps its shingles: they are moved out).
  // unix_time is the record's time.
  std::variant<Appended, Skipped> admit(PreparedArticle& article, std::int64_t unix_time);

  std::size_t stories() const noexcept { return stories_.size(); }

  // The topic of the feed's articles, made once per feed and held for as long as the sequencer.
  std::string_view topic(std::string_view feed);

 private:
  // The 64-bit hash of id#revision. Two articles sharing one would be taken for one: at a million
  // articles in the journal, a chance of about 3 in 100 million.
  static std::uint64_t identity(std::string_view id, int revision);
  static StoryFacts facts(const PreparedArticle& article);

  Journal& journal_;
  StoryIndex stories_;
  FlatMap<std::uint64_t> published_;  // the identity of every article in the journal → its seq
  Elsewhere elsewhere_;
  // Feed name → topic; nodes stay put, so views of the topics stay valid.
  std::unordered_map<std::string, std::string, feeds::StringHash, std::equal_to<>> topics_;
};

}  // namespace sluice::pipeline
