#!/usr/bin/env python3
"""Cross-feed story dedup on an evaluation set made from the extraction kit's article texts.

usage: bench/dedup.py [--build build] [--seed N] [--distractors N] [--bench-articles N] [--show-misses K]

The set (bench/dedup_set.py) puts half of the kit's ground-truth articles, and a 40-word brief of
each, into the story index as one feed publishes them, then checks articles a second feed carries:
copies of those stories as syndication changes them (each should be found, as the story it copies)
and stories that must stay apart (none should be). Every article goes through the cleaning stage as
the daemon's do (bench/dedup_eval.cpp). Prints recall per transformation, false matches per
negative kind, and the microseconds per check and bytes per indexed story; --distractors adds N
stories of random words to the index first, to measure a lookup in a large index;
--bench-articles N indexes N of the publishing benchmarks' 4 KB articles instead.
"""
import argparse
import collections
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import dedup_set  # noqa: E402

KIT = os.path.join(os.path.dirname(os.path.dirname(HERE)), "shared", "extraction")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(os.path.dirname(HERE), "build"))
    ap.add_argument("--kit", default=KIT)
    ap.add_argument("--distractors", type=int, default=0)
    ap.add_argument("--bench-articles", type=int, default=0)
    ap.add_argument("--show-misses", type=int, default=0)
    ap.add_argument("--seed", type=int, default=20261203, help="another seed makes another set of the same kinds")
    a = ap.parse_args()
    tool = os.path.join(a.build, "bench", "dedup_eval")
    if a.bench_articles:
        return subprocess.call([tool, "--bench-articles", str(a.bench_articles)])
    if not os.path.isdir(a.kit):
        print(f"no extraction kit at {a.kit}: nothing to evaluate on", file=sys.stderr)
        return 2
    originals, checks = dedup_set.make_set(a.kit, a.seed)
    lines = [json.dumps(dict(op="add", feed="wire", **o)) for o in originals]
    for c in checks:
        body = {k: c[k] for k in ("title", "url", "text", "html") if k in c}
        lines.append(json.dumps(dict(op="check", feed="partner", **body)))
    run = subprocess.run([tool, "--distractors", str(a.distractors)], input="\n".join(lines) + "\n",
                         capture_output=True, text=True, check=True)
    answers = [json.loads(line) for line in run.stdout.splitlines()]
    per = collections.OrderedDict()
    misses = []
    for c, answer in zip(checks, answers):
        r = per.setdefault(c["kind"], collections.Counter())
        r["n"] += 1
        if c["positive"]:
            ok = answer["seq"] == c["of"] + 1
            r["found"] += ok
            if not ok:
                misses.append((c["kind"], answer))
        else:
            wrong = answer["seq"] is not None
            r["false"] += wrong
            if wrong:
                misses.append((c["kind"], answer))
    print(f"{'copies (must be found)':26} {'n':>5} {'found':>6} {'recall':>7}")
    for kind, r in per.items():
        if kind in dedup_set.POSITIVE_KINDS:
            print(f"{kind:26} {r['n']:5} {r['found']:6} {r['found'] / r['n']:7.3f}")
    print(f"{'apart (must not be)':26} {'n':>5} {'false':>6} {'rate':>7}")
    for kind, r in per.items():
        if kind in dedup_set.NEGATIVE_KINDS:
            print(f"{kind:26} {r['n']:5} {r['false']:6} {r['false'] / r['n']:7.3f}")
    print(run.stderr.strip())
    for kind, answer in misses[: a.show_misses]:
        print("MISS", kind, json.dumps(answer))
    return 0


if __name__ == "__main__":
    sys.exit(main())
