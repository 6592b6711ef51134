#!/usr/bin/env python3
"""Serves the demo feeds and pages of config/demo/ on 127.0.0.1 and releases their items over time.

Each feed starts with its oldest item and gains one more every --step seconds, so a subscriber
sees articles arrive as on a live site. A front page (HTML) releases its <article> teasers the same
way; article pages are served as they are. Responses carry ETag and Last-Modified and answer
conditional requests with 304, like a well-behaved feed server.

Once the bundled items are out, the two RSS feeds go on with new stories, one every --step seconds
for as long as the server runs, in a cycle of five: a new story in meridian-world, one in
harbour-gazette, the gazette's copy of the world story before (syndicated: its link is the
original's, so sluice publishes it once), another world story, and an edit of that one (same guid,
a paragraph added: sluice publishes it again as revision 2).
"""
import argparse
import email.utils
import hashlib
import html
import http.server
import pathlib
import re
import sys
import time

ITEM = re.compile(rb"<(item|entry|article class=\"teaser\")[\s>].*?</(item|entry|article)>", re.S)


def split_feed(data):
    """Returns (head, items, tail): the document around its items, the items newest first."""
    items = list(ITEM.finditer(data))
    if not items:
        return data, [], b""
    head = data[: items[0].start()]
    tail = data[items[-1].end():]
    return head, [m.group(0) for m in items], tail


TOWNS = ["Northwick", "Eastmere", "Port Aven", "Kelby", "Lowford", "Ashcombe", "Brindle Bay", "Carrow",
         "Dunmore", "Fenwick", "Glenhollow", "Harlow Cross", "Ivybridge", "Marston Quay", "Oakhaven", "Redcliff"]
PEOPLE = ["Maria Okafor", "Tom Lindqvist", "Aisha Rahman", "Pedro Alves", "Hannah Weiss", "Kenji Mori",
          "Grace Mensah", "Liam Byrne", "Sofia Petrova", "Omar Haddad", "Elena Rossi", "Jonas Berg"]
# (title, first paragraph, second paragraph) with {town}, {person}, {n} and {m} filled in.
STORIES = [
    ("{town} council approves {n} new homes on the old rail yard",
     "Councillors in {town} voted to approve {n} homes on the disused rail yard after a two-hour debate.",
     "Building could start next spring, said planning chair {person}, if the drainage survey finds no surprises."),
    ("Storm closes the coast road near {town}",
     "High winds brought down {m} trees across the coast road outside {town} overnight.",
     "Crews expect to reopen one lane by midday; {person} of the highways team asked drivers to use the inland route."),
    ("{town} library extends its opening hours",
     "The library in {town} will open until nine on weekdays from next month, {m} extra hours a week.",
     "Librarian {person} said evening visits had doubled since the reading room was refurbished."),
    ("Fishing fleet in {town} reports its best catch in {m} years",
     "Boats landing at {town} brought in {n} tonnes last week, the harbour office said.",
     "Skipper {person} credited the calm weather and a shift in mackerel shoals closer to shore."),
    ("{town} school wins regional robotics final",
     "A team of {m} pupils from {town} beat twenty schools with a robot that sorts recycling.",
     "Their teacher, {person}, said the prize money will pay for a second workshop."),
    ("New ferry link between {town} and the islands",
     "A summer ferry will sail from {town} to the islands {m} times a week from June.",
     "Operator {person} said tickets for the first {n} crossings sold out within a day."),
    ("Water main burst floods streets in {town}",
     "A burst main left {n} homes in {town} without water for most of the morning.",
     "Engineers led by {person} replaced the damaged section and supply was back by two o'clock."),
    ("{town} market returns to the square after repairs",
     "Traders are back on the square in {town} after {m} months of paving work.",
     "Market manager {person} said {n} stalls have booked for the reopening weekend."),
]


