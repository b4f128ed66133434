#pragma once
// Names the node that holds a run back, from what the run measured. Works on
// the final metrics and on a live snapshot (status Running) alike.
#include "flow/metrics.hpp"
#include "flow/model.hpp"

namespace flow {

/// The bottleneck of a run: among nodes with inputs, those whose input edge is
/// fullest (time spent full / elapsed, then high_water / capacity), the one
/// whose workers are busiest. When no input edge was ever full, sources count
/// too (a source-bound run) and the busiest node is named. The reason reads
/// like "1 worker busy 98 %, its input edge 5/5 for 92 % of the run".
/// Nodes are taken from `pipeline` when it has any (so edges the run did not
/// report still count as inputs), else from the metrics alone.
Bottleneck find_bottleneck(const Pipeline& pipeline, const RunMetrics& run);

/// How full an edge got, 0..1: high_water / capacity. An unbounded edge counts
/// as full once it held more than the default capacity (2 × consumer workers).
double fill_ratio(const EdgeMetrics& edge, int consumer_workers);

/// The node's busy fraction: `busy` when set, else busy_s / (workers × elapsed).
double busy_fraction(const NodeMetrics& node, double elapsed_s);

}  // namespace flow
