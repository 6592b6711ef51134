// The article JSON of schema/article.schema.json: one object, fields in the schema's order.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "feeds/model.h"
#include "pipeline/clean/story_sketch.h"

namespace sluice::pipeline {

// Written directly, field by field (what every article costs); an article with a string that is
// not well-formed UTF-8 (a mis-declared feed) goes through nlohmann's serializer instead, which
// replaces what is invalid. Either way the bytes are those of article_json_generic.
std::string article_json(const feeds::Article& article, std::uint64_t seq);

// The same through nlohmann's serializer: the fallback above, and what tests hold the direct
// writer to.
std::string article_json_generic(const feeds::Article& article, std::uint64_t seq);

// An article as the publish thread needs it: what dedup and the log look at, and the JSON already
// serialized (with seq 0) on a worker thread, so publishing costs no serializing.
struct PreparedArticle {
  std::string id;
  int revision = 1;
  std::string feed_name;
  std::string title;
  std::optional<std::string> url;
  std::uint64_t simhash = 0;  // what earlier versions compared; still in the JSON and cluster buckets
  StorySketch sketch;         // what cross-feed dedup compares (pipeline/deliver/story_index.h)
  std::vector<std::uint32_t> shingles;  // and the text's shingles, for an exact comparison
  std::size_t words = 0;
  std::string json;  // article_json(article, 0)
};

PreparedArticle prepare_article(const feeds::Article& article);

// The prepared JSON with its seq: the "seq":0 that article_json(article, 0) wrote becomes seq.
std::string numbered_json(std::string_view json, std::uint64_t seq);

// The same in three pieces to be written one after the other, without a copy: the JSON up to the
// seq, digits (the seq in decimal), and the rest. JSON that article_json did not write comes back
// whole, as the first piece.
std::array<std::string_view, 3> numbered_json_pieces(std::string_view json, std::string_view digits);

}  // namespace sluice::pipeline
