#!/usr/bin/env python3
"""End-to-end ingest cost: local feeds through the real sluice daemon to a ZeroMQ subscriber.

usage: bench/ingest.py [--feeds 20] [--items 1000] [--runs 3] [--perf] [--build build] [--write-feed FILE]

A local HTTP server (Python's, on 127.0.0.1, with ETags) serves --feeds RSS feeds of --items items
each. Every item is ~2.5 KB of HTML the way news feeds write it: a <figure> with the lead picture
and its caption and credit first, then paragraphs with links and emphasis; every item's text is
its own, so no story repeats another. sluice runs with its defaults (a worker per core) and polls
each feed once; a pyzmq subscriber counts the articles.

Each run starts from an empty state directory and prints:
- articles/s: the articles over the time from "sluice started" to the last article received;
- CPU µs per article: the daemon's user + system CPU (from /proc) over the same span;
- RSS: steady (3 s after the last article), then after a restart on the same state and journal,
  the peak (VmHWM, while the journal is read back and the story index rebuilt) and the steady
  figure once the feeds answered 304.
With --perf, the first run's ingest is recorded with `perf record -g` and the top of `perf report`
printed: where the CPU goes.
"""
import argparse
import hashlib
import http.server
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time

import profiling

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

try:
    import zmq
except ImportError:
    sys.exit("bench/ingest.py needs pyzmq (python3-zmq); run it with /usr/bin/python3")

# Text shaped like news copy: two words in five are function words (the same few dozen in every
# story), the others come from a newspaper-sized vocabulary, so stories share their function-word
# pairs and little else, as real ones do.
FUNCTION_WORDS = ("the of and to in a is that for on was with as by at from it he she they said has have be "
                  "will would an this which not but are were had their its after over").split()
SYLLABLES = ("ba be bi bo bu da de di do du ka ke ki ko ku la le li lo lu ma me mi mo mu na ne ni no nu ra re ri "
             "ro ru sa se si so su ta te ti to tu va ve vi vo vu").split()
VOCABULARY = sorted({"".join(random.Random(i).choice(SYLLABLES) for _ in range(2 + i % 3)) for i in range(30000)})


def sentence(rng, words):
    picked = [rng.choice(FUNCTION_WORDS) if rng.random() < 0.4 else rng.choice(VOCABULARY) for _ in range(words)]
    text = " ".join(picked)
    return text[0].upper() + text[1:] + "."


def item_html(rng, feed, number):
    paragraphs = []
    for p in range(7):
        parts = [sentence(rng, rng.randint(10, 18)) for _ in range(3)]
        if p % 2 == 0:
            parts[1] = f'<a href="https://{feed}.example.org/topic/{rng.randint(1, 999)}">{parts[1]}</a>'
        if p % 3 == 1:
            parts[2] = f"<em>{parts[2]}</em>"
        paragraphs.append("<p>" + " ".join(parts) + "</p>")
    figure = (f'<figure><img src="https://cdn.{feed}.example.org/{number}/lead.jpg" alt="{sentence(rng, 6)}" '
              f'width="1200" height="800"><figcaption>{sentence(rng, 9)} Photo: Agency {number % 17}</figcaption>'
              "</figure>")
    return figure + "".join(paragraphs)


def feed_document(feed, items, seed):
    rng = random.Random(seed)
    out = [f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{feed}</title>'
           f"<link>https://{feed}.example.org/</link><description>Bench feed {feed}</description>"]
    for n in range(items, 0, -1):
        out.append(f"<item><title>{sentence(rng, 8)}</title><link>https://{feed}.example.org/story/{n}</link>"
                   f'<guid isPermaLink="false">{feed}-{n}</guid><pubDate>Thu, 03 Dec 2026 10:00:00 GMT</pubDate>'
                   f"<description><![CDATA[{item_html(rng, feed, n)}]]></description></item>")
    out.append("</channel></rss>")
    return "".join(out).encode()


class Feeds(http.server.BaseHTTPRequestHandler):
    documents = {}
    not_modified = 0
    lock = threading.Lock()

    def do_GET(self):
        body = Feeds.documents.get(self.path)
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            with Feeds.lock:
                Feeds.not_modified += 1
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def status(pid, field):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_for_log(path, text, timeout):
    until = time.time() + timeout
    while time.time() < until:
        if text in open(path).read():
            return True
        time.sleep(0.02)
    return False


def start(binary, config, log_path):
    log = open(log_path, "w")
    daemon = subprocess.Popen([binary, "run", "-c", config], stderr=log)
    if not wait_for_log(log_path, "sluice started", 60):
        daemon.kill()
        sys.exit(f"sluice did not start; see {log_path}")
    return daemon


