#!/usr/bin/env python3
"""Runs one of the shared conformance kit's scorers and fails when fewer cases pass than the floor.

usage: floor.py --min N -- SCORER [ARGS...]

The scorers end with a line "P passed, F failed". The floors in tests/CMakeLists.txt are the
scores sluice has reached, so a change can raise them but never lower them unnoticed.
"""
import argparse
import re
import subprocess
import sys


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--min", type=int, required=True, help="cases that must pass")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    result = subprocess.run([sys.executable] + command, capture_output=True, text=True, timeout=600)
    sys.stdout.write(result.stdout[-4000:])
    sys.stderr.write(result.stderr[-2000:])
    scores = re.findall(r"^(\d+) passed, (\d+) failed$", result.stdout, re.MULTILINE)
    if not scores:
        print(f"no score line in the output (exit {result.returncode})")
        return 1
    passed, failed = map(int, scores[-1])
    print(f"score {passed}/{passed + failed}, floor {args.min}")
    if passed < args.min:
        print(f"below the floor: {args.min - passed} case(s) that passed before now fail")
        return 1
    if passed > args.min:
        print(f"above the floor: raise --min to {passed} in tests/CMakeLists.txt")
    return 0


if __name__ == "__main__":
    sys.exit(main())
