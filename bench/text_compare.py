#!/usr/bin/env python3
"""Compares a program's output with the reference's where bytes may differ
but the answer may not (bench/text.sh, workloads 6 and 7).

  text_compare.py json REFERENCE OUTPUT    # the same JSON objects, line by line
  text_compare.py counts REFERENCE OUTPUT  # the same count per status

json: each line of both files is parsed; the objects must be equal (the
order of their keys aside) and come in the same order.
counts: REFERENCE holds `status=S count=N` lines (awk's totals); OUTPUT holds
count()'s rows, one per status per window (`status=S count=N window_start=...`);
the counts of each status, summed over the windows, must be REFERENCE's.
Exits 0 when they agree, 1 with the first difference on stderr otherwise.
"""
import json
import sys
from collections import Counter


def pairs(line):
    return dict(word.split("=", 1) for word in line.split() if "=" in word)


def same_json(reference, output):
    with open(reference, encoding="utf-8") as a, open(output, encoding="utf-8") as b:
        want, got = a.read().splitlines(), b.read().splitlines()
    if len(want) != len(got):
        return f"{len(got)} lines, the reference has {len(want)}"
    for number, (w, g) in enumerate(zip(want, got), 1):
        if json.loads(w) != json.loads(g):
            return f"line {number} differs:\n  reference {w}\n  output    {g}"
    return ""


def totals(path):
    counts = Counter()
    with open(path, encoding="utf-8") as f:
        for line in f:
            row = pairs(line)
            counts[row["status"]] += int(row["count"])
    return counts


def same_counts(reference, output):
    want, got = totals(reference), totals(output)
    if want != got:
        return f"counts per status differ: reference {dict(want)}, output {dict(got)}"
    return ""


def main():
    mode, reference, output = sys.argv[1:4]
    problem = same_json(reference, output) if mode == "json" else same_counts(reference, output)
    if problem:
        print(f"text_compare.py {mode}: {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
