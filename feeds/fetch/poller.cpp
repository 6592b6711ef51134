#include "feeds/fetch/poller.h"

#include <algorithm>

#include "config/units.h"
#include "feeds/logging.h"
#include "feeds/urls.h"

namespace sluice::feeds {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

// Sleep at most this long, so a stop request is never waited on for longer.
constexpr milliseconds kMaxWait = 1s;
constexpr milliseconds kCoalesce = 25ms;
// How often the fetch stage logs a summary line.
constexpr auto kSummaryEvery = std::chrono::minutes(1);
// A poll put off because the feed's previous document is still under way is tried again after this.
constexpr milliseconds kHeldRecheck = 1s;
// Fetch tags from here on are page fetches; below are feed indexes.
constexpr std::uint64_t kFirstPageTag = std::uint64_t{1} << 62;

std::int64_t unix_seconds(std::chrono::system_clock::time_point at) {
  return std::chrono::duration_cast<std::chrono::seconds>(at.time_since_epoch()).count();
}

// The jar less the feed's configured cookies as configured (they are added to every request
// anyway): what is kept is what servers set, so a cookie taken out of the configuration goes.
std::string without_configured(const std::string& jar, const config::FeedConfig& feed, const std::string& url) {
  if (feed.cookies.empty()) return jar;
  const std::string host = host_name(url);
  std::string kept;
  for (std::size_t at = 0; at < jar.size();) {
    const std::size_t end = std::min(jar.find('\n', at), jar.size());
    const std::string_view line = std::string_view(jar).substr(at, end - at);
    at = end + 1;
    // Netscape cookie-file fields: domain, subdomains, path, secure, expiry, name, value.
    std::vector<std::string_view> fields;
    for (std::size_t start = 0; start <= line.size();) {
      const std::size_t tab = std::min(line.find('\t', start), line.size());
      fields.push_back(line.substr(start, tab - start));
      start = tab + 1;
    }
    const bool configured =
        fields.size() == 7 && fields[0] == host &&
        std::any_of(feed.cookies.begin(), feed.cookies.end(),
                    [&](const auto& cookie) { return fields[5] == cookie.first && fields[6] == cookie.second; });
    if (!configured) kept.append(line).push_back('\n');
  }
  return kept;
}

}  // namespace

Poller::Poller(const config::Config& config, std::vector<PollState> initial, Sink sink, Scheduled scheduled,
               Observed observed, const Clock& clock, bool owned)
    : config_(config),
      clock_(clock),
      sink_(std::move(sink)),
      scheduled_(std::move(scheduled)),
      observed_(std::move(observed)),
      fetcher_([this](std::uint64_t tag, FetchResult result) {
        if (tag >= kFirstPageTag) on_page_done(tag, std::move(result));
        else on_done(tag, std::move(result));
      }),
      state_(config.feeds.size()),
      next_page_tag_(kFirstPageTag),
      last_turn_(clock.now().time_since_epoch().count()),
      owned_until_(std::make_unique<std::atomic<TimePoint::rep>[]>(config.feeds.size())),
      in_flight_(std::make_unique<std::atomic<bool>[]>(config.feeds.size())),
      due_at_(config.feeds.size()) {
  const auto now = clock_.now();
  summary_.since = now;
  const std::int64_t wall = unix_seconds(clock_.wall());
  for (std::size_t i = 0; i < config_.feeds.size(); ++i) {
    const config::FeedConfig& feed = config_.feeds[i];
    milliseconds delay{0};
    if (i < initial.size()) {
      state_[i] = FeedState{std::move(initial[i].etag), std::move(initial[i].last_modified), initial[i].errors,
                            std::move(initial[i].url), std::move(initial[i].redirect_target),
                            initial[i].redirect_streak, std::move(initial[i].cookies), Cadence{}};
      // A restart resumes the schedule (never later than one interval from now, in case the
      // interval was shortened); it does not poll early.
      if (initial[i].next_due > wall)
        delay = std::min<milliseconds>(std::chrono::seconds(initial[i].next_due - wall), feed.poll.interval);
    }
    if (state_[i].url.empty()) state_[i].url = feed.url;
    if (state_[i].errors > 0) ++failing_;
    host_of_.push_back(host_key(state_[i].url));
    // Feeds due now start spread out so they do not fire together: over a second for a few feeds,
    // longer for many (5 ms a feed), never beyond the feed's interval.
    const milliseconds spread =
        std::min<milliseconds>(feed.poll.interval, std::max<milliseconds>(1s, 5ms * static_cast<long>(config_.feeds.size())));
    std::uniform_int_distribution<milliseconds::rep> pick(0, spread.count());
    owned_until_[i] = owned ? TimePoint::max().time_since_epoch().count() : 0;
    if (owned) schedule(i, now + (delay.count() > 0 ? delay : milliseconds(pick(random_))));
  }
}