def one_run(a, base, work, expected, perf):
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    config = os.path.join(work, "sluice.yaml")
    feeds = "".join(f"  - name: feed-{i}\n    url: {base}/feed-{i}.xml\n" for i in range(a.feeds))
    with open(config, "w") as out:
        out.write(f"state_dir: {work}/state\n"
                  'publish: { endpoint: "tcp://127.0.0.1:*", replay_endpoint: "tcp://127.0.0.1:*" }\n'
                  f"defaults: {{ interval: 1h }}\nfeeds:\n{feeds}")
    log_path = os.path.join(work, "sluice.log")
    daemon = start(a.binary, config, log_path)
    started = time.time()
    cpu_started = cpu_seconds(daemon.pid)
    endpoint = re.search(r"endpoint=(\S+)", open(log_path).read()).group(1)
    context = zmq.Context()
    sub = context.socket(zmq.SUB)
    sub.setsockopt(zmq.SUBSCRIBE, b"article.")
    sub.setsockopt(zmq.RCVHWM, 0)
    sub.connect(endpoint)
    recorder = profiling.record(daemon.pid, os.path.join(work, "perf.data"), "dwarf") if perf else None
    received = 0
    last = started
    deadline = time.time() + a.timeout
    while received < expected and time.time() < deadline:
        if sub.poll(1000):
            frames = sub.recv_multipart()
            if len(frames) == 3:
                received += 1
                last = time.time()
    cpu = cpu_seconds(daemon.pid) - cpu_started
    if recorder:
        profiling.stop(recorder)
    time.sleep(3)
    steady = status(daemon.pid, "VmRSS")
    sub.close()
    context.term()
    daemon.send_signal(signal.SIGTERM)
    daemon.wait(timeout=120)
    # The restart: the same state and journal; every feed answers 304.
    restart_log = os.path.join(work, "restart.log")
    answered = Feeds.not_modified
    daemon = start(a.binary, config, restart_log)
    until = time.time() + 60
    while Feeds.not_modified < answered + a.feeds and time.time() < until:
        time.sleep(0.1)
    time.sleep(3)
    peak = status(daemon.pid, "VmHWM")
    restarted = status(daemon.pid, "VmRSS")
    daemon.send_signal(signal.SIGTERM)
    daemon.wait(timeout=120)
    span = last - started
    return {"received": received, "span": span, "cpu": cpu, "steady": steady, "peak": peak, "restarted": restarted}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--feeds", type=int, default=20)
    ap.add_argument("--items", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=300, help="seconds a run may take at most")
    ap.add_argument("--perf", action="store_true", help="record the first run with perf and print where CPU goes")
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--write-feed", metavar="FILE",
                    help="write the first feed's document to FILE and stop (for the build's clean_throughput, "
                         "which times each stage of an article in-process)")
    a = ap.parse_args()
    a.binary = os.path.join(a.build, "sluice")
    if a.write_feed:
        with open(a.write_feed, "wb") as out:
            out.write(feed_document("feed-0", a.items, 0))
        return

    sizes = []
    for i in range(a.feeds):
        Feeds.documents[f"/feed-{i}.xml"] = feed_document(f"feed-{i}", a.items, i)
        sizes.append(len(Feeds.documents[f"/feed-{i}.xml"]))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Feeds)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    expected = a.feeds * a.items
    print(f"{a.feeds} feeds x {a.items} items ({sum(sizes) / expected / 1000:.1f} KB per item in the feed), "
          f"{os.cpu_count()} cores, sluice's defaults")
    results = []
    for run in range(a.runs):
        work = os.path.join(a.build, "ingest")
        r = one_run(a, base, work, expected, a.perf and run == 0)
        results.append(r)
        print(f"run {run + 1}: {r['received']}/{expected} articles in {r['span']:.2f} s = "
              f"{r['received'] / r['span']:.0f} articles/s; CPU {r['cpu']:.2f} s = "
              f"{r['cpu'] / max(1, r['received']) * 1e6:.0f} us per article; RSS steady {r['steady'] >> 20} MB, "
              f"after a restart peak {r['peak'] >> 20} MB ({r['peak'] / r['steady']:.2f}x) and steady "
              f"{r['restarted'] >> 20} MB")
        if a.perf and run == 0:
            profiling.print_top(os.path.join(work, "perf.data"), 1.5)
    rate = statistics.median(r["received"] / r["span"] for r in results)
    cost = statistics.median(r["cpu"] / max(1, r["received"]) * 1e6 for r in results)
    print(f"median of {len(results)}: {rate:.0f} articles/s, {cost:.0f} us CPU per article")
    server.shutdown()


if __name__ == "__main__":
    main()
