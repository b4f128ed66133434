#pragma once
// `flow tune --goal G`: what a run must achieve, such as `dropped=0` or
// `p99<=200ms`, parsed from the command line and held against a run's metrics.
#include <cstddef>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "flow/metrics.hpp"

namespace flow::tune {

/// What a goal limits; each is a figure of RunMetrics.
enum class Metric { Dropped, LatencyP50, LatencyP99, LatencyMean, LatencyMax, PeakBytes, PeakMessages };

/// How a figure is counted, for parsing a limit and printing a figure.
enum class Unit { Messages, Seconds, Bytes };

/// `<=` or `<`. A goal is always a limit from above: each metric is better smaller.
enum class Comparison { AtMost, Below };

struct Goal {
  Metric metric = Metric::Dropped;
  Comparison comparison = Comparison::AtMost;
  double limit = 0;  ///< in the metric's unit: messages, seconds or bytes
  std::string text;  ///< as written on the command line, for tables and messages
};

/// What was wrong with a goal's text, and where: bytes [offset, offset + width).
struct GoalError {
  std::string message;
  std::size_t offset = 0;
  std::size_t width = 1;
};

/// Parses `KEY OP VALUE`: `dropped=0`, `dropped<=10`, `p99<=200ms`,
/// `latency_mean<50ms`, `peak_bytes<=64MB` (spaces around OP allowed).
std::variant<Goal, GoalError> parse_goal(std::string_view text);

/// The goal keys, as `--goal` takes them: "dropped", "p50", ...
const char* metric_name(Metric metric);
Unit metric_unit(Metric metric);

/// The figure `metric` names in a finished run's metrics. Dropped counts every
/// edge's drops; latencies are end to end over all sinks.
double measure(Metric metric, const RunMetrics& metrics);

/// Whether `figure` is within the goal's limit.
bool meets(const Goal& goal, double figure);

/// How far `figure` misses the goal, relative to the limit (0 when met): for
/// telling which of several settings came closest.
double shortfall(const Goal& goal, double figure);

}  // namespace flow::tune
