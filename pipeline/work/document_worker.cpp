#include "pipeline/work/document_worker.h"

#include <algorithm>
#include <chrono>
#include <future>
#include <ranges>

#include "config/units.h"
#include "feeds/fetch/cadence.h"
#include "feeds/identity.h"
#include "feeds/logging.h"
#include "feeds/parse/encoding.h"
#include "feeds/parse/feed_parser.h"
#include "feeds/urls.h"
#include "pipeline/clean/article_builder.h"
#include "pipeline/clean/feed_discovery.h"
#include "pipeline/clean/link_discovery.h"
#include "pipeline/clean/page_dom.h"
#include "pipeline/work/article_rules.h"

namespace sluice::pipeline {
namespace {

using namespace std::chrono_literals;

// Article links a listing page's poll follows, at most: a listing page is not a crawl.
constexpr std::size_t kMaxLinksPerPoll = 100;

// The longest a search for the feed behind a web page may take, all candidates together.
constexpr auto kDiscoveryBudget = std::chrono::minutes(2);

std::unexpected<DocumentError> error(DocumentError::Kind kind, std::string reason = {}) {
  return std::unexpected(DocumentError{kind, std::move(reason)});
}

}  // namespace

DocumentWorker::DocumentWorker(const config::Config& config, SeenEntries& seen, feeds::Poller& fetch,
                               const std::atomic<bool>& stopping)
    : config_(config),
      seen_(seen),
      fetch_(fetch),
      stopping_(stopping),
      no_links_warned_(std::make_unique<std::atomic<bool>[]>(config.feeds.size())) {}

std::expected<DocumentOutput, DocumentError> DocumentWorker::process(feeds::PolledDocument& document,
                                                                     const Sink& sink) {
  if (config_.feeds[document.feed].type == config::FeedConfig::Type::html) return read_listing(document, sink);
  return read_feed(document, sink);
}

std::expected<DocumentOutput, DocumentError> DocumentWorker::read_feed(feeds::PolledDocument& document,
                                                                       const Sink& sink) {
  const config::FeedConfig& feed = config_.feeds[document.feed];
  const std::string& url = document.response.effective_url.empty() ? feed.url : document.response.effective_url;
  const feeds::FetchResponse& response = document.response;
  // A web page where a feed was configured may advertise the feed: its markup is kept for that.
  std::string page;
  if (feeds::is_http_url(url) && is_web_page(response.body, response.content_type))
    page = response.body;
  auto parsed = feeds::parse_feed(std::move(document.response.body),
                                  feeds::Served{url, response.content_type, response.content_location,
                                                response.content_language},
                                  feed.poll.max_items);
  if (!parsed && !page.empty()) return discover(document, url, page, sink);
  if (!parsed) return error(DocumentError::Kind::unreadable, std::move(parsed.error().reason));
  if (websub_seen_) websub_seen_(document.feed, feeds::websub_links(*parsed, response.links, url), url);
  DocumentCommit commit{feed.name, response.etag, response.last_modified, {}};
  commit.validators = !document.pushed;
  return read_entries(document.feed, *parsed, std::move(commit), document.fetched, sink);
}

feeds::FetchResult DocumentWorker::fetch_now(std::size_t feed, const std::string& url,
                                             std::chrono::steady_clock::time_point deadline) {
  auto promise = std::make_shared<std::promise<feeds::FetchResult>>();
  auto pending = promise->get_future();
  fetch_.fetch_page(feed, url, [promise](feeds::FetchResult result) { promise->set_value(std::move(result)); });
  if (pending.wait_until(deadline) != std::future_status::ready)
    return std::unexpected(feeds::FetchError{"not fetched in time", 0, std::nullopt});
  return pending.get();
}

std::expected<DocumentOutput, DocumentError> DocumentWorker::discover(const feeds::PolledDocument& document,
                                                                      const std::string& page_url,
                                                                      const std::string& page, const Sink& sink) {
  static const auto log = logger("fetch");
  const config::FeedConfig& feed = config_.feeds[document.feed];
  std::vector<FeedCandidate> candidates;
  {
    const feeds::DecodedDocument decoded = feeds::decode_document(page, document.response.content_type);
    const PageDom dom(decoded.text());
    candidates = feed_candidates(dom, page_url);
  }
  // The candidates are tried one at a time, within one budget for all, so a page full of dead links
  // holds its worker for a bounded time.
  const auto deadline = std::chrono::steady_clock::now() + kDiscoveryBudget;
  Discovery discovery = try_candidates(
      candidates,
      [&](const std::string& url) -> feeds::FetchResult {
        if (stopping_) return std::unexpected(feeds::FetchError{"sluice is stopping", 0, std::nullopt});
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline)
          return std::unexpected(feeds::FetchError{"not tried: the search took its " +
                                                       config::format_duration(kDiscoveryBudget) + " already",
                                                   0, std::nullopt});
        return fetch_now(document.feed, url, std::min(deadline, now + feed.poll.timeout + 5s));
      },
      1, feed.poll.max_items);
  if (stopping_) return error(DocumentError::Kind::stopping);
  if (discovery.found.empty())
    return error(DocumentError::Kind::unreadable,
                 "a web page, not a feed, and no feed found for it: " + nothing_found(discovery) +
                     " (to read the page's articles instead: type: html with a links selector)");
  FoundFeed& found = discovery.found.front();
  log->info("feed discovered feed={} page={} url={} via=\"{}\" format={} entries={}", feed.name, page_url,
            found.candidate.url, source_name(found.candidate.source), found.document.version,
            found.document.entries.size());
  fetch_.adopt(document.feed, found.candidate.url);
  if (websub_seen_)
    websub_seen_(document.feed, feeds::websub_links(found.document, found.response.links, found.candidate.url),
                 found.candidate.url);
  return read_entries(document.feed, found.document,
                      {feed.name, found.response.etag, found.response.last_modified, {}}, document.fetched, sink);
}

