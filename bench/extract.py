#!/usr/bin/env python3
"""Article extraction of sluice beside the extractors people use instead, scored and timed in one run.

usage: bench/extract.py [--build build] [--sets scrapinghub,wcxb-dev] [--peers] [--keep DIR]

For each set of the shared kit (../shared/extraction/SET: gzipped pages + ground truth), the pages
are unpacked once into BUILD/bench-extract/SET, `sluice extract --batch` reads them all in one
process, and the kit's score.py scores the result. With --peers, readability-lxml (Debian
python3-readability) and Mozilla Readability (npm, installed into BUILD/bench-extract/node on first
use) run on the same pages in the same run. Prints shingle F1, pages/s and peak RSS. Every extractor's
pages/s counts extraction only (each prints its own `extract_pages_per_s`: parsing and cleaning,
without reading files or writing results); sluice's whole-process rate is printed beside it.
"""
import argparse
import glob
import gzip
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
KIT = os.path.join(os.path.dirname(ROOT), "shared", "extraction")


def unpack(set_dir, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    pages = []
    for path in sorted(glob.glob(os.path.join(set_dir, "html", "*.html.gz"))):
        page_id = os.path.basename(path)[: -len(".html.gz")]
        target = os.path.join(out_dir, page_id + ".html")
        if not os.path.exists(target):
            with gzip.open(path, "rb") as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst)
        pages.append((page_id, target))
    return pages


def watch_peak(pid, peak_kb):
    path = f"/proc/{pid}/status"
    while True:
        try:
            with open(path) as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        peak_kb[0] = max(peak_kb[0], int(line.split()[1]))
                    elif line.startswith("State:") and "Z" in line.split()[1]:
                        return
        except (FileNotFoundError, ProcessLookupError, ValueError):
            return
        time.sleep(0.02)


def run_sluice(binary, pages, truth):
    request = "".join(
        json.dumps({"file": target, "url": truth.get(page_id, {}).get("url", "")}) + "\n" for page_id, target in pages
    )
    started = time.perf_counter()
    child = subprocess.Popen([binary, "extract", "--batch"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    writer = threading.Thread(target=lambda: (child.stdin.write(request), child.stdin.close()))
    writer.start()
    # Peak RSS is read from the child's VmHWM while it runs: the rusage figure would also count the
    # memory of this process, which the child starts as a copy of before it execs.
    peak_kb = [0]
    watcher = threading.Thread(target=watch_peak, args=(child.pid, peak_kb))
    watcher.start()
    stderr_lines = []
    reader = threading.Thread(target=lambda: stderr_lines.append(child.stderr.read()))
    reader.start()
    stdout = child.stdout.read()
    writer.join()
    reader.join()
    _, status, usage = os.wait4(child.pid, 0)
    watcher.join()
    child.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if child.returncode != 0:
        raise SystemExit(f"sluice extract --batch failed with status {child.returncode}")
    predictions = {}
    for (page_id, _), line in zip(pages, stdout.split("\n")):
        article = json.loads(line)
        predictions[page_id] = {"articleBody": article.get("text", "")}
    cpu = usage.ru_utime + usage.ru_stime
    match = re.search(r"extract_pages_per_s=([0-9.]+)", "".join(stderr_lines))
    return predictions, {"pages_per_s": len(pages) / seconds, "pages_per_cpu_s": len(pages) / max(cpu, 1e-9),
                         "extract_pages_per_s": float(match.group(1)) if match else None,
                         "peak_rss_mb": peak_kb[0] / 1024}


def run_peer(command, cwd, out_json):
    """Runs a peer of the shared kit; it prints `... extract_pages_per_s=N` to stderr."""
    child = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak_kb = [0]
    watcher = threading.Thread(target=watch_peak, args=(child.pid, peak_kb))
    watcher.start()
    stderr = child.stderr.read()
    child.wait()
    watcher.join()
    if child.returncode != 0:
        return {"error": stderr.strip()[-200:]}
    match = re.search(r"extract_pages_per_s=([0-9.]+)", stderr)
    return {"pages_per_s": float(match.group(1)) if match else None, "peak_rss_mb": peak_kb[0] / 1024,
            "file": out_json}


def score(set_dir, files, per_page=None):
    command = [sys.executable, os.path.join(KIT, "score.py"), "--set", set_dir] + files
    if per_page:
        command += ["--per-page", per_page]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return done.stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--sets", default="scrapinghub,wcxb-dev")
    parser.add_argument("--peers", action="store_true")
    parser.add_argument("--per-page", action="store_true", help="write BUILD/bench-extract/SET.pages.csv")
    args = parser.parse_args()
    work = os.path.join(args.build, "bench-extract")
    binary = os.path.join(args.build, "sluice")
    for name in args.sets.split(","):
        set_dir = os.path.join(KIT, name)
        truth = json.load(open(os.path.join(set_dir, "ground-truth.json"), encoding="utf-8"))
        pages = unpack(set_dir, os.path.join(work, name))
        predictions, figures = run_sluice(binary, pages, truth)
        ours = os.path.join(work, name + ".sluice.json")
        with open(ours, "w", encoding="utf-8") as out:
            json.dump(predictions, out)
        files = [ours]
        peers = {}
        if args.peers:
            lxml_out = os.path.join(work, name + ".readability-lxml.json")
            peers["readability-lxml"] = run_peer(
                ["/usr/bin/python3", os.path.join(KIT, "peers", "readability_lxml.py"), set_dir, lxml_out], None, lxml_out)
            node_dir = os.path.join(work, "node")
            if not os.path.exists(os.path.join(node_dir, "node_modules")):
                os.makedirs(node_dir, exist_ok=True)
                shutil.copy(os.path.join(KIT, "peers", "package.json"), node_dir)
                subprocess.run(["npm", "install", "--silent", "--prefix", node_dir], check=True)
            js_out = os.path.join(work, name + ".readability-js.json")
            peers["mozilla-readability"] = run_peer(
                ["node", os.path.join(KIT, "peers", "readability_js.mjs"), set_dir, js_out], node_dir, js_out)
            files += [peer["file"] for peer in peers.values() if "file" in peer]
        per_page = os.path.join(work, name + ".pages.csv") if args.per_page else None
        print(f"== {name}: {len(pages)} pages")
        print(score(set_dir, files, per_page), end="")
        print(f"sluice: {figures['extract_pages_per_s']:.1f} pages/s (extraction only, one thread); whole process "
              f"{figures['pages_per_s']:.1f} pages/s ({figures['pages_per_cpu_s']:.1f} per CPU second); "
              f"peak RSS {figures['peak_rss_mb']:.0f} MB")
        for peer, result in peers.items():
            if "error" in result:
                print(f"{peer}: failed: {result['error']}")
                continue
            rate = result["pages_per_s"]
            ratio = f"; sluice is {figures['extract_pages_per_s'] / rate:.1f}x as fast" if rate else ""
            print(f"{peer}: {rate} pages/s (extraction only), peak RSS {result['peak_rss_mb']:.0f} MB{ratio}")


if __name__ == "__main__":
    main()