void Poller::schedule(std::size_t feed, Scheduler::TimePoint at) {
  due_at_[feed] = at;
  scheduler_.schedule(feed, at);
}

void Poller::set_aside(std::size_t feed) {
  // A lapsed lease may yet be renewed (extend()); a feed given away waits for own().
  if (owned_until_[feed].load() != 0) schedule(feed, clock_.now() + 1s);
}

void Poller::own(std::size_t feed, std::optional<PollState> state, TimePoint until) {
  {
    const std::lock_guard lock(handovers_mutex_);
    handovers_.push_back({feed, std::move(state), until});
  }
  fetcher_.wakeup();
}

void Poller::extend(std::size_t feed, TimePoint until) noexcept {
  // Only while owned: a feed given away (0) stays so until own() hands it over again.
  auto current = owned_until_[feed].load();
  while (current != 0 && !owned_until_[feed].compare_exchange_weak(current, until.time_since_epoch().count())) {
  }
}

void Poller::take_handovers() {
  std::vector<Handover> handovers;
  {
    const std::lock_guard lock(handovers_mutex_);
    handovers.swap(handovers_);
  }
  const auto now = clock_.now();
  const std::int64_t wall = unix_seconds(clock_.wall());
  for (auto& [feed, given, until] : handovers) {
    if (feed >= state_.size()) continue;
    const config::FeedConfig& source = config_.feeds[feed];
    FeedState& state = state_[feed];
    milliseconds delay{0};
    if (given) {
      const bool failing_before = state.errors > 0;
      state.etag = std::move(given->etag);
      state.last_modified = std::move(given->last_modified);
      state.errors = given->errors;
      state.cookies = std::move(given->cookies);
      // A poll still in flight counts against its server until it ends: the URL stays till then.
      if (!in_flight_[feed]) {
        state.url = given->url.empty() ? source.url : std::move(given->url);
        state.redirect_target = std::move(given->redirect_target);
        state.redirect_streak = given->redirect_streak;
        host_of_[feed] = host_key(state.url);
      }
      if (failing_before != (state.errors > 0)) state.errors > 0 ? ++failing_ : --failing_;
      if (given->next_due > wall)
        delay = std::min<milliseconds>(std::chrono::seconds(given->next_due - wall), source.poll.interval);
    }
    // Feeds taken over together start spread over a second, so a shard does not fire at once.
    std::uniform_int_distribution<milliseconds::rep> pick(0, 1000);
    owned_until_[feed] = until.time_since_epoch().count();
    schedule(feed, now + (delay.count() > 0 ? delay : milliseconds(pick(random_))));
  }
}

void Poller::run(std::stop_token stop) {
  const std::stop_callback wake(stop, [this] { fetcher_.wakeup(); });
  while (!stop.stop_requested()) turn(kMaxWait);
  fail_pending_pages();
}

