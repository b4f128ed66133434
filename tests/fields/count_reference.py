#!/usr/bin/env python3
"""The reference for count() and aggregate() (docs/windows.md), computed from
the same input the test gives flow, and compared with what flow wrote.

usage: count_reference.py INPUT OUTPUT EVERY_MS MAX_KEYS BY AGGREGATIONS
  INPUT: lines `t=MS key=value ...` (t: the message's time in ms)
  OUTPUT: flow's rows, one JSON object per line (format(json))
  BY: the key's fields, comma-separated ("" for none)
  AGGREGATIONS: e.g. "sum=bytes,p99=ms,avg=ms" ("" for none)
Prints the number of messages counted under _other (the overflow), or what
differs, and exits 1 then.
"""
import json
import math
import sys
from datetime import datetime


def number(text):
    """As flow reads a number (docs/expressions.md): blanks and '+' allowed, nan and inf no numbers."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse(line):
    fields = {}
    for pair in line.split():
        name, _, value = pair.partition("=")
        fields[name] = value
    return fields


def expected_rows(lines, every, max_keys, by, aggregations):
    t0 = int(parse(lines[0])["t"])
    windows = {}
    overflow = 0
    for line in lines:
        fields = parse(line)
        index = (int(fields["t"]) - t0) // every
        window = windows.setdefault(index, {"slots": {}, "other": None})
        key = tuple(fields.get(name, "") for name in by)
        slots = window["slots"]
        if key in slots:
            slot = slots[key]
        elif len(slots) < max_keys:
            slot = slots[key] = {"key": key, "count": 0, "values": {}}
        else:
            overflow += 1
            if window["other"] is None:
                window["other"] = {"key": tuple("_other" for _ in by), "count": 0, "values": {}}
            slot = window["other"]
        slot["count"] += 1
        for field in dict.fromkeys(field for _, field in aggregations):
            if field in fields and number(fields[field]) is not None:
                slot["values"].setdefault(field, []).append(number(fields[field]))
    rows = []
    for index in sorted(windows):
        window = windows[index]
        slots = list(window["slots"].values())
        if window["other"] is not None:
            slots.append(window["other"])
        for slot in slots:
            rows.append((index, slot))
    return rows, overflow


def check_aggregation(kind, values, got, where):
    if kind == "sum":
        want = sum(values) if values else 0
        return got == want or (isinstance(want, float) and math.isclose(got, want, rel_tol=1e-12))
    if not values:
        return got is None
    if kind == "min":
        return got == min(values)
    if kind == "max":
        return got == max(values)
    if kind == "avg":
        return math.isclose(got, sum(values) / len(values), rel_tol=1e-12)
    percent = int(kind[1:])
    ordered = sorted(values)
    rank = max(1, (percent * len(ordered) + 99) // 100)
    exact = ordered[rank - 1]
    # The sketch's promise: within 1% of the value of that rank.
    return got is not None and abs(got - exact) <= 0.01 * abs(exact) + 1e-9


def millis(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000


def main():
    input_path, output_path, every, max_keys, by, aggregations = sys.argv[1:7]
    every, max_keys = int(every), int(max_keys)
    by = [name for name in by.split(",") if name]
    aggregations = [tuple(pair.split("=")) for pair in aggregations.split(",") if pair]
    lines = [line for line in open(input_path, encoding="utf-8").read().splitlines() if line]
    want, overflow = expected_rows(lines, every, max_keys, by, aggregations)
    got = [json.loads(line) for line in open(output_path, encoding="utf-8").read().splitlines()]
    problems = []
    if len(got) != len(want):
        problems.append(f"{len(got)} rows, expected {len(want)}")
    first_start = millis(got[0]["window_start"]) if got else 0
    for number_, ((index, slot), row) in enumerate(zip(want, got)):
        where = f"row {number_ + 1} (window {index}, key {slot['key']})"
        key = tuple("" if name not in row else str(row[name]) for name in by)
        if key != slot["key"]:
            problems.append(f"{where}: key {key}")
        if row.get("count") != slot["count"]:
            problems.append(f"{where}: count {row.get('count')}, expected {slot['count']}")
        for kind, field in aggregations:
            value = row.get(f"{kind}_{field}")
            if not check_aggregation(kind, slot["values"].get(field, []), value, where):
                problems.append(f"{where}: {kind}_{field} = {value}, values {slot['values'].get(field)}")
        start, end = millis(row["window_start"]), millis(row["window_end"])
        if abs(start - first_start - index * every) > 1.5 or abs(end - start - every) > 1.5:
            problems.append(f"{where}: window {row['window_start']} .. {row['window_end']}")
        expected_names = by + ["count"] + [f"{k}_{f}" for k, f in aggregations] + ["window_start", "window_end"]
        if [name for name in row if name not in expected_names]:
            problems.append(f"{where}: unexpected fields {list(row)}")
    if problems:
        print("\n".join(problems[:20]))
        sys.exit(1)
    print(overflow)


if __name__ == "__main__":
    main()
