#!/usr/bin/env python3
"""What an unchanged feed costs: CPU of the real sluice daemon per poll answered 304.

usage: bench/poll_cost.py [--feeds 1000] [--interval 5s] [--seconds 30] [--runs 3] [--perf] [--build build]

Local HTTP servers (Python's, on 127.0.0.1, four ports: four "hosts" for the per-host limit) serve
--feeds small RSS feeds with an ETag; every conditional request is answered 304. sluice polls
them every --interval (per_host 16). After the first polls (which fetch each feed once), the
daemon's user + system CPU (from /proc) over --seconds is divided by the polls the servers
answered: CPU ms per poll. With --perf, the first run is recorded with `perf record` and the top
of `perf report` printed.
"""
import argparse
import http.server
import os
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
BODY = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>https://example.org/</link>'
        b"<item><guid>a</guid><title>x</title></item></channel></rss>")


class Feeds(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    answered = 0
    lock = threading.Lock()

    def do_GET(self):
        with Feeds.lock:
            Feeds.answered += 1
        if self.headers.get("If-None-Match") == '"v1"':
            self.send_response(304)
            self.send_header("ETag", '"v1"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("ETag", '"v1"')
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, *args):
        pass


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one_run(a, ports, work, perf):
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    feeds = "".join(f"  - name: f{i}\n    url: http://127.0.0.1:{ports[i % len(ports)]}/f{i}.xml\n" for i in range(a.feeds))
    config = os.path.join(work, "sluice.yaml")
    with open(config, "w") as out:
        out.write(f"state_dir: {work}/state\n"
                  'publish: { endpoint: "tcp://127.0.0.1:*", replay_endpoint: "tcp://127.0.0.1:*" }\n'
                  f"defaults: {{ interval: {a.interval}, min_interval: 1s, per_host: 16 }}\nfeeds:\n{feeds}")
    daemon = subprocess.Popen([os.path.join(a.build, "sluice"), "run", "-c", config],
                              stderr=open(os.path.join(work, "sluice.log"), "w"))
    time.sleep(a.warmup)  # every feed fetched once; from now on each poll is answered 304
    if daemon.poll() is not None:
        sys.exit(f"sluice ended early; see {work}/sluice.log")
    cpu, answered, started = cpu_seconds(daemon.pid), Feeds.answered, time.time()
    recorder = profiling.record(daemon.pid, os.path.join(work, "perf.data")) if perf else None
    time.sleep(a.seconds)
    if recorder:
        profiling.stop(recorder)
    cpu, answered, span = cpu_seconds(daemon.pid) - cpu, Feeds.answered - answered, time.time() - started
    daemon.send_signal(signal.SIGTERM)
    daemon.wait(timeout=120)
    return cpu, answered, span


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--feeds", type=int, default=1000)
    ap.add_argument("--interval", default="5s")
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--warmup", type=float, default=25, help="seconds for the first, full fetches")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--perf", action="store_true")
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    a = ap.parse_args()
    servers = [http.server.ThreadingHTTPServer(("127.0.0.1", 0), Feeds) for _ in range(4)]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    ports = [server.server_address[1] for server in servers]
    costs = []
    for run in range(a.runs):
        work = os.path.join(a.build, "poll-cost")
        cpu, answered, span = one_run(a, ports, work, a.perf and run == 0)
        costs.append(cpu * 1000 / max(1, answered))
        print(f"run {run + 1}: {answered} polls in {span:.1f} s ({answered / span:.0f}/s), daemon CPU {cpu:.2f} s "
              f"= {costs[-1]:.3f} ms per poll")
        if a.perf and run == 0:
            profiling.print_top(os.path.join(work, "perf.data"), 2)
    print(f"median of {len(costs)}: {statistics.median(costs):.3f} ms CPU per poll answered 304 "
          f"({a.feeds} feeds every {a.interval})")
    for server in servers:
        server.shutdown()


if __name__ == "__main__":
    main()