void Poller::turn(milliseconds longest_wait) {
  last_turn_ = clock_.now().time_since_epoch().count();
  take_handovers();
  apply_hints();
  take_page_requests();
  // Pages held back by a server's back-off start when it ends.
  if (!pages_.empty())
    for (auto& [name, host] : hosts_)
      if (!host.waiting_pages.empty()) make_room(host);
  const auto now = clock_.now();
  if (now - summary_.since >= kSummaryEvery) log_summary();
  start_due(now);
  milliseconds wait = longest_wait;
  // Polls due within kCoalesce of each other start on one wakeup, not one wakeup each.
  if (const auto due = scheduler_.next_due())
    wait = std::clamp(std::chrono::duration_cast<milliseconds>(*due - now), std::min(kCoalesce, longest_wait),
                      longest_wait);
  fetcher_.poll(wait);
}

bool Poller::idle() const {
  if (fetcher_.active() > 0 || !pages_.empty()) return false;
  {
    const std::lock_guard lock(pages_mutex_);
    if (!page_requests_.empty()) return false;
  }
  const auto due = scheduler_.next_due();
  return !due || *due > clock_.now();
}

void Poller::fetch_page(std::size_t feed, std::string url, PageDone done) {
  {
    const std::lock_guard lock(pages_mutex_);
    if (!stopped_) {
      page_requests_.push_back({feed, std::move(url), std::move(done), {}});
      fetcher_.wakeup();
      return;
    }
  }
  done(std::unexpected(FetchError{"sluice is stopping", 0, std::nullopt}));
}

void Poller::take_page_requests() {
  std::vector<PageFetch> requests;
  {
    const std::lock_guard lock(pages_mutex_);
    requests.swap(page_requests_);
  }
  const auto now = clock_.now();
  for (PageFetch& request : requests) {
    request.host = host_key(request.url);
    const std::uint64_t tag = next_page_tag_++;
    HostState& host = hosts_[request.host];
    pages_.emplace(tag, std::move(request));
    if (host.active < config_.hosts.per_host && now >= host.blocked_until) start_page(tag, host);
    else host.waiting_pages.push_back(tag);
  }
}

void Poller::start_page(std::uint64_t tag, HostState& host) {
  const PageFetch& page = pages_.at(tag);
  const config::FeedConfig& source = config_.feeds[page.feed];
  FetchRequest request;
  request.tag = tag;
  request.url = page.url;
  request.user_agent = config_.user_agent;
  request.timeout = source.poll.timeout;
  request.max_body = source.poll.max_body;
  request.proxy = source.proxy;
  request.cookies = state_[page.feed].cookies;  // bound to their domains: sent only where they belong
  // A link is never trusted: http or https only, and private addresses only on the feed's own
  // configured server (or anywhere, for a feed that allows private links).
  request.public_only = !source.allow_private;
  request.trusted_host = host_name(source.url);
  fetcher_.start(request);
  ++host.active;
}

void Poller::on_page_done(std::uint64_t tag, FetchResult result) {
  const auto found = pages_.find(tag);
  if (found == pages_.end()) return;
  PageFetch page = std::move(found->second);
  pages_.erase(found);
  HostState& host = hosts_[page.host];
  --host.active;
  if (!result && (result.error().status == 429 || result.error().status == 503))
    back_off_host(host, page.host,
                  result.error().retry_after ? milliseconds(*result.error().retry_after) : config_.defaults.interval);
  if (result && !result->cookies.empty()) state_[page.feed].cookies = result->cookies;
  page.done(std::move(result));
  make_room(host);
}

void Poller::make_room(HostState& host) {
  // Held-back feeds go first: polls keep their schedule, pages only wait for them.
  while (host.active < config_.hosts.per_host && clock_.now() >= host.blocked_until) {
    if (!host.waiting.empty()) {
      const Scheduler::Due held = host.waiting.front();
      host.waiting.pop_front();
      start(held, host);
    } else if (!host.waiting_pages.empty()) {
      const std::uint64_t held = host.waiting_pages.front();
      host.waiting_pages.pop_front();
      start_page(held, host);
    } else {
      break;
    }
  }
}

