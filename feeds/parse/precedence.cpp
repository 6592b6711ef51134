#include "feeds/parse/precedence.h"

#include <algorithm>
#include <array>

namespace sluice::feeds {
namespace {


constexpr std::string_view kTitleAtom[] = {"atom:title"};
constexpr std::string_view kTitleRss[] = {"title", "dc:title", "media:title"};
constexpr std::string_view kTitleItunes[] = {"itunes:title"};
constexpr Rank kTitle[] = {{kTitleAtom, true}, {kTitleRss, false}, {kTitleItunes, false}};

constexpr std::string_view kSubtitleAtom[] = {"atom:subtitle", "atom:tagline"};
constexpr std::string_view kSubtitleRss[] = {"description", "dc:description", "atom:info", "itunes:summary"};
constexpr std::string_view kSubtitleItunes[] = {"itunes:subtitle"};
constexpr Rank kSubtitle[] = {{kSubtitleAtom, true}, {kSubtitleRss, false}, {kSubtitleItunes, false}};

constexpr std::string_view kSummaryAtom[] = {"atom:summary", "summary"};
constexpr std::string_view kSummaryItunes[] = {"itunes:summary", "itunes:subtitle"};
constexpr std::string_view kSummaryDescription[] = {"description", "dc:description"};
constexpr std::string_view kSummaryMedia[] = {"media:description"};
constexpr Rank kSummary[] = {
    {kSummaryAtom, true}, {kSummaryItunes, false}, {kSummaryDescription, false}, {kSummaryMedia, false}};

constexpr std::string_view kPublishedMain[] = {"atom:published", "pubDate", "atom:issued", "dcterms:issued"};
constexpr std::string_view kPublishedCreated[] = {"atom:created", "dcterms:created"};
constexpr Rank kPublished[] = {{kPublishedMain, true}, {kPublishedCreated, false}};

constexpr std::string_view kUpdatedMain[] = {"atom:updated", "atom:modified", "dcterms:modified", "dc:date",
                                             "lastBuildDate"};
constexpr Rank kUpdated[] = {{kUpdatedMain, true}};

constexpr std::string_view kIdMain[] = {"atom:id", "guid"};
constexpr Rank kId[] = {{kIdMain, true}};

constexpr std::string_view kLanguageMain[] = {"language", "dc:language"};
constexpr Rank kLanguage[] = {{kLanguageMain, true}};

constexpr std::string_view kRightsMain[] = {"atom:rights", "copyright", "dc:rights", "atom:copyright"};
constexpr Rank kRights[] = {{kRightsMain, true}};

constexpr std::array<FieldRule, 13> kTable{{
    {Field::title, "title", kTitle, "atom:title (the last); else the first of title, dc:title, media:title; else itunes:title"},
    {Field::subtitle, "subtitle (feed)", kSubtitle,
     "atom:subtitle or atom:tagline (the last); else the first of description, dc:description, atom:info, "
     "itunes:summary; else itunes:subtitle"},
    {Field::summary, "summary (entry)", kSummary,
     "atom:summary or summary (the last); else the first of itunes:summary, itunes:subtitle; else description or "
     "dc:description; else media:description. A description that loses to a summary is the entry's content when it "
     "has none"},
    {Field::published, "published", kPublished,
     "atom:published, pubDate, atom:issued or dcterms:issued (the last); else atom:created or dcterms:created"},
    {Field::updated, "updated", kUpdated, "atom:updated, atom:modified, dcterms:modified, dc:date or lastBuildDate (the last)"},
    {Field::id, "id", kId, "atom:id or guid (the last); else rdf:about"},
    {Field::language, "language", kLanguage,
     "language or dc:language (the last); else xml:lang in scope; else the HTTP Content-Language"},
    {Field::rights, "rights", kRights, "atom:rights, copyright, dc:rights or atom:copyright (the last)"},
    {Field::link, "link", {},
     "the last of link and atom:link rel=alternate of an HTML type (or none); else the last other atom:link "
     "rel=alternate; else a guid that is a permalink. Every link is kept in links"},
    {Field::author, "authors", {},
     "every atom:author, author, dc:creator, dc:author, itunes:author and managingEditor, in document order, each "
     "person once; for a feed with none, webMaster"},
    {Field::tags, "tags", {},
     "every category, atom:category, dc:subject, itunes:category (nested too), itunes:keywords (split at commas) "
     "and media:category, in document order, each term once"},
    {Field::content, "content", {},
     "every atom:content (inline), content:encoded, body, xhtml:body and fullitem, in document order"},
    {Field::image, "image", {},
     "entry: the first of itunes:image, media:thumbnail, media:content of an image type; else an enclosure of an "
     "image type. Feed: image; else itunes:image"},
}};

const FieldRule* rule_of(Field field) {
  for (const FieldRule& rule : kTable)
    if (rule.field == field) return &rule;
  return nullptr;
}

}  // namespace

std::span<const FieldRule> precedence_table() { return kTable; }

int source_rank(Field field, std::string_view key) {
  const FieldRule* rule = rule_of(field);
  if (!rule) return -1;
  for (std::size_t rank = 0; rank < rule->ranks.size(); ++rank) {
    const auto& sources = rule->ranks[rank].sources;
    if (std::find(sources.begin(), sources.end(), key) != sources.end()) return static_cast<int>(rank);
  }
  return -1;
}

bool replaces(Field field, int rank, int held) {
  if (rank < 0) return false;
  if (held < 0 || rank < held) return true;
  if (rank > held) return false;
  return rule_of(field)->ranks[static_cast<std::size_t>(rank)].last_wins;
}

std::string precedence_markdown() {
  std::string out = "| field | sources, best first |\n|---|---|\n";
  for (const FieldRule& rule : kTable) {
    out += "| ";
    out += rule.name;
    out += " | ";
    out += rule.rule;
    out += " |\n";
  }
  return out;
}

}  // namespace sluice::feeds
