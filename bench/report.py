#!/usr/bin/env python3
"""Turns bench/out/raw.csv (one row per run) into the benchmark's table.

  report.py median RAW WORKLOAD PROGRAM   -> prints the median messages/s
  report.py table RAW --out DIR ...       -> prints the table, writes
                                             DIR/results.md and DIR/results.csv
"""
import argparse
import csv
import statistics
import sys
from pathlib import Path

PROGRAMS = ["flow", "tbb", "tbb-chunk16", "tbb-chunk64", "tokio", "gstreamer"]
THROUGHPUT = ["hops", "fanout", "spin"]
LABELS = {
    "hops": "(a) 3 zero-work hops",
    "fanout": "(b) fan-out 1→4→1",
    "spin": "(c) spin(10us) × cores",
    "flow": "flow",
    "tbb": "TBB, 1 msg/task",
    "tbb-chunk16": "TBB, 16 msg/task",
    "tbb-chunk64": "TBB, 64 msg/task",
    "tokio": "tokio mpsc",
    "gstreamer": "GStreamer",
}


def load(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def values(rows, workload, program, key):
    out = []
    for row in rows:
        if row["workload"] == workload and row["program"] == program and row["status"] == "ok" and row[key]:
            out.append(float(row[key]))
    return out


def cpu_per_message(rows, workload, program):
    """Median CPU time (user + system, all threads) the whole process spent per delivered message."""
    found = [float(r["cpu_s"]) / float(r["delivered"]) for r in rows
             if r["workload"] == workload and r["program"] == program and r["status"] == "ok"
             and r.get("cpu_s") and r["delivered"] and float(r["delivered"]) > 0]
    return statistics.median(found) if found else None


def nanos(x):
    return "n/a" if x is None else f"{x * 1e9:.0f} ns"


def median(rows, workload, program, key="messages_per_s"):
    found = values(rows, workload, program, key)
    return statistics.median(found) if found else None


def failures(rows, workload, program):
    return sorted({r["status"] for r in rows if r["workload"] == workload and r["program"] == program
                   and r["status"] != "ok"})


def rate(x):
    if x is None:
        return "n/a"
    return f"{x / 1e6:.2f} M/s" if x >= 1e6 else f"{x / 1e3:.0f} k/s"


def mib(x):
    return "n/a" if x is None else f"{x / 2**20:.1f} MiB"


def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b


def fmt_ratio(x):
    return "n/a" if x is None else f"{x:.2f}"


def throughput_rows(rows):
    """One row per program and workload that ran at all, with the peer ÷ flow ratio."""
    table, summary = [], []
    for workload in THROUGHPUT:
        flow = median(rows, workload, "flow")
        for program in PROGRAMS:
            if not any(r["workload"] == workload and r["program"] == program for r in rows):
                continue
            mps = values(rows, workload, program, "messages_per_s")
            med = statistics.median(mps) if mps else None
            rss = median(rows, workload, program, "peak_rss_bytes")
            elapsed = median(rows, workload, program, "elapsed_s")
            cpu = cpu_per_message(rows, workload, program)
            runs = sum(1 for r in rows if r["workload"] == workload and r["program"] == program)
            note = "" if mps else " (" + ", ".join(failures(rows, workload, program)) + ")"
            spread = f"{rate(min(mps))} – {rate(max(mps))}" if mps else ""
            peer_ratio = None if program == "flow" else ratio(med, flow)
            table.append([LABELS[workload], LABELS[program], rate(med) + note, spread, f"{len(mps)}/{runs}",
                          "—" if program == "flow" else fmt_ratio(peer_ratio), mib(rss), nanos(cpu)])
            summary.append({"workload": workload, "program": program, "runs_ok": len(mps), "runs": runs,
                            "median_messages_per_s": med, "min_messages_per_s": min(mps) if mps else None,
                            "max_messages_per_s": max(mps) if mps else None, "peer_over_flow": peer_ratio,
                            "median_elapsed_s": elapsed, "median_peak_rss_bytes": rss,
                            "median_cpu_s_per_message": cpu})
    return table, summary


def markdown(header, body):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in body]
    return "\n".join(lines)


def verdict(ok):
    return "n/a" if ok is None else ("met" if ok else "MISSED")