void Poller::fail_pending_pages() {
  {
    const std::lock_guard lock(pages_mutex_);
    stopped_ = true;
    for (PageFetch& request : page_requests_) pages_.emplace(next_page_tag_++, std::move(request));
    page_requests_.clear();
  }
  for (auto& [tag, page] : pages_) page.done(std::unexpected(FetchError{"sluice is stopping", 0, std::nullopt}));
  pages_.clear();
  for (auto& [name, host] : hosts_) host.waiting_pages.clear();
}

void Poller::start_due(Scheduler::TimePoint now) {
  while (const auto due = scheduler_.pop_due(now)) {
    // An entry made void by a later one (the feed changed hands), or of a feed given away.
    if (due->at != due_at_[due->feed]) continue;
    if (!owned(due->feed, now)) {
      set_aside(due->feed);
      continue;
    }
    HostState& host = hosts_[host_of_[due->feed]];
    if (now < host.blocked_until) schedule(due->feed, host.blocked_until + jittered(100ms));
    else if (host.active >= config_.hosts.per_host) host.waiting.push_back(*due);
    else start(*due, host);
  }
}

void Poller::start(const Scheduler::Due& due, HostState& host) {
  const std::size_t feed = due.feed;
  if (hold_while_ && hold_while_(feed)) {
    ++summary_.held;
    schedule(feed, clock_.now() + kHeldRecheck);
    return;
  }
  // In flight first, then the ownership check: see in_flight_.
  in_flight_[feed] = true;
  if (!owned(feed, clock_.now())) {
    in_flight_[feed] = false;
    set_aside(feed);
    return;
  }
  summary_.lateness.push_back(std::chrono::duration_cast<milliseconds>(clock_.now() - due.at));
  const config::FeedConfig& source = config_.feeds[feed];
  const FeedState& state = state_[feed];
  FetchRequest request;
  request.tag = feed;
  request.url = state.url;
  request.etag = state.etag;
  request.last_modified = state.last_modified;
  request.user_agent = config_.user_agent;
  request.timeout = source.poll.timeout;
  request.max_body = source.poll.max_body;
  request.headers = source.headers;
  request.username = source.username;
  request.password = source.password;
  request.proxy = source.proxy;
  request.cookies = state.cookies;
  // The configured URL is trusted (file: too, private addresses too); where it redirects is not,
  // nor a URL adopted since (a permanent redirect's target, a discovered feed).
  request.configured = state.url == source.url;
  request.public_only = !source.allow_private;
  request.trusted_host = host_name(source.url);
  // Configured cookies come last, so they win over a server's cookie of the same name.
  if (const std::string server = host_name(state.url); !server.empty())
    for (const auto& [name, value] : source.cookies) request.cookies.append(cookie_line(server, name, value)).push_back('\n');
  fetcher_.start(request);
  ++host.active;
}

void Poller::back_off_host(HostState& host, const std::string& name, milliseconds wait) {
  static const auto log = logger("fetch");
  host.blocked_until = std::max(host.blocked_until, clock_.now() + wait);
  log->warn("host asked to back off host={} for={} feeds_held={}", name, config::format_duration(wait),
            host.waiting.size());
  // Feeds queued for this host wait out the block in the schedule instead.
  for (const Scheduler::Due& waiting : host.waiting)
    if (owned(waiting.feed, clock_.now())) schedule(waiting.feed, host.blocked_until + jittered(100ms));
  host.waiting.clear();
}