def story(k):
    """The k-th generated story: (slug, title, paragraphs). Different k, different story."""
    title, first, second = STORIES[k % len(STORIES)]
    fill = {"town": TOWNS[(k * 7 + k // len(STORIES)) % len(TOWNS)], "person": PEOPLE[(k * 5) % len(PEOPLE)],
            "n": 40 + (k * 37) % 400, "m": 2 + (k * 3) % 11}
    title = title.format(**fill)
    slug = "%d-%s" % (k, re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-"))
    return slug, title, [first.format(**fill), second.format(**fill)]


def rss_item(link, guid, title, paragraphs, published):
    body = "".join("<p>%s</p>" % html.escape(p, quote=False) for p in paragraphs)
    return ("<item><title>%s</title><link>%s</link><guid isPermaLink=\"false\">%s</guid><pubDate>%s</pubDate>"
            "<description><![CDATA[%s]]></description></item>"
            % (html.escape(title), html.escape(link), html.escape(guid),
               email.utils.formatdate(published, usegmt=True), body)).encode()


class Newsroom:
    """The stories the RSS feeds carry after their bundled items, released one per step."""

    WORLD, GAZETTE = "meridian-world.xml", "harbour-gazette.xml"

    def __init__(self, begin, step):
        self.begin = begin
        self.step = step

    def items(self, name, now):
        """The generated items of feed name released by now, newest first."""
        released = [] if now < self.begin else range(int((now - self.begin) // self.step) + 1)
        items = {}  # guid -> item; an edit replaces the item it edits
        for k in released:
            at = self.begin + k * self.step
            cycle, kind = divmod(k, 5)
            if kind in (0, 3) and name == self.WORLD:
                items[("world", k)] = self.world(k, at)
            elif kind == 1 and name == self.GAZETTE:
                slug, title, paragraphs = story(k)
                items[("gazette", k)] = rss_item("https://gazette.example.net/%s" % slug, "gazette-%s" % slug,
                                                 title, paragraphs, at)
            elif kind == 2 and name == self.GAZETTE:
                # Syndicated: the world story of step k - 2, linking to the original.
                slug, title, paragraphs = story(k - 2)
                items[("copy", k)] = rss_item("https://news.example.org/world/%s" % slug, "gazette-copy-%s" % slug,
                                              title, paragraphs, at)
            elif kind == 4 and name == self.WORLD:
                items[("world", k - 1)] = self.world(k - 1, self.begin + (k - 1) * self.step, edited_at=at)
        return [items[key] for key in sorted(items, key=lambda key: key[1], reverse=True)], \
            self.begin + (released[-1] if released else 0) * self.step

    @staticmethod
    def world(k, at, edited_at=None):
        slug, title, paragraphs = story(k)
        if edited_at is not None:
            paragraphs = paragraphs + ["Update, %s: this story has been corrected and expanded since it was first "
                                       "published." % time.strftime("%H:%M:%S", time.gmtime(edited_at))]
        return rss_item("https://news.example.org/world/%s" % slug, "meridian-%s" % slug, title, paragraphs, at)


class DemoFeeds:
    def __init__(self, directory, delay, step):
        self.feeds = {p.name: split_feed(p.read_bytes()) for p in directory.iterdir() if p.is_file()}
        self.start = time.time()
        self.delay = delay
        self.step = step
        bundled = max(len(items) for _, items, _ in self.feeds.values())
        self.newsroom = Newsroom(self.start + delay + bundled * step, step)

    def document(self, name):
        head, items, tail = self.feeds[name]
        now = time.time()
        elapsed = now - self.start - self.delay
        visible = 0 if elapsed < 0 else min(len(items), 1 + int(elapsed // self.step))
        released_at = self.start + self.delay + max(0, visible - 1) * self.step
        generated, generated_at = self.newsroom.items(name, now)
        if generated:
            released_at = max(released_at, generated_at)
        return head + b"\n".join(generated + items[len(items) - visible:]) + tail, released_at


def handler_for(feeds):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            name = self.path.lstrip("/").split("?")[0]
            if name not in feeds.feeds:
                self.send_error(404, "no such demo feed")
                return
            body, released_at = feeds.document(name)
            etag = '"%s"' % hashlib.sha1(body).hexdigest()[:16]
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self.send_response(200)
            content_type = ("application/atom+xml" if name.endswith(".atom")
                            else "text/html" if name.endswith(".html") else "application/rss+xml")
            self.send_header("Content-Type", content_type + "; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", email.utils.formatdate(released_at, usegmt=True))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8808, help="0: a free port (printed)")
    parser.add_argument("--dir", type=pathlib.Path,
                        default=pathlib.Path(__file__).resolve().parent.parent / "config" / "demo")
    parser.add_argument("--delay", type=float, default=3.0, help="seconds before the first item")
    parser.add_argument("--step", type=float, default=10.0, help="seconds between items")
    args = parser.parse_args()
    feeds = DemoFeeds(args.dir, args.delay, args.step)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), handler_for(feeds))
    port = server.server_address[1]
    print(f"demo feeds: http://127.0.0.1:{port}/ ({', '.join(sorted(feeds.feeds))})", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
