#!/usr/bin/env python3
"""Articles per second into the cluster's JetStream stream, beside raw libnats, in one run.

usage: bench/cluster.py [--build build] [--articles 100000]

Starts Debian's nats-server with JetStream on a free loopback port (its store in a temporary
directory), runs BUILD/bench/cluster_throughput against it (raw libnats and sluice's article
stream, from one and from three publishers) and stops the server. Prints the table.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time


def start_server(store):
    server = shutil.which("nats-server") or "/usr/sbin/nats-server"
    log = os.path.join(store, "server.log")
    process = subprocess.Popen([server, "-js", "-a", "127.0.0.1", "-p", "-1", "-sd", os.path.join(store, "js"),
                                "-l", log])
    deadline = time.time() + 15
    while time.time() < deadline:
        text = open(log).read() if os.path.exists(log) else ""
        found = re.search(r"Listening for client connections on 127\.0\.0\.1:(\d+)", text)
        if found and "Server is ready" in text:
            return process, "nats://127.0.0.1:" + found.group(1)
        time.sleep(0.1)
    process.kill()
    sys.exit("nats-server did not start: " + (open(log).read() if os.path.exists(log) else ""))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser.add_argument("--build", default=os.path.join(here, "build"))
    parser.add_argument("--articles", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sluice-cluster-bench-") as store:
        server, url = start_server(store)
        try:
            result = subprocess.run([os.path.join(args.build, "bench", "cluster_throughput"), "--nats", url,
                                     "--articles", str(args.articles)], check=False)
        finally:
            server.terminate()
            server.wait(timeout=10)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
