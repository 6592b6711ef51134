// Which source fills each field of the model when a document has several: one table, in the
// order sources win, across RSS core, Atom (1.0, 0.3, and Atom elements inside RSS), Dublin Core,
// iTunes and Media RSS. Sources are named by their keys ("atom:title", "dc:date", "itunes:summary";
// an RSS core element by its name). The README prints the table (precedence_markdown()), and a
// test checks that it does.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace sluice::feeds {

enum class Field { title, subtitle, summary, published, updated, id, language, rights, link, author, tags, content, image };

// Sources of one rank: a source of a better (lower) rank replaces what a worse one gave; within a
// rank, the first or the last one in the document wins.
struct Rank {
  std::span<const std::string_view> sources;
  bool last_wins = false;
};

struct FieldRule {
  Field field;
  std::string_view name;     // as the feed JSON calls it
  std::span<const Rank> ranks;  // best first; empty for the collected fields (rule says how)
  std::string_view rule;     // in words, for the README
};

std::span<const FieldRule> precedence_table();

// The rank of key as a source of field, best 0; -1 when it is not one.
int source_rank(Field field, std::string_view key);
// Whether a source of that rank replaces a value given by a source of rank `held` (-1: none yet).
bool replaces(Field field, int rank, int held);

// The table as Markdown, as the README prints it.
std::string precedence_markdown();

}  // namespace sluice::feeds
