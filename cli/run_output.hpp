#pragma once
// What `flow run` takes from runtime/output once a run (or a snapshot) is
// measured: the bottleneck, the metrics JSON and the planner's prediction.
#include <optional>
#include <string>

#include "cli/summary.hpp"
#include "flow/metrics.hpp"
#include "flow/model.hpp"
#include "flow/registry.hpp"

namespace flow::cli {

/// Fills `metrics.bottleneck` (node and reason in words) from the measurements.
void name_bottleneck(const Pipeline& pipeline, RunMetrics& metrics);

/// Writes `metrics` as the documented JSON; false with `error` set when it cannot.
bool write_metrics_json(const std::string& path, const RunMetrics& metrics, std::string& error);

/// For delay/spin pipelines: the planner's predicted throughput of the measured
/// bottleneck (or of its own predicted one when the run named none).
std::optional<PredictedThroughput> predicted_throughput(const Pipeline& pipeline,
                                                        const OperatorRegistry& registry,
                                                        const RunMetrics& metrics);

}  // namespace flow::cli
