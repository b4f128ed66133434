#!/usr/bin/env python3
"""Turns bench/out/text/raw.csv (one row per run of bench/text.sh) into one
markdown table per workload; prints it and writes it to --out.

  text_report.py RAW --out results.md [--machine TEXT] [--input TEXT] [--shell TEXT]

Medians are over the runs that succeeded (status ok: exit 0 and output
identical to the tool's). The ratio is flow's median ÷ the row's median:
at most 1.00 means flow is at least as fast (or as frugal) as that program.
"""
import argparse
import csv
import statistics

# workload -> (title, flow's program in it, rows: (workload, program, label))
WORKLOADS = {
    "copy": ("1. copy: `read -> write` vs `awk '{print}' in > out`", ("copy", "flow"),
             [("copy", "flow", "flow"), ("copy", "awk", "awk '{print}'")]),
    "grep": ("2. grep: `read -> grep(…) -> write` vs `grep -E '\\b(ERROR|FATAL)\\b'`", ("grep", "flow"),
             [("grep", "flow", "flow"), ("grep", "grep", "grep -E")]),
    "stages": ("3. two stages (log_errors): `grep | replace`, `upper | prefix` vs grep | sed | tr | sed",
               ("stages", "flow"),
               [("stages", "flow", "flow"), ("stages", "shell", "shell pipeline")]),
    "stdio": ("4. stdin → stdout: `read(\"-\") -> stdout()` vs `awk '{print}' < in > out`", ("stdio", "flow"),
              [("stdio", "flow", "flow"), ("stdio", "awk", "awk '{print}'"), ("stdio", "cat", "cat (reference)")]),
    "swap": ("5. a CPU-bound stage, `replace` of five captures: 2 workers (ordered, unordered) vs 1, and `sed -E`",
             ("swap", "flow-2w"),
             [("swap", "flow-2w", "flow, workers=2 ordered"), ("swap", "flow-2u", "flow, workers=2 unordered"),
              ("swap", "flow-1w", "flow, 1 worker"), ("swap", "sed", "sed -E")]),
    "access_json": ("6. nginx 5xx as JSON: `parse(nginx_combined) | where(status >= 500) | format(json)` vs awk, jq",
                    ("access_json", "flow"),
                    [("access_json", "flow", "flow"), ("access_json", "awk", "awk -f access_json.awk"),
                     ("access_json", "jq", "jq -R -c -f access_json.jq")]),
    "access_count": ("7. requests per status: `parse(nginx_combined) | count(by=status, every=1s)` vs awk's array",
                     ("access_count", "flow"),
                     [("access_count", "flow", "flow"), ("access_count", "awk", "awk '{ n[$9]++ } END {...}'")]),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("raw")
    ap.add_argument("--out", required=True)
    ap.add_argument("--machine", default="")
    ap.add_argument("--input", default="")
    ap.add_argument("--shell", default="")
    a = ap.parse_args()

    with open(a.raw, newline="") as f:
        rows = list(csv.DictReader(f))

    def runs(w, p):
        return [r for r in rows if r["workload"] == w and r["program"] == p]

    def ok(w, p, key):
        return [float(r[key]) for r in runs(w, p) if r["status"] == "ok" and r[key]]

    def med(w, p, key):
        v = ok(w, p, key)
        return statistics.median(v) if v else None

    lines = ["# flow on text (issues 13 and 25): bench/text.sh", ""]
    if a.input:
        lines += [f"Input: {a.input}.", ""]
    if a.machine:
        lines += [f"Machine: {a.machine}.", ""]
    lines += [
        "Each run is a whole process (the shell pipeline: `sh -c`, all its processes): wall clock "
        "measured by the script around GNU time (µs; it includes the few ms of starting time, timeout "
        "and sh, alike for every row), CPU = user + system of every process (GNU time, to the centisecond), peak RSS = the largest of any one process "
        "(for the pipeline: of sh, grep, sed, tr, sed, not their sum). Flow runs with `--quiet`. "
        "Every output is compared with `cmp` to the tool's (the access log's by text_compare.py: the same JSON "
        "objects, the same counts per status); a run that differs, fails or times out is "
        "left out of the medians and listed. Ratio = flow's median ÷ the row's median (≤ 1.00: flow at "
        "least as fast / as frugal).",
        "",
    ]
    if a.shell:
        lines += [f"Shell pipeline: `{a.shell}`", ""]

    for w, (title, (fw, fp), table) in WORKLOADS.items():
        if not any(runs(rw, rp) for rw, rp, _ in table):
            continue
        fwall, fcpu = med(fw, fp, "wall_s"), med(fw, fp, "cpu_s")
        lines += [f"### {title}", "",
                  "| program | median wall | min–max wall | median CPU | peak RSS | flow ÷ it, wall | flow ÷ it, CPU | runs ok |",
                  "|---|---|---|---|---|---|---|---|"]
        for rw, rp, label in table:
            wall, cpu, rss = ok(rw, rp, "wall_s"), med(rw, rp, "cpu_s"), ok(rw, rp, "peak_rss_kib")
            n = len(runs(rw, rp))
            bad = sorted({r["status"] for r in runs(rw, rp) if r["status"] != "ok"})
            mw = statistics.median(wall) if wall else None
            is_flow = (rw, rp) == (fw, fp)
            lines.append("| " + " | ".join([
                label,
                f"{mw:.3f} s" if mw is not None else "n/a",
                f"{min(wall):.3f}–{max(wall):.3f} s" if wall else "n/a",
                f"{cpu:.2f} s" if cpu is not None else "n/a",
                f"{max(rss) / 1024:.1f} MiB" if rss else "n/a",
                "—" if is_flow else ratio(fwall, mw),
                "—" if is_flow else ratio(fcpu, cpu),
                f"{len(wall)}/{n}" + (f" ({', '.join(bad)})" if bad else ""),
            ]) + " |")
        lines.append("")

    lines += ["Peak RSS is the largest over the runs. Raw runs: `bench/out/text/raw.csv`.", ""]
    text = "\n".join(lines)
    print(text)
    with open(a.out, "w") as f:
        f.write(text)


def ratio(a, b):
    return "n/a" if a is None or not b else f"{a / b:.2f}"


if __name__ == "__main__":
    main()
