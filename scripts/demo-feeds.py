#!/usr/bin/env python3
"""Serves the demo feeds and pages of config/demo/ on 127.0.0.1 and releases their items over time.

Each feed starts with its oldest item and gains one more every --step seconds, so a subscriber
sees articles arrive as on a live site. A front page (HTML) releases its <article> teasers the same
way; article pages are served as they are. Responses carry ETag and Last-Modified and answer
conditional requests with 304, like a well-behaved feed server.
"""
import argparse
import email.utils
import hashlib
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


class DemoFeeds:
    def __init__(self, directory, delay, step):
        self.feeds = {p.name: split_feed(p.read_bytes()) for p in directory.iterdir() if p.is_file()}
        self.start = time.time()
        self.delay = delay
        self.step = step

    def document(self, name):
        head, items, tail = self.feeds[name]
        elapsed = time.time() - self.start - self.delay
        visible = 0 if elapsed < 0 else min(len(items), 1 + int(elapsed // self.step))
        released_at = self.start + self.delay + max(0, visible - 1) * self.step
        return head + b"\n".join(items[len(items) - visible:]) + tail, released_at


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
    parser.add_argument("--port", type=int, default=8808)
    parser.add_argument("--dir", type=pathlib.Path,
                        default=pathlib.Path(__file__).resolve().parent.parent / "config" / "demo")
    parser.add_argument("--delay", type=float, default=3.0, help="seconds before the first item")
    parser.add_argument("--step", type=float, default=10.0, help="seconds between items")
    args = parser.parse_args()
    feeds = DemoFeeds(args.dir, args.delay, args.step)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), handler_for(feeds))
    print(f"demo feeds: http://127.0.0.1:{args.port}/ ({', '.join(sorted(feeds.feeds))})", file=sys.stderr)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
