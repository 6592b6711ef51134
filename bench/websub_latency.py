#!/usr/bin/env python3
"""How soon a story reaches the stream: pushed by a WebSub hub, beside polled at an interval.

usage: bench/websub_latency.py [--pushes 200] [--items 50] [--poll-interval 10] [--polled 12] [--build build]

One local HTTP server (Python's, on 127.0.0.1) plays the site and its hub. The site serves two
feeds: one that advertises the hub, and one that does not (polled every --poll-interval seconds).
sluice subscribes to the hub; the hub verifies intent on sluice's callback, then pushes --pushes
times a signed document of --items items whose newest is new, one at a time. Each push's latency
is the time from the hub's POST to the article on the ZeroMQ stream. Meanwhile the polled feed
gains a new item --polled times, at random moments; its latency is the time from the item
appearing to the article on the stream. Prints median, p99 and worst of each.
"""
import argparse
import hashlib
import hmac
import http.server
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

import zmq

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def atom(base, name, newest, items, hub):
    entries = "".join(
        f"<entry><title>{name} {i}</title><id>urn:{name}:{i}</id><updated>2026-12-01T10:00:00Z</updated>"
        f'<link href="https://site.example/{name}/{i}"/><summary>Story {i} of the {name} feed, told in a '
        f"sentence or two for the benchmark.</summary></entry>"
        for i in range(newest, max(0, newest - items), -1))
    links = f'<link rel="hub" href="{hub}"/><link rel="self" href="{base}/{name}.xml"/>' if hub else ""
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>{name}</title>'
            f"<id>urn:{name}</id><updated>2026-12-01T10:00:00Z</updated>{links}{entries}</feed>").encode()


