#!/usr/bin/env python3
"""A huge feed beside a healthy one, through the real sluice daemon.

usage: bench/big_feed.py [--items 400000] [--interval 20] [--seconds 90] [--max-body 15MiB] [--build build]

A local HTTP server (Python's, on 127.0.0.1) serves a feed of --items small items (400 000 make a
13 MB document, newest first) polled every --interval seconds, and a healthy feed polled every 5 s
that shows a new story at every poll. sluice runs with its defaults (max_items 10 000,
max_new_per_poll 1 000). After --seconds, SIGTERM. Prints: peak RSS (VmHWM), what each poll of
the huge feed reported (entries, new), the healthy feed's longest gap between two publications
(from sluice's log), and how long SIGTERM took.
"""
import argparse
import http.server
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def huge_document(items):
    body = "".join(f"<item><guid>g{i}</guid></item>" for i in range(items, 0, -1))
    return ('<?xml version="1.0"?><rss version="2.0"><channel><title>Huge</title><link>https://example.org/</link>'
            + body + "</channel></rss>").encode()


class Feeds(http.server.BaseHTTPRequestHandler):
    huge = b""
    healthy_polls = 0
    lock = threading.Lock()

    def do_GET(self):
        if self.path == "/huge.xml":
            body = Feeds.huge
        else:
            with Feeds.lock:
                Feeds.healthy_polls += 1
                n = Feeds.healthy_polls
            items = "".join(f"<item><guid>healthy-{i}</guid><title>Healthy {i}</title><description>Story {i} "
                            f"of the healthy feed.</description></item>" for i in range(n, max(0, n - 5), -1))
            body = ('<?xml version="1.0"?><rss version="2.0"><channel><title>Healthy</title>'
                    + items + "</channel></rss>").encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def peak_rss_mb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0


def stamp(line):
    return datetime.fromisoformat(line.split(" ", 1)[0].replace("Z", "+00:00")).timestamp()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--items", type=int, default=400_000)
    ap.add_argument("--interval", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=90)
    ap.add_argument("--max-body", default="15MiB", help="the huge feed's max_body")
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    a = ap.parse_args()

    Feeds.huge = huge_document(a.items)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Feeds)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"

    work = os.path.join(a.build, "big-feed")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    config = os.path.join(work, "sluice.yaml")
    with open(config, "w") as out:
        out.write(f"""state_dir: {work}/state
publish: {{ endpoint: "tcp://127.0.0.1:*", replay_endpoint: "tcp://127.0.0.1:*" }}
defaults: {{ min_interval: 1s }}
feeds:
  - name: huge
    url: {base}/huge.xml
    interval: {a.interval}s
    max_body: {a.max_body}
  - name: healthy
    url: {base}/healthy.xml
    interval: 5s
""")
    log_path = os.path.join(work, "sluice.log")
    with open(log_path, "w") as log:
        daemon = subprocess.Popen([os.path.join(a.build, "sluice"), "run", "-c", config], stderr=log)
        peak = 0.0
        until = time.time() + a.seconds
        while time.time() < until and daemon.poll() is None:
            peak = max(peak, peak_rss_mb(daemon.pid))
            time.sleep(0.5)
        if daemon.poll() is not None:
            sys.exit(f"sluice ended early; see {log_path}")
        peak = max(peak, peak_rss_mb(daemon.pid))
        asked = time.time()
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=120)
        stopped = time.time() - asked
    server.shutdown()

    text = open(log_path).read().splitlines()
    polls = [re.search(r"entries=(\d+) new=(\d+)", line).groups()
             for line in text if "feed parsed feed=huge" in line]
    healthy = [stamp(line) for line in text if "feed parsed feed=healthy" in line and " new=1 " in line]
    gaps = [b - a_ for a_, b in zip(healthy, healthy[1:])]
    print(f"items {a.items} ({len(Feeds.huge) / 1e6:.1f} MB), interval {a.interval} s, {a.seconds:.0f} s")
    print(f"peak RSS {peak:.0f} MB")
    print("huge feed polls (entries, new): " + ", ".join(f"({e}, {n})" for e, n in polls))
    print(f"healthy feed: {len(healthy)} stories, longest gap {max(gaps) if gaps else float('nan'):.1f} s "
          f"(interval 5 s)")
    print(f"SIGTERM to exit: {stopped:.2f} s, exit code {daemon.returncode}")


if __name__ == "__main__":
    main()