std::expected<DocumentOutput, DocumentError> DocumentWorker::read_entries(std::size_t feed_index,
                                                                          const feeds::FeedDocument& parsed,
                                                                          DocumentCommit commit,
                                                                          feeds::Timestamp fetched, const Sink& sink) {
  const config::FeedConfig& feed = config_.feeds[feed_index];
  const auto posting = feeds::posting_interval(parsed);
  fetch_.hint(feed_index, posting ? std::optional(feeds::adapted_interval(*posting)) : std::nullopt,
              parsed.feed.ttl.value_or(std::chrono::minutes(0)));
  DocumentOutput out;
  out.format = parsed.version;
  out.listed = parsed.entries.size() + parsed.entries_dropped;
  out.dropped = parsed.entries_dropped;
  if (parsed.bozo) out.repaired = parsed.bozo_reason;
  // A feed's first document is its backlog (max_items bounds it); from then on, new entries past
  // max_new_per_poll in one document are a flood, and wait.
  out.most_new = seen_.knows(feed.name) ? feed.poll.max_new_per_poll : feed.poll.max_items;
  std::vector<feeds::Article> articles;
  std::vector<std::string> links;
  std::size_t new_seen = 0;
  const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(fetched.time_since_epoch()).count();
  const auto min_gap = std::chrono::duration_cast<std::chrono::seconds>(feed.poll.min_revision_interval);
  // Feeds list newest first; publishing oldest first keeps the stream in story order.
  for (const feeds::Entry& entry : parsed.entries | std::views::reverse) {
    if (stopping_) return error(DocumentError::Kind::stopping);
    std::string key = feeds::entry_key(entry);
    if (!seen_.contains(feed.name, key) && new_seen++ >= out.most_new) {
      ++out.deferred;
      continue;
    }
    const std::uint64_t content = entry_fingerprint(entry);
    const auto change = seen_.observe(feed.name, key, content);
    if (change == SeenEntries::Change::same) continue;
    feeds::Article article = make_article(feed, parsed.feed, entry, fetched);
    auto settled = seen_.settle(feed.name, key, change, content, text_fingerprint(article), now, min_gap);
    if (settled.held) {
      ++out.held;
      continue;
    }
    if (settled.publish) {
      article.revision = static_cast<int>(settled.entry.revision);
      out.edited += article.revision > 1;
      links.push_back(article.url.value_or(""));
      articles.push_back(std::move(article));
    }
    // An edit of markup alone is remembered too, so it is not cleaned again on every poll.
    commit.entries.push_back(std::move(settled.entry));
  }
  if (feed.full_text && !articles.empty()) {
    const auto stories = fetch_stories(feed_index, links);
    std::size_t used = 0;
    for (std::size_t i = 0; i < articles.size(); ++i)
      if (stories[i] && use_page_body(*stories[i], articles[i])) ++used;
    logger("clean")->info("full text fetched feed={} items={} pages_used={}", feed.name, articles.size(), used);
  }
  // A blocked item's identity is in the commit all the same: it is not looked at again until edited.
  out.blocked = std::erase_if(articles, [&](const feeds::Article& article) { return blocked(feed, article); });
  out.edited = static_cast<std::size_t>(std::ranges::count_if(articles, [](const feeds::Article& article) {
    return article.revision > 1;
  }));
  out.fresh = articles.size() - out.edited;
  if (out.deferred > 0 || out.held > 0) {
    // What waits must be read again: the next poll fetches the document in full, not conditionally.
    commit.etag.clear();
    commit.last_modified.clear();
    commit.validators = true;
    fetch_.refetch(feed_index);
  }
  for (const feeds::Article& article : articles)
    if (!sink(prepare_article(article))) return error(DocumentError::Kind::closed);
  if (!sink(std::move(commit))) return error(DocumentError::Kind::closed);
  return out;
}

bool DocumentWorker::blocked(const config::FeedConfig& feed, const feeds::Article& article) const {
  static const auto log = logger("clean");
  const std::string rule = blocked_by(feed.rules, article);
  if (rule.empty()) return false;
  log->debug("article blocked feed={} url={} title=\"{}\" rule=\"{}\"", feed.name, article.url.value_or(""),
             article.title, rule);
  return true;
}

