#!/usr/bin/env python3
"""The fetch engine at scale: N feeds on loopback nginx, polled by the real sluice daemon.

usage: bench/poll_scale.py [--feeds 10000] [--minutes 5] [--ports 20] [--build build]

nginx (Debian package, started here on 127.0.0.1) serves the feeds on --ports ports (each a
"server" for sluice's per-host limit): 90% answer 304 to sluice's conditional requests, 10% a
50 KB feed every time. Interval 60 s. Prints sluice's CPU (% of one core, after the first minute),
peak RSS, fetches/s, CPU milliseconds per poll (sluice's CPU over the polls it made, both kinds),
schedule lateness p50/p99 (from the daemon's poll summary lines) and errors.
"""
import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

ITEM = ("<item><title>Item {i}</title><link>https://example.org/{i}</link><guid>item-{i}</guid>"
        "<description>{body}</description></item>")


def rss(items, body_bytes):
    body = ("lorem ipsum dolor sit amet " * (body_bytes // 27 + 1))[:body_bytes]
    return ('<?xml version="1.0"?><rss version="2.0"><channel><title>Scale</title><link>https://example.org/</link>'
            + "".join(ITEM.format(i=i, body=body) for i in range(items)) + "</channel></rss>")


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_kb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--feeds", type=int, default=10000)
    ap.add_argument("--minutes", type=float, default=5)
    ap.add_argument("--ports", type=int, default=20)
    ap.add_argument("--first-port", type=int, default=18100)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    a = ap.parse_args()

    work = os.path.join(a.build, "poll-scale")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(os.path.join(work, "www"))
    os.makedirs(os.path.join(work, "logs"))
    open(os.path.join(work, "www", "cached.xml"), "w").write(rss(5, 300))
    open(os.path.join(work, "www", "fresh.xml"), "w").write(rss(20, 2400))  # ~50 KB
    listens = "\n".join(f"    listen 127.0.0.1:{a.first_port + p};" for p in range(a.ports))
    open(os.path.join(work, "nginx.conf"), "w").write(f"""
worker_processes 1;
error_log {work}/logs/error.log warn;
pid {work}/nginx.pid;
events {{ worker_connections 8192; }}
http {{
  access_log off;
  default_type application/rss+xml;
  keepalive_requests 1000000;
  keepalive_timeout 120s;
  server {{
{listens}
    root {work}/www;
    location /cached/ {{ try_files /cached.xml =404; }}
    location /fresh/ {{ etag off; if_modified_since off; try_files /fresh.xml =404; }}
  }}
}}
""")
    nginx = subprocess.Popen(["nginx", "-p", work, "-c", os.path.join(work, "nginx.conf"), "-g", "daemon off;"])
    time.sleep(0.5)

    feeds = []
    for i in range(a.feeds):
        kind = "fresh" if i % 10 == 0 else "cached"
        port = a.first_port + i % a.ports
        feeds.append(f"  - name: f{i}\n    url: http://127.0.0.1:{port}/{kind}/f{i}.xml\n")
    config = os.path.join(work, "sluice.yaml")
    open(config, "w").write(f"""state_dir: {work}/state
publish: {{ endpoint: "tcp://127.0.0.1:*" }}
defaults: {{ interval: 60s, min_interval: 60s, max_interval: 60s, timeout: 20s, per_host: 2 }}
feeds:
""" + "".join(feeds))

    log_path = os.path.join(work, "sluice.log")
    sluice = subprocess.Popen([os.path.join(a.build, "sluice"), "run", "-c", config], stderr=open(log_path, "w"))
    try:
        time.sleep(60)  # the first minute: every feed's first, unconditional fetch
        cpu_start, wall_start = cpu_seconds(sluice.pid), time.time()
        time.sleep(max(0, a.minutes * 60 - 60))
        cpu = (cpu_seconds(sluice.pid) - cpu_start) / (time.time() - wall_start) * 100
        rss_kb = peak_rss_kb(sluice.pid)
    finally:
        sluice.send_signal(signal.SIGTERM)
        sluice.wait(timeout=30)
        nginx.send_signal(signal.SIGQUIT)
        nginx.wait(timeout=30)

    text = open(log_path).read()
    summaries = [dict(re.findall(r"(\w+)=(\d+)", line)) for line in text.splitlines() if "poll summary" in line]
    steady = summaries[1:] or summaries
    fetches = sum(int(s["fetched"]) + int(s["not_modified"]) for s in steady) / (60 * max(1, len(steady)))
    p50 = max((int(s["lateness_p50_ms"]) for s in steady), default=0)
    p99 = max((int(s["lateness_p99_ms"]) for s in steady), default=0)
    errors = text.count("feed fetch failed")
    print(f"feeds={a.feeds} servers={a.ports} minutes={a.minutes:g}")
    cpu_ms_per_poll = cpu / 100 / fetches * 1000 if fetches else 0
    print(f"cpu_percent_of_one_core={cpu:.1f} peak_rss_mb={rss_kb / 1024:.1f} fetches_per_s={fetches:.1f} "
          f"cpu_ms_per_poll={cpu_ms_per_poll:.3f} lateness_p50_ms={p50} lateness_p99_ms={p99} errors={errors}")
    print("# cpu and the rates exclude the first minute (every feed's first full fetch); lateness: worst minute")
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
