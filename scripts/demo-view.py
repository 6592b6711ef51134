#!/usr/bin/env python3
"""Shows the demo's stream as one line per article: `sluice tail` output on stdin (one article JSON
per line), and from the daemon's log (--log) the articles sluice did not publish because another
feed already told the story. The full JSON of every article: build/sluice tail -c config/demo.yaml.
"""
import argparse
import json
import re
import sys
import threading
import time

NOT_PUBLISHED = re.compile(r'article not published: same story as seq=(\d+) feed=(\S+) title="(.*)"')
lock = threading.Lock()


def say(line):
    with lock:
        print(line, flush=True)


def articles():
    for line in sys.stdin:
        try:
            article = json.loads(line)
        except ValueError:
            say(line.rstrip())
            continue
        revision = article.get("revision", 1)
        note = "  (edited: revision %d)" % revision if revision > 1 else ""
        say("#%-4d %-17s %s  %s%s" % (article["seq"], article["feed"]["name"], article.get("published") or "",
                                     article["title"], note))


def repeats(log):
    position = 0
    while True:
        try:
            with open(log, encoding="utf-8", errors="replace") as text:
                text.seek(position)
                for line in text:
                    match = NOT_PUBLISHED.search(line)
                    if match:
                        say("      %-17s not published: the same story as #%s, \"%s\"" %
                            (match.group(2), match.group(1), match.group(3)))
                position = text.tell()
        except FileNotFoundError:
            pass
        time.sleep(0.5)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--log", required=True, help="the daemon's log file")
    args = parser.parse_args()
    threading.Thread(target=repeats, args=(args.log,), daemon=True).start()
    try:
        articles()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