std::vector<std::optional<CleanedStory>> DocumentWorker::fetch_stories(std::size_t feed,
                                                                      const std::vector<std::string>& urls) {
  static const auto log = logger("clean");
  const config::FeedConfig& source = config_.feeds[feed];
  std::vector<std::future<feeds::FetchResult>> pending;
  for (const std::string& url : urls) {
    auto promise = std::make_shared<std::promise<feeds::FetchResult>>();
    pending.push_back(promise->get_future());
    if (url.empty()) {
      promise->set_value(std::unexpected(feeds::FetchError{"the item has no link", 0, std::nullopt}));
      continue;
    }
    fetch_.fetch_page(feed, url, [promise](feeds::FetchResult result) { promise->set_value(std::move(result)); });
  }
  // Pages of one server queue behind its per-host limit: allow a timeout per round of them.
  const auto rounds = 1 + urls.size() / std::max(1U, config_.hosts.per_host);
  const auto deadline = std::chrono::steady_clock::now() + source.poll.timeout * static_cast<long>(rounds) + 5s;
  std::vector<std::optional<CleanedStory>> stories(urls.size());
  for (std::size_t i = 0; i < urls.size(); ++i) {
    if (pending[i].wait_until(deadline) != std::future_status::ready) {
      log->warn("page not fetched in time feed={} url={}; the feed's own content is used", source.name, urls[i]);
      continue;
    }
    feeds::FetchResult result = pending[i].get();
    if (!result) {
      if (!urls[i].empty())
        log->warn("page fetch failed feed={} url={} error=\"{}\"; the feed's own content is used", source.name,
                  urls[i], result.error().reason);
      continue;
    }
    const std::string& page_url = result->effective_url.empty() ? urls[i] : result->effective_url;
    const feeds::DecodedDocument decoded = feeds::decode_document(result->body, result->content_type);
    stories[i] = clean_page(decoded.text(), page_url, nullptr, &source.pages);
    if (stories[i]->content_missed)
      log->warn("content selector matched nothing feed={} url={} content=\"{}\"; the page was extracted without it",
                source.name, page_url, source.pages.content->text);
    if (!stories[i]->problem.empty())
      log->warn("page too large or deep to read whole feed={} url={} problem=\"{}\"; the rest was cleaned",
                source.name, page_url, stories[i]->problem);
    log->debug("page cleaned feed={} url={} blocks={}", source.name, page_url, stories[i]->blocks.size());
  }
  return stories;
}

std::expected<DocumentOutput, DocumentError> DocumentWorker::read_listing(feeds::PolledDocument& document,
                                                                          const Sink& sink) {
  static const auto log = logger("clean");
  const config::FeedConfig& feed = config_.feeds[document.feed];
  const std::string& url = document.response.effective_url.empty() ? feed.url : document.response.effective_url;
  const feeds::DecodedDocument decoded = feeds::decode_document(document.response.body, document.response.content_type);
  std::vector<std::string> links;
  {
    const PageDom dom(decoded.text());
    links = discover_links(dom, feed.links, url, kMaxLinksPerPoll);
    if (!dom.problem().empty())
      log->warn("page too large or deep to read whole feed={} url={} problem=\"{}\"; links were taken from the rest",
                feed.name, url, dom.problem());
  }
  DocumentOutput out;
  out.format = "html";
  out.listed = links.size();
  std::erase_if(links, [&](const std::string& link) { return seen_.contains(feed.name, link); });
  // An empty listing is worth one warning (a wrong selector, a redesigned page), not one per poll;
  // another comes after the selector has matched again.
  std::atomic<bool>& warned = no_links_warned_[document.feed];
  if (out.listed == 0 && !warned.exchange(true))
    log->warn("no article links on the page feed={} url={} links=\"{}\"; check the selector if this lasts",
              feed.name, url, feed.links.text);
  else if (out.listed > 0)
    warned = false;
  // Links are listed newest first, as feeds are: publishing oldest first keeps story order.
  std::reverse(links.begin(), links.end());
  const auto stories = fetch_stories(document.feed, links);
  for (std::size_t i = 0; i < links.size(); ++i) out.failed += !stories[i] || stories[i]->blocks.empty();
  // With pages left to read, the listing is fetched in full next time, so they are tried again.
  if (out.failed > 0) fetch_.refetch(document.feed);
  DocumentCommit commit{feed.name, out.failed ? "" : document.response.etag,
                        out.failed ? "" : document.response.last_modified, {}};
  for (std::size_t i = 0; i < links.size(); ++i) {
    // A page that failed is not remembered, so the next poll tries it again.
    if (!stories[i] || stories[i]->blocks.empty() || !seen_.insert(feed.name, links[i])) continue;
    commit.entries.push_back({links[i]});
    const feeds::Article article = make_page_article(feed, *stories[i], links[i], document.fetched);
    if (blocked(feed, article)) {
      ++out.blocked;
      continue;
    }
    if (!sink(prepare_article(article))) return error(DocumentError::Kind::closed);
    ++out.fresh;
  }
  if (!sink(std::move(commit))) return error(DocumentError::Kind::closed);
  return out;
}

}  // namespace sluice::pipeline
