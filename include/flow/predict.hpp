#pragma once
// The planner's prediction: how fast each node can go, where the flow will
// saturate, and the end-to-end throughput, from the operators' known costs.
#include <optional>
#include <string>
#include <vector>

#include "flow/model.hpp"
#include "flow/registry.hpp"

namespace flow {

struct NodePrediction {
  std::string name;
  double capacity_per_s = 0;  ///< what it sustains alone: workers / per-message time; infinity = unlimited
  std::string capacity_reason;  ///< "1 worker / 50ms", "throttle 100/s", "" when unlimited
  double rate_per_s = 0;      ///< predicted messages per second entering it (a source: produced)
  double utilisation = 0;     ///< rate / capacity, 0..1 (0 when unlimited)
};

struct PlanPrediction {
  std::string bottleneck;       ///< the saturated node that limits the flow; "" when nothing does
  double rate_per_s = 0;        ///< the bottleneck's sustainable rate; infinity when none
  std::string reason;           ///< the bottleneck's capacity_reason
  double throughput_per_s = 0;  ///< end to end: messages per second delivered at all sinks together
  std::optional<double> duration_s;  ///< predicted run time, when every source has a count
  std::vector<NodePrediction> nodes;  ///< in the pipeline's node order
};

/// Predicts the steady state of a run. Costs come from the plan each
/// operator declares in `registry` (planning.hpp): a time per message
/// (`delay`/`spin`, amortised over `batch`), rate caps (`throttle`, a source's
/// `rate` or `burst/every`); an operator that declares neither is free.
/// Pass the registry the pipeline was loaded with: an operator missing from
/// it is planned as free, so there is no default. Blocking and `fail` edges push
/// back: a node's inputs never exceed what it sustains, so its producers
/// slow down; dropping edges do not push back, they shed the excess. A
/// round_robin fan-out deals its output out, a broadcast copies it.
/// All rates count single messages (a batch of 100 counts 100).
PlanPrediction predict(const Pipeline& pipeline, const OperatorRegistry& registry);

}  // namespace flow