void Poller::log_summary() {
  static const auto log = logger("fetch");
  auto percentile = [&](double p) -> long long {
    if (summary_.lateness.empty()) return 0;
    const auto at = summary_.lateness.begin() + static_cast<std::ptrdiff_t>(p * static_cast<double>(summary_.lateness.size() - 1));
    std::nth_element(summary_.lateness.begin(), at, summary_.lateness.end());
    return at->count();
  };
  std::size_t in_flight = 0;
  std::size_t held = 0;
  for (const auto& [name, host] : hosts_) {
    in_flight += host.active;
    held += host.waiting.size();
  }
  log->info("poll summary feeds={} started={} fetched={} not_modified={} errors={} in_flight={} held={} "
            "put_off_busy={} lateness_p50_ms={} lateness_p99_ms={}",
            config_.feeds.size(), summary_.lateness.size(), summary_.fetched, summary_.not_modified, summary_.errors,
            in_flight, held, summary_.held, percentile(0.50), percentile(0.99));
  summary_ = Summary{};
  summary_.since = clock_.now();
}

void Poller::hint(std::size_t feed, std::optional<milliseconds> adapted, std::chrono::seconds ttl) {
  const std::lock_guard lock(hints_mutex_);
  hints_.push_back({feed, adapted, ttl, false, {}});
  fetcher_.wakeup();
}

void Poller::refetch(std::size_t feed) {
  const std::lock_guard lock(hints_mutex_);
  hints_.push_back({feed, std::nullopt, std::chrono::seconds(0), true, {}});
}

void Poller::adopt(std::size_t feed, std::string url) {
  const std::lock_guard lock(hints_mutex_);
  hints_.push_back({feed, std::nullopt, std::chrono::seconds(0), false, std::move(url)});
  fetcher_.wakeup();
}

void Poller::apply_hints() {
  std::vector<Hint> hints;
  {
    const std::lock_guard lock(hints_mutex_);
    hints.swap(hints_);
  }
  std::vector<Hint> later;
  for (Hint& hint : hints) {
    if (hint.feed >= state_.size()) continue;
    if (!hint.adopt.empty()) {
      // A poll in flight counts against its server until it ends: the URL changes after it.
      if (in_flight_[hint.feed]) {
        later.push_back(std::move(hint));
        continue;
      }
      FeedState& state = state_[hint.feed];
      state.url = std::move(hint.adopt);
      state.redirect_target.clear();
      state.redirect_streak = 0;
      state.etag.clear();
      state.last_modified.clear();
      host_of_[hint.feed] = host_key(state.url);
      // Kept now, so a restart before the next poll does not look for the feed again.
      const auto due = due_at_[hint.feed];
      report(hint.feed, std::max<milliseconds>(std::chrono::duration_cast<milliseconds>(due - clock_.now()), 0ms),
             "feed discovered at " + state.url);
      continue;
    }
    if (hint.refetch) {
      state_[hint.feed].etag.clear();
      state_[hint.feed].last_modified.clear();
      continue;
    }
    state_[hint.feed].cadence.adapted = hint.adapted;
    state_[hint.feed].cadence.ttl = hint.ttl;
  }
  if (!later.empty()) {
    const std::lock_guard lock(hints_mutex_);
    hints_.insert(hints_.end(), std::make_move_iterator(later.begin()), std::make_move_iterator(later.end()));
  }
}

void Poller::follow_redirects(std::size_t feed, const FetchResponse& response) {
  static const auto log = logger("fetch");
  FeedState& state = state_[feed];
  if (!response.moved_permanently || response.effective_url.empty() || response.effective_url == state.url) {
    state.redirect_target.clear();
    state.redirect_streak = 0;
    return;
  }
  if (response.effective_url != state.redirect_target) {
    state.redirect_target = response.effective_url;
    state.redirect_streak = 0;
  }
  if (++state.redirect_streak < kRedirectsToAdopt) return;
  log->info("feed moved permanently feed={} from={} to={} polls={}", config_.feeds[feed].name, state.url,
            state.redirect_target, state.redirect_streak);
  state.url = std::move(state.redirect_target);
  state.redirect_target.clear();
  state.redirect_streak = 0;
  host_of_[feed] = host_key(state.url);  // in-flight counts stay with the old host until they finish
}

