// The worker stage: one polled document in, its articles and its feed-state commit out.
//
// A feed document is parsed (at most max_items entries, the newest), each entry known by its
// identity and fingerprints (SeenEntries), new and edited ones built into articles (their pages
// fetched and cleaned first with `full_text`) and passed through the feed's keep and block rules
// (a blocked one remembered like a published one), within the feed's brakes (max_new_per_poll from the
// second document on, min_revision_interval between revisions). A listing page (`type: html`) has
// its article links found, and each new one fetched and cleaned. Articles go to the sink, oldest
// first, then the document's commit, which carries its validators and entries only when nothing
// was left for later.
//
// The worker tells the fetch stage what it learned (the feed's posting rate, a document to be
// fetched in full next time) and asks it for pages; it logs what concerns one page or link, and
// returns what concerns the document for its caller to log and count. Thread-safe: the daemon's
// worker threads share one.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "config/config.h"
#include "feeds/fetch/poller.h"
#include "feeds/parse/websub_links.h"
#include "pipeline/clean/article_json.h"
#include "pipeline/clean/cleaner.h"
#include "pipeline/state/seen_entries.h"
#include "pipeline/state/state_store.h"
#include "pipeline/work/work_item.h"

namespace sluice::pipeline {

// What one document came to.
struct DocumentOutput {
  std::string format;        // the parser's version name ("rss20", "atom10", ...); "html" for a listing page
  std::size_t listed = 0;    // entries (or article links) the document listed
  std::size_t fresh = 0;     // new articles handed on
  std::size_t edited = 0;    // revisions handed on
  std::size_t dropped = 0;   // entries past max_items, the oldest
  std::size_t deferred = 0;  // new entries past max_new_per_poll, left for the next poll
  std::size_t most_new = 0;  // how many new entries this document could take
  std::size_t held = 0;      // edits within min_revision_interval of their item's last publication
  std::size_t failed = 0;    // pages of a listing that could not be read (tried again next poll)
  std::size_t blocked = 0;   // new or edited items the feed's keep and block rules left out
  std::string repaired;      // what was wrong with a malformed document that still read; "" when none
};

struct DocumentError {
  enum class Kind {
    unreadable,  // not a feed at all (reason says why); polling goes on
    stopping,    // sluice is stopping: nothing committed, so it is fetched again on the next start
    closed,      // the sink took no more (the next stage is gone)
  };
  Kind kind;
  std::string reason;
};

class DocumentWorker {
 public:
  // Takes each article and commit; false when the next stage takes no more.
  using Sink = std::function<bool(WorkItem&&)>;

  // config, seen and fetch outlive the worker; `stopping` is read between entries.
  DocumentWorker(const config::Config& config, SeenEntries& seen, feeds::Poller& fetch, const std::atomic<bool>& stopping);

  std::expected<DocumentOutput, DocumentError> process(feeds::PolledDocument& document, const Sink& sink);

  // Told, for each feed document read, the WebSub hubs and topic it advertises and the URL it
  // came from. Call before the first process().
  using WebSubSeen = std::function<void(std::size_t feed, const feeds::WebSubLinks& links, std::string_view url)>;
  void on_websub(WebSubSeen seen) { websub_seen_ = std::move(seen); }

 private:
  std::expected<DocumentOutput, DocumentError> read_feed(feeds::PolledDocument& document, const Sink& sink);
  // A web page where a feed was configured: the feed it advertises (or a well-known path holds)
  // is read instead, and polled from then on.
  std::expected<DocumentOutput, DocumentError> discover(const feeds::PolledDocument& document,
                                                        const std::string& page_url, const std::string& page,
                                                        const Sink& sink);
  std::expected<DocumentOutput, DocumentError> read_entries(std::size_t feed, const feeds::FeedDocument& parsed,
                                                            DocumentCommit commit, feeds::Timestamp fetched,
                                                            const Sink& sink);
  std::expected<DocumentOutput, DocumentError> read_listing(feeds::PolledDocument& document, const Sink& sink);
  // Fetches the pages (all at once, through the fetch stage) and cleans each; nullopt for a page
  // that failed or did not come back in time.
  // Whether the feed's rules leave the article out (logged at debug, with the rule).
  bool blocked(const config::FeedConfig& feed, const feeds::Article& article) const;
  // One page through the fetch stage, waited for until deadline at most.
  feeds::FetchResult fetch_now(std::size_t feed, const std::string& url, std::chrono::steady_clock::time_point deadline);
  std::vector<std::optional<CleanedStory>> fetch_stories(std::size_t feed, const std::vector<std::string>& urls);

  const config::Config& config_;
  SeenEntries& seen_;
  feeds::Poller& fetch_;
  const std::atomic<bool>& stopping_;
  std::unique_ptr<std::atomic<bool>[]> no_links_warned_;  // per feed: an empty listing was reported
  WebSubSeen websub_seen_;
};

}  // namespace sluice::pipeline
