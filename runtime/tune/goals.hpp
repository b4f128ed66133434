#pragma once
// The figures a goal names in a run's metrics, for the runner and the trials;
// the goals themselves are public (flow/tune.hpp).
#include "flow/metrics.hpp"
#include "flow/tune.hpp"

namespace flow::tune {

/// The figure `metric` names in a finished run's metrics. Dropped counts every
/// edge's drops; latencies are end to end over all sinks.
double measure(Metric metric, const RunMetrics& metrics);

/// The worse of two figures of `metric`: the larger, the smaller for `delivered`.
double worse(Metric metric, double a, double b);

/// How far `figure` misses the goal, relative to the limit (0 when met): for
/// telling which of several settings came closest.
double shortfall(const Goal& goal, double figure);

}  // namespace flow::tune
