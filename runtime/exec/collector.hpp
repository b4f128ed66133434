#pragma once
// Reads a run's counters into RunMetrics: live snapshots for reports and the
// final account. Leaves `bottleneck` empty (runtime/output names it).
#include <memory>
#include <vector>

#include "runtime/exec/edge.hpp"
#include "runtime/exec/node_runner.hpp"
#include "runtime/exec/run_state.hpp"
#include "flow/metrics.hpp"

namespace flow::exec {

struct RunParts {
  const RunState& state;
  const std::vector<std::unique_ptr<EdgeBuffer>>& edges;
  const std::vector<std::unique_ptr<NodeRunner>>& runners;
};

/// The metrics as of now, with `status` and `elapsed_s` as given.
RunMetrics collect(const RunParts& parts, RunStatus status, double elapsed_s);

/// Peak resident set size of this process, in bytes (getrusage).
std::uint64_t peak_rss_bytes();

}  // namespace flow::exec
