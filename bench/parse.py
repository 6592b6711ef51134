#!/usr/bin/env python3
"""Feed-parse throughput of sluice beside the parsers people use instead, measured in one run.

usage: bench/parse.py [--build build] [--items 1000] [--runs 10]

Corpus: the shared kit's synthetic 1000-item RSS 2.0 / Atom 1.0 / JSON Feed 1.1 files
(gen_corpus.py, regenerated into BUILD/bench-corpus) and its real-world captures. Peers: Python
feedparser (Debian python3-feedparser) and Node's rss-parser (npm, installed into
BUILD/bench-node on first use). Each parser runs in its own process per file and reports its
fastest of RUNS parses of the in-memory document, and its peak RSS.
"""
import argparse
import glob
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SHARED = os.path.join(os.path.dirname(ROOT), "shared")

FEEDPARSER = r"""
import json, resource, sys, time, warnings
warnings.simplefilter("ignore")
import feedparser
path, runs = sys.argv[1], int(sys.argv[2])
data = open(path, "rb").read()
best, items = 1e9, 0
for _ in range(runs):
    t = time.perf_counter(); r = feedparser.parse(data); best = min(best, time.perf_counter() - t)
    items = len(r.entries)
print(json.dumps({"seconds": best, "items": items, "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""

RSS_PARSER = r"""
const fs = require('fs'); const Parser = require('rss-parser');
const [path, runs] = [process.argv[2], parseInt(process.argv[3])];
const text = fs.readFileSync(path, 'utf8'); const parser = new Parser();
(async () => {
  let best = 1e9, items = 0;
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint(); const feed = await parser.parseString(text);
    best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e9); items = feed.items.length;
  }
  console.log(JSON.stringify({seconds: best, items, peak_rss_kb: process.resourceUsage().maxRSS}));
})().catch(e => { console.log(JSON.stringify({error: String(e).slice(0, 120)})); });
"""


def run_json(cmd, cwd=None, env=None):
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, env=env, timeout=900)
    try:
        return json.loads(p.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"error": (p.stderr or p.stdout).strip()[-120:]}


def ensure_rss_parser(build):
    node_dir = os.path.join(build, "bench-node")
    if not os.path.isdir(os.path.join(node_dir, "node_modules", "rss-parser")):
        os.makedirs(node_dir, exist_ok=True)
        subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "rss-parser@3"], cwd=node_dir,
                       check=True, capture_output=True)
    script = os.path.join(node_dir, "bench.js")
    open(script, "w").write(RSS_PARSER)
    return node_dir, script


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--items", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--no-realworld", action="store_true")
    a = ap.parse_args()

    corpus = os.path.join(a.build, "bench-corpus")
    subprocess.run([sys.executable, os.path.join(SHARED, "conformance/corpus/gen_corpus.py"), "--items",
                    str(a.items), "--out", corpus], check=True, capture_output=True)
    files = sorted(glob.glob(os.path.join(corpus, "*")))
    if not a.no_realworld:
        files += sorted(f for f in glob.glob(os.path.join(SHARED, "conformance/corpus/realworld/*.xml")))
    node_dir, node_script = ensure_rss_parser(a.build)
    sluice = os.path.join(a.build, "bench", "parse_throughput")

    rows = []
    for f in files:
        size = os.path.getsize(f)
        s = run_json([sluice, f, str(a.runs)])
        memory = run_json([sluice, f, "0"])
        if "peak_rss_kb" in memory:
            s["peak_rss_kb"], s["baseline_rss_kb"] = memory["peak_rss_kb"], memory["baseline_rss_kb"]
        fp = run_json(["/usr/bin/python3", "-c", FEEDPARSER, f, str(max(1, min(a.runs, 3)))])
        rp = run_json(["node", node_script, f, str(a.runs)], cwd=node_dir) if not f.endswith(".json") else {"error": "n/a"}
        rows.append((f, size, s, fp, rp))

    def mbps(r, size):
        return size / 1e6 / r["seconds"] if "seconds" in r and r["seconds"] > 0 else None

    fmt = "{:34} {:>8} {:>6} {:>9} {:>9} {:>9} {:>8} {:>8} {:>7}"
    print(fmt.format("file", "KB", "items", "sluice", "feedpar.", "rss-par.", "x feedp", "x rssp", "RSS/in"))
    print(fmt.format("", "", "", "MB/s", "MB/s", "MB/s", "", "", ""))
    for f, size, s, fp, rp in rows:
        ms, mf, mr = mbps(s, size), mbps(fp, size), mbps(rp, size)
        rss_ratio = ((s["peak_rss_kb"] - s["baseline_rss_kb"]) * 1024 / size) if "peak_rss_kb" in s else None
        cell = lambda v, p=1: "-" if v is None else f"{v:.{p}f}"
        print(fmt.format(os.path.basename(f)[:34], size // 1024, s.get("items", "-"), cell(ms), cell(mf, 2), cell(mr),
                         cell(ms / mf if ms and mf else None, 0), cell(ms / mr if ms and mr else None, 1),
                         cell(rss_ratio, 1)))
        for name, r in (("sluice", s), ("feedparser", fp), ("rss-parser", rp)):
            if "error" in r and r["error"] != "n/a":
                print(f"    {name}: {r['error']}")
    print("# MB/s: fastest of the runs, document in memory; x: sluice's speed over the peer's in this run;")
    print("# RSS/in: what one parse of the file added to a process's peak resident memory (the input buffer")
    print("# included) over the input size; meaningful for the large files only")


if __name__ == "__main__":
    main()
