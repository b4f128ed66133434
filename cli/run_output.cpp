#include "cli/run_output.hpp"

#include <cmath>

#include "cli/output_file.hpp"

#include "flow/bottleneck.hpp"
#include "flow/metrics_json.hpp"
#include "flow/predict.hpp"

namespace flow::cli {

void name_bottleneck(const Pipeline& pipeline, RunMetrics& metrics) {
  metrics.bottleneck = find_bottleneck(pipeline, metrics);
}

bool write_metrics_json(const std::string& path, const RunMetrics& metrics, std::string& error) {
  return write_whole_file(path, to_json(metrics), error);
}

std::optional<PredictedThroughput> predicted_throughput(const Pipeline& pipeline,
                                                        const OperatorRegistry& registry,
                                                        const RunMetrics& metrics) {
  auto prediction = predict(pipeline, registry);
  // Only a pipeline whose costs the planner knows (delay, spin, throttle, rate) has a prediction worth
  // showing.
  if (prediction.bottleneck.empty() || !std::isfinite(prediction.rate_per_s)) return std::nullopt;
  const auto& node = metrics.bottleneck.node.empty() ? prediction.bottleneck : metrics.bottleneck.node;
  for (const auto& predicted : prediction.nodes) {
    if (predicted.name == node && std::isfinite(predicted.rate_per_s)) {
      return PredictedThroughput{predicted.name, predicted.rate_per_s};
    }
  }
  return std::nullopt;
}

}  // namespace flow::cli
