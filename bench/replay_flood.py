#!/usr/bin/env python3
"""Replay clients that never read, and clients that leave at once, against the real sluice daemon.

usage: bench/replay_flood.py [--clients 50] [--seconds 20] [--articles 2000] [--hit-and-run 1000] [--build build]

A local HTTP server (Python's, on 127.0.0.1) serves one feed of --articles items of ~4 KB; once
sluice has published them all, --hit-and-run DEALER clients each connect to the replay endpoint,
send a request (nonsense or a replay) and close at once; then --clients DEALER clients ask for the
whole journal again and again for --seconds, reading nothing (pyzmq). Prints the daemon's RSS
before, its peak (VmHWM) during the flood, whether it still runs, and how many requests it
answered "busy" (from /metrics).
"""
import argparse
import http.server
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request

import zmq

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


class Feed(http.server.BaseHTTPRequestHandler):
    body = b""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(Feed.body)))
        self.end_headers()
        self.wfile.write(Feed.body)

    def log_message(self, *args):
        pass


def rss_kb(pid, field):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--hit-and-run", type=int, default=1000)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    a = ap.parse_args()

    paragraph = "w" * 4000
    Feed.body = ('<?xml version="1.0"?><rss version="2.0"><channel><title>Bulk</title>' + "".join(
        f"<item><guid>b{i}</guid><title>Bulk {i}</title><description>{i} {paragraph}</description></item>"
        for i in range(a.articles)) + "</channel></rss>").encode()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Feed)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    work = os.path.join(a.build, "replay-flood")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    metrics_port = free_port()
    config = os.path.join(work, "sluice.yaml")
    with open(config, "w") as out:
        out.write(f"""state_dir: {work}/state
publish: {{ endpoint: "tcp://127.0.0.1:*", replay_endpoint: "tcp://127.0.0.1:*" }}
metrics: {{ listen: 127.0.0.1:{metrics_port} }}
feeds:
  - name: bulk
    url: http://127.0.0.1:{server.server_address[1]}/bulk.xml
    interval: 1h
""")
    log_path = os.path.join(work, "sluice.log")
    log = open(log_path, "w")
    daemon = subprocess.Popen([os.path.join(a.build, "sluice"), "run", "-c", config], stderr=log)
    replay = None
    for _ in range(100):
        found = re.search(r" replay=(tcp://[0-9.]+:[0-9]+)", open(log_path).read())
        if found:
            replay = found.group(1)
            break
        time.sleep(0.1)
    if not replay:
        sys.exit(f"sluice did not start; see {log_path}")
    while f"new={a.articles}" not in open(log_path).read():
        time.sleep(0.2)
    time.sleep(2)  # journaled and published
    try:
        report(a, daemon, replay, metrics_port)
    finally:
        if daemon.poll() is None:
            daemon.send_signal(signal.SIGTERM)
            daemon.wait(timeout=60)
        server.shutdown()


def report(a, daemon, replay, metrics_port):
    # In batches, each in a context of its own: a context holds at most 1023 sockets, and a closed
    # socket's file descriptors go only once the context is done with it.
    for batch in range(0, a.hit_and_run, 200):
        context = zmq.Context()
        for i in range(batch, min(batch + 200, a.hit_and_run)):
            client = context.socket(zmq.DEALER)
            client.setsockopt(zmq.LINGER, 100)
            client.connect(replay)
            client.send(b"{not json" if i % 2 else b'{"from": 1, "credit": 50000}')
            client.close()
        context.term()
    alive_after_hit_and_run = daemon.poll() is None
    context = zmq.Context()
    before = rss_kb(daemon.pid, "VmRSS")
    clients = []
    for _ in range(a.clients):
        client = context.socket(zmq.DEALER)
        client.setsockopt(zmq.RCVHWM, 1)
        client.setsockopt(zmq.RCVBUF, 4096)
        client.setsockopt(zmq.SNDHWM, 100)
        client.setsockopt(zmq.LINGER, 0)
        client.connect(replay)
        clients.append(client)
    sent = 0
    until = time.time() + a.seconds
    while time.time() < until and daemon.poll() is None:
        for client in clients:
            try:
                client.send(b'{"from": 1, "credit": 50000}', zmq.NOBLOCK)
                sent += 1
            except zmq.Again:
                pass
        time.sleep(0.002)
    peak = rss_kb(daemon.pid, "VmHWM") if daemon.poll() is None else 0
    after = rss_kb(daemon.pid, "VmRSS") if daemon.poll() is None else 0
    busy = "?"
    try:
        text = urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5).read().decode()
        busy = re.search(r"^sluice_replay_busy_total (\S+)", text, re.M).group(1)
    except Exception as error:  # the daemon may be gone; that is the finding
        busy = f"unreadable ({error})"
    for client in clients:
        client.close()
    running = daemon.poll() is None
    print(f"{a.hit_and_run} hit-and-run clients: daemon {'running' if alive_after_hit_and_run else 'GONE'}")
    print(f"{a.clients} clients x {a.seconds:.0f} s, {sent} requests, none read: RSS before {before / 1024:.0f} MB, "
          f"peak (VmHWM, whole run) {peak / 1024:.0f} MB, after {after / 1024:.0f} MB; "
          f"daemon {'running' if running else 'GONE'}; answered busy {busy}")


if __name__ == "__main__":
    main()