milliseconds Poller::jittered(milliseconds delay) {
  // ±5%, so feeds that happen to share an interval drift apart instead of firing together.
  const auto spread = delay.count() / 20;
  std::uniform_int_distribution<milliseconds::rep> pick(-spread, spread);
  return delay + milliseconds(pick(random_));
}

void Poller::on_done(std::size_t feed, FetchResult result) {
  static const auto log = logger("fetch");
  const config::FeedConfig& source = config_.feeds[feed];
  FeedState& state = state_[feed];
  HostState& host = hosts_[host_of_[feed]];
  --host.active;
  if (!owned(feed, clock_.now())) {
    // Given away while in flight, or its lease lapsed: another instance may poll it now, and
    // passes on what it finds.
    in_flight_[feed] = false;
    set_aside(feed);
    make_room(host);
    return;
  }
  milliseconds next = source.poll.interval;
  std::string outcome;

  if (observed_) observed_(feed, result);
  // A feed counts as failing from its first failed poll until one succeeds.
  if (!result && state.errors == 0) ++failing_;
  if (result && state.errors > 0) --failing_;
  if (!result) {
    ++summary_.errors;
    ++state.errors;
    // Exponential backoff: interval, 2x, 4x ... capped at max_interval.
    const int doublings = std::min(state.errors - 1, 16);
    next = std::min<milliseconds>(source.poll.interval * (1LL << doublings), source.poll.max_interval);
    if (result.error().status == 429 || result.error().status == 503) {
      // The whole server is busy: hold back all its feeds for as long as it asked (or the backoff).
      const milliseconds wait = result.error().retry_after ? milliseconds(*result.error().retry_after) : next;
      back_off_host(host, host_of_[feed], wait);
      next = std::max(next, wait);
    }
    log->warn("feed fetch failed feed={} url={} error=\"{}\" errors={} retry_in={}", source.name, state.url,
              result.error().reason, state.errors, config::format_duration(next));
    outcome = result.error().reason;
  } else {
    state.errors = 0;
    follow_redirects(feed, *result);
    state.cadence.fresh_for = result->fresh_for;
    state.cookies = without_configured(result->cookies, source, state.url);
    next = next_interval(source.poll, state.cadence);
    if (slow_while_ && slow_while_(feed)) next = std::max<milliseconds>(next, source.poll.websub_interval);
    if (result->not_modified()) {
      ++summary_.not_modified;
      log->debug("feed not modified feed={} ms={}", source.name, result->elapsed.count());
      outcome = "304 not modified";
    } else {
      ++summary_.fetched;
      log->info("feed fetched feed={} status={} bytes={} ms={}", source.name, result->status, result->body.size(),
                result->elapsed.count());
      outcome = std::to_string(result->status) + ", " + std::to_string(result->body.size()) + " bytes";
      std::string etag = result->etag;
      std::string last_modified = result->last_modified;
      if (sink_(PolledDocument{feed, std::move(*result), std::chrono::floor<std::chrono::seconds>(clock_.wall())})) {
        state.etag = std::move(etag);
        state.last_modified = std::move(last_modified);
      } else {
        state.etag.clear();
        state.last_modified.clear();
      }
    }
  }
  const milliseconds delay = jittered(next);
  schedule(feed, clock_.now() + delay);
  // A finished transfer makes room for a feed or page of the same server that was held back.
  make_room(host);
  report(feed, delay, std::move(outcome));
  in_flight_[feed] = false;
}

void Poller::report(std::size_t feed, milliseconds delay, std::string last_status) {
  if (!scheduled_) return;
  const FeedState& state = state_[feed];
  const auto wall = clock_.wall();
  PollState reported;
  reported.next_due = unix_seconds(wall + delay);
  reported.errors = state.errors;
  reported.url = state.url;
  reported.redirect_target = state.redirect_target;
  reported.redirect_streak = state.redirect_streak;
  reported.cookies = state.cookies;
  reported.last_polled = unix_seconds(wall);
  reported.last_status = std::move(last_status);
  scheduled_(feed, reported);
}

}  // namespace sluice::feeds
