#include "pipeline/deliver/sequencer.h"

#include <nlohmann/json.hpp>

#include "feeds/hashing.h"
#include "pipeline/deliver/publisher.h"


namespace sluice::pipeline {

Sequencer::Sequencer(Journal& journal) : journal_(journal) {
  journal_.read(journal_.first(), journal_.head(), [&](const Journal::Record& record) {
    const auto article = nlohmann::json::parse(record.body, nullptr, false);
    if (!article.is_object()) return true;
    published_.insert(identity(article.value("id", std::string()), article.value("revision", 1)), record.seq);
    std::optional<std::string> url;
    if (const auto found = article.find("url"); found != article.end() && found->is_string()) url = found->get<std::string>();
    std::string feed;
    if (const auto found = article.find("feed"); found != article.end() && found->is_object())
      feed = found->value("name", std::string());
    const auto text = article.find("text");
    std::vector<std::uint32_t> shingles;
    const StorySketch sketch = text != article.end() && text->is_string()
                                   ? sketch_story(text->get_ref<const std::string&>(), &shingles)
                                   : StorySketch{};
    const std::string title = article.value("title", std::string());
    stories_.add(record.seq, {feed, url, title, sketch, article.value("word_count", std::size_t{0})}, std::move(shingles));
    return true;
  });
}

StoryFacts Sequencer::facts(const PreparedArticle& article) {
  return {article.feed_name, article.url, article.title, article.sketch, article.words, article.shingles};
}

std::uint64_t Sequencer::identity(std::string_view id, int revision) {
  // The id's hash, moved along by the revision (odd multiplier: every revision lands elsewhere).
  return feeds::hash64(id) + static_cast<std::uint64_t>(revision) * 0x9E3779B97F4A7C15ULL;
}

std::string_view Sequencer::topic(std::string_view feed) {
  auto known = topics_.find(feed);
  if (known == topics_.end()) known = topics_.emplace(std::string(feed), article_topic(feed)).first;
  return known->second;
}

std::variant<Sequencer::Appended, Sequencer::Skipped> Sequencer::admit(PreparedArticle& article,
                                                                       std::int64_t unix_time) {
  const std::uint64_t published_as = identity(article.id, article.revision);
  if (const std::uint64_t* seq = published_.find(published_as)) return Skipped{Skipped::Reason::in_journal, *seq, {}, std::nullopt};
  // A revision is the same story by definition: it goes out as the update it is.
  if (article.revision == 1) {
    if (const auto earlier = stories_.find(facts(article)))
      return Skipped{Skipped::Reason::same_story, earlier->seq, {}, earlier};
    if (elsewhere_)
      if (auto told = elsewhere_(article))
        return Skipped{Skipped::Reason::told_elsewhere, 0, std::move(told->where), told->match};
  }
  Appended appended{topic(article.feed_name), journal_.head() + 1};
  const std::string digits = std::to_string(appended.seq);
  const auto [before, seq, after] = numbered_json_pieces(article.json, digits);
  journal_.append(appended.topic, {before, seq, after}, unix_time);
  stories_.add(appended.seq, facts(article), std::move(article.shingles));
  published_.insert(published_as, appended.seq);
  return appended;
}

}  // namespace sluice::pipeline
