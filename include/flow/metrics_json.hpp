#pragma once
// The metrics of a run as JSON, and back: the stable shape of docs/metrics.md
// that `flow run --metrics-json` writes and `flow dot --metrics` reads.
#include <optional>
#include <string>
#include <vector>

#include "flow/diagnostic.hpp"

#include "flow/metrics.hpp"

namespace flow {

/// The run as a JSON object (pretty-printed, 2 spaces, trailing newline).
/// `capacity`, `error`, `bottleneck`, `bottleneck_reason` and `expected` are
/// null when absent. Keys and units: docs/metrics.md.
std::string to_json(const RunMetrics& metrics);

struct MetricsRead {
  std::optional<RunMetrics> metrics;    ///< set when the text was read
  std::vector<Diagnostic> diagnostics;  ///< else why not: one, without a location
};

/// Reads what to_json wrote. The keys cli.md promises are required
/// (`pipeline, status, elapsed_s, nodes, edges, sinks` and each element's own);
/// the others default to zero when missing. Bad input is a diagnostic naming
/// the offending key and element, e.g.
/// `metrics JSON: edges[1].capacity: expected an unsigned integer or null, got string`;
/// it never throws for it.
MetricsRead metrics_from_json(const std::string& text);

}  // namespace flow