def targets(rows, args):
    """The five targets of issue 5, each as a measured ratio."""
    out = []
    flow_hops, tokio_hops, tbb_hops = (median(rows, "hops", p) for p in ("flow", "tokio", "tbb"))
    a = ratio(flow_hops, tokio_hops)
    out.append(["(a) flow ÷ tokio, 3 hops", "≥ 2", fmt_ratio(a), verdict(None if a is None else a >= 2)])
    a2 = ratio(flow_hops, tbb_hops)
    out.append(["(a) flow ÷ TBB 1 msg/task, 3 hops", "≥ 1", fmt_ratio(a2), verdict(None if a2 is None else a2 >= 1)])
    b = ratio(median(rows, "fanout", "flow"), median(rows, "fanout", "tokio"))
    out.append(["(b) flow ÷ tokio, fan-out/fan-in", "≥ 1", fmt_ratio(b), verdict(None if b is None else b >= 1)])
    ideal = args.spin_count * args.spin_us * 1e-6 / args.cores
    for program in ("flow", "tbb", "tokio"):
        c = ratio(median(rows, "spin", program, "elapsed_s"), ideal)
        target = "≤ 1.10" if program == "flow" else "(peer)"
        out.append([f"(c) {LABELS[program]} time ÷ ideal {ideal:.3f} s", target, fmt_ratio(c),
                    verdict(None if c is None else c <= 1.10) if program == "flow" else ""])
    cpu = cpu_per_message(rows, "spin", "flow")
    c2 = ratio(cpu, args.spin_us * 1e-6)
    out.append(["(c) flow CPU per message ÷ 10 µs (independent of other load on the machine)", "≤ 1.10",
                fmt_ratio(c2), verdict(None if c2 is None else c2 <= 1.10)])
    small, big = median(rows, "memory-10k", "flow", "peak_rss_bytes"), median(rows, args.memory_big, "flow",
                                                                                 "peak_rss_bytes")
    d = ratio(big, small)
    out.append([f"(d) flow peak RSS {args.memory_big.split('-')[1]} ÷ 10k ({mib(big)} ÷ {mib(small)})", "≤ 1.2",
                fmt_ratio(d), verdict(None if d is None else d <= 1.2)])
    p50, p99 = median(rows, "latency", "flow", "latency_p50_s"), median(rows, "latency", "flow", "latency_p99_s")
    achieved = median(rows, "latency", "flow")
    at = f" asked {rate(float(args.latency_rate))}, achieved {rate(achieved)}" if args.latency_rate else ""
    shown = "n/a" if p99 is None else f"p50 {p50 * 1e6:.0f} µs, p99 {p99 * 1e6:.0f} µs"
    out.append([f"(e) flow end-to-end latency{at}", "p99 < 1 ms", shown, verdict(None if p99 is None else p99 < 1e-3)])
    return out


def write_csv(path, summary):
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(summary[0].keys()))
        writer.writeheader()
        writer.writerows(summary)


def table(args):
    rows = load(args.raw)
    body, summary = throughput_rows(rows)
    header = ["workload", "program", "median msg/s", "min – max", "runs ok", "peer ÷ flow", "peak RSS",
              "CPU / msg"]
    goals = targets(rows, args)
    text = "\n".join([
        f"## Throughput (median of {args.rounds} interleaved rounds, {args.cores} cores)", "",
        f"Machine: {args.machine}", "",
        markdown(header, body), "",
        "## Targets of issue 5", "",
        markdown(["target", "wanted", "measured", "verdict"], goals), ""])
    print(text)
    out = Path(args.out)
    (out / "results.md").write_text(text)
    if summary:
        write_csv(out / "results.csv", summary)
    print(f"written: {out / 'results.md'}, {out / 'results.csv'}, raw runs in {args.raw}")


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    m = sub.add_parser("median")
    m.add_argument("raw")
    m.add_argument("workload")
    m.add_argument("program")
    t = sub.add_parser("table")
    t.add_argument("raw")
    t.add_argument("--out", required=True)
    t.add_argument("--cores", type=int, required=True)
    t.add_argument("--spin-count", type=int, required=True)
    t.add_argument("--spin-us", type=float, default=10)
    t.add_argument("--memory-big", default="memory-10M")
    t.add_argument("--latency-rate", default="")
    t.add_argument("--rounds", default="?")
    t.add_argument("--machine", default="not recorded")
    args = parser.parse_args()
    if args.command == "median":
        found = median(load(args.raw), args.workload, args.program)
        if found is None:
            sys.exit(1)
        print(f"{found:.0f}")
    else:
        table(args)


if __name__ == "__main__":
    main()