class Site(http.server.BaseHTTPRequestHandler):
    base = ""
    items = 50
    pushed_newest = 1
    polled_newest = 1
    subscription = {}
    subscribed = threading.Event()
    lock = threading.Lock()

    def do_GET(self):
        with Site.lock:
            if self.path == "/push.xml":
                body = atom(Site.base, "push", Site.pushed_newest, Site.items, Site.base + "/hub")
            else:
                body = atom(Site.base, "poll", Site.polled_newest, Site.items, None)
        self.send_response(200)
        self.send_header("Content-Type", "application/atom+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        form = urllib.parse.parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()
        request = {key: values[0] for key, values in form.items()}
        if request.get("hub.mode") == "subscribe":
            threading.Thread(target=Site.verify, args=(request,), daemon=True).start()

    @staticmethod
    def verify(request):
        query = urllib.parse.urlencode({"hub.mode": "subscribe", "hub.topic": request["hub.topic"],
                                        "hub.challenge": "bench-challenge", "hub.lease_seconds": "86400"})
        with urllib.request.urlopen(request["hub.callback"] + "?" + query, timeout=5) as answer:
            if answer.read() == b"bench-challenge":
                Site.subscription = request
                Site.subscribed.set()

    def log_message(self, *args):
        pass


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * (len(ordered) - 1) + 0.5))]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pushes", type=int, default=200)
    ap.add_argument("--items", type=int, default=50)
    ap.add_argument("--poll-interval", type=int, default=10)
    ap.add_argument("--polled", type=int, default=12)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    a = ap.parse_args()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Site.base = f"http://127.0.0.1:{server.server_address[1]}"
    Site.items = a.items
    port = free_port()

    work = os.path.join(a.build, "websub-latency")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    config = os.path.join(work, "sluice.yaml")
    with open(config, "w") as out:
        out.write(f"""state_dir: {work}/state
publish: {{ endpoint: "tcp://127.0.0.1:*", replay_endpoint: "tcp://127.0.0.1:*" }}
websub: {{ listen: 127.0.0.1:{port}, public_url: http://127.0.0.1:{port}/websub }}
defaults: {{ interval: {a.poll_interval}s, min_interval: 1s, min_revision_interval: 1s }}
feeds:
  - name: push
    url: {Site.base}/push.xml
  - name: poll
    url: {Site.base}/poll.xml
""")
    log_path = os.path.join(work, "sluice.log")
    log = open(log_path, "w")
    daemon = subprocess.Popen([os.path.join(a.build, "sluice"), "run", "-c", config], stderr=log)
    try:
        endpoint = None
        until = time.time() + 15
        while endpoint is None and time.time() < until:
            found = re.search(r"endpoint=(tcp://[0-9.]+:[0-9]+)", open(log_path).read())
            endpoint = found.group(1) if found else None
            time.sleep(0.1)
        if endpoint is None:
            sys.exit(f"sluice did not start; see {log_path}")
        context = zmq.Context()
        stream = context.socket(zmq.SUB)
        stream.setsockopt(zmq.SUBSCRIBE, b"article.")
        stream.connect(endpoint)
        if not Site.subscribed.wait(30):
            sys.exit(f"no subscription verified; see {log_path}")
        time.sleep(1)  # the first poll's backlog goes out first

        # Every article's arrival time, by title, recorded as it arrives by a thread of its own.
        seen = {}
        arrived = threading.Condition()
        reading = threading.Event()

        def read_stream():
            while not reading.is_set():
                if stream.poll(100) == 0:
                    continue
                frames = stream.recv_multipart()
                if len(frames) == 3:
                    with arrived:
                        seen[json.loads(frames[2])["title"]] = time.time()
                        arrived.notify_all()

        reader = threading.Thread(target=read_stream, daemon=True)
        reader.start()

        # Polled items appear at random moments from a thread, while pushes run.
        polled = []

        def add_polled_items():
            for _ in range(a.polled):
                time.sleep(random.uniform(0.5, a.poll_interval))
                with Site.lock:
                    Site.polled_newest += 1
                    polled.append((f"poll {Site.polled_newest}", time.time()))

        adding = threading.Thread(target=add_polled_items, daemon=True)
        adding.start()

        pushed = []
        callback, secret = Site.subscription["hub.callback"], Site.subscription["hub.secret"]
        for _ in range(a.pushes):
            with Site.lock:
                Site.pushed_newest += 1
                newest = Site.pushed_newest
                body = atom(Site.base, "push", newest, a.items, Site.base + "/hub")
            signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
            request = urllib.request.Request(callback, data=body, method="POST",
                                             headers={"Content-Type": "application/atom+xml",
                                                      "X-Hub-Signature": signature})
            title = f"push {newest}"
            sent = time.time()
            urllib.request.urlopen(request, timeout=10).read()
            with arrived:
                if arrived.wait_for(lambda: title in seen, timeout=30):
                    pushed.append(seen[title] - sent)
            # Pushes spread over the polled items' time, as stories arrive.
            time.sleep(a.poll_interval * a.polled / a.pushes / 2)
        adding.join()
        with arrived:
            arrived.wait_for(lambda: all(t in seen for t, _ in polled), timeout=a.poll_interval * 2 + 5)
        reading.set()
        reader.join()
        polled_latency = [seen[t] - at for t, at in polled if t in seen]
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=60)
        server.shutdown()

    def line(name, values, total):
        if not values:
            return f"{name}: none of {total} arrived"
        return (f"{name}: {len(values)}/{total} arrived, median {percentile(values, 0.5) * 1000:.1f} ms, "
                f"p99 {percentile(values, 0.99) * 1000:.1f} ms, worst {max(values) * 1000:.1f} ms")

    print(f"{a.items}-item Atom documents; polling every {a.poll_interval} s")
    print(line("pushed (hub POST to article on the stream)", pushed, a.pushes))
    print(line(f"polled (item appears to article on the stream)", polled_latency, a.polled))
    if pushed and polled_latency:
        print(f"median ratio polled/pushed: {percentile(polled_latency, 0.5) / percentile(pushed, 0.5):.0f}x")


if __name__ == "__main__":
    main()
