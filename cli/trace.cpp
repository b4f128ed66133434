#include "cli/trace.hpp"

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>

#include "cli/options.hpp"

namespace flow::cli {
namespace {

// Busy fraction of the node's workers over the interval since the previous sample.
double interval_busy(const NodeMetrics& node, const NodeMetrics* before, double since, double now) {
  double interval = now - since;
  if (interval <= 0 || node.workers <= 0) return node.busy;
  double busy_before = before ? before->busy_s : 0.0;
  return std::clamp((node.busy_s - busy_before) / (node.workers * interval), 0.0, 1.0);
}

// When an observer with its own interval is due: at the first snapshot at or
// after each multiple of it. A snapshot is judged by the tick it was taken
// for, not by its clock reading: on the real clock it comes a little after
// its time (a quarter of a tick early is allowed for the clocks' rounding),
// and one that came late must not push the next, on-time one out.
class Due {
 public:
  Due(std::chrono::nanoseconds every, std::chrono::nanoseconds tick)
      : every_s_(std::chrono::duration<double>(every).count()),
        tick_s_(std::chrono::duration<double>(tick).count()),
        next_s_(every_s_) {}

  bool operator()(double elapsed_s) {
    double taken_for = std::floor(elapsed_s / tick_s_ + 0.25) * tick_s_;
    if (taken_for < next_s_ - tick_s_ * 1e-6) return false;
    next_s_ = (std::floor(taken_for / every_s_ + 1e-6) + 1) * every_s_;
    return true;
  }

 private:
  double every_s_, tick_s_;
  double next_s_;  // the first is due one interval in, as the run's own first snapshot is
};

// The step both observers are sampled at: the greatest common divisor of their
// intervals, unless that is under a tenth of the shorter (1s and 333ms share
// only 1ms), when the shorter is used and the other takes the first snapshot
// at or after each of its times, rather than a snapshot of every edge every
// millisecond.
std::chrono::nanoseconds snapshot_step(std::chrono::nanoseconds a, std::chrono::nanoseconds b) {
  auto common = std::chrono::nanoseconds(std::gcd(a.count(), b.count()));
  auto shorter = std::min(a, b);
  return common * 10 < shorter ? shorter : common;
}

}  // namespace

void add_trace_interval_option(CLI::App& app, CLI::Option* trace, std::string& text) {
  auto duration = [](const std::string& value) {
    std::string error;
    return parse_duration(value, error) ? std::string() : error;
  };
  app.add_option("--trace-interval", text,
                 "with --trace: sample every DURATION (default 100ms), whatever interval --report prints at")
      ->type_name("DURATION")
      ->check(CLI::Validator(duration, ""))
      ->needs(trace);
}

void sample_trace_every(RunOptions& options, TraceWriter& trace, const std::string& interval) {
  std::string error;
  std::chrono::nanoseconds every = trace_default_interval;
  if (!interval.empty()) every = parse_duration(interval, error).value_or(every);  // checked when parsed
  auto others = options.report_every.value_or(every);
  auto tick = snapshot_step(others, every);
  options.report_every = tick;
  options.on_report = [report = std::move(options.on_report), &trace, trace_due = Due(every, tick),
                       others_due = Due(others, tick)](const RunMetrics& snapshot) mutable {
    if (trace_due(snapshot.elapsed_s)) trace.sample(snapshot);
    if (report && others_due(snapshot.elapsed_s)) report(snapshot);
  };
}

std::string trace_rows(const RunMetrics& sample, const RunMetrics* previous) {
  std::string rows;
  double time = sample.elapsed_s;
  for (const auto& edge : sample.edges) {
    rows += fmt::format("{:.3f},edge,{}->{},{},{},{},{},\n", time, edge.from, edge.to, edge.held, edge.in,
                        edge.out, edge.dropped);
  }
  double since = previous ? previous->elapsed_s : 0.0;
  for (std::size_t i = 0; i < sample.nodes.size(); ++i) {
    const auto& node = sample.nodes[i];
    const NodeMetrics* before = previous && i < previous->nodes.size() ? &previous->nodes[i] : nullptr;
    rows += fmt::format("{:.3f},node,{},,{},{},,{:.3f}\n", time, node.name, node.in, node.out,
                        interval_busy(node, before, since, time));
  }
  return rows;
}

TraceWriter::TraceWriter(const std::string& path) : file_(path) {
  if (file_.write(fmt::format("{}\n", trace_header))) file_.flush();
}

void TraceWriter::sample(const RunMetrics& snapshot) {
  if (!file_.ok()) return;
  if (file_.write(trace_rows(snapshot, previous_ ? &*previous_ : nullptr))) file_.flush();
  previous_ = snapshot;
}

}  // namespace flow::cli
