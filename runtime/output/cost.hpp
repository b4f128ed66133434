#pragma once
// What each node costs per message, read off its operator chain: the input
// of the planner. Internal to runtime/output.
//
// Rates and costs count member messages (a batch of 100 counts 100), so a
// stage after `batch(max=100)` that waits 20 ms per batch costs 200 us per
// message. What each operator costs is what its OperatorPlan says
// (flow/planning.hpp), through the registry: an operator that declares no
// time or rate is taken as unlimited.
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "flow/model.hpp"
#include "flow/registry.hpp"

namespace flow::output {

inline constexpr double kUnlimited = std::numeric_limits<double>::infinity();

struct NodeCost {
  double seconds_per_message = 0;      ///< time per member message (delay, spin), amortised over batches
  double throttle_per_s = kUnlimited;  ///< the tightest stage rate cap (throttle), member messages per second
  double source_per_s = kUnlimited;    ///< a source's own pace: generate's rate, or burst / every
  double pass = 1;                     ///< fraction of messages that go on (sample)
  double batch_in = 1, batch_out = 1;  ///< members per edge message entering / leaving
  std::optional<std::uint64_t> bytes_out;  ///< payload bytes per member leaving, when derivable
  std::optional<std::uint64_t> count;      ///< a source's count (generate's)
};

/// Nodes in an order where every edge goes forwards (declaration order among
/// equals); nodes on a cycle, which the checker rejects, come last.
std::vector<NodeId> topological_order(const Pipeline& pipeline);

/// The cost of every node, indexed like pipeline.nodes, from the plans its
/// operators declare in `registry`.
std::vector<NodeCost> node_costs(const Pipeline& pipeline, const OperatorRegistry& registry);

/// What a node can sustain alone: workers / per-message time, capped by its
/// throttle and (for a source) its own pace; kUnlimited when nothing limits it.
double capacity_per_s(const Node& node, const NodeCost& cost);

/// How that capacity comes about: "1 worker / 50ms", "throttle 100/s",
/// "rate 1000/s", "" when unlimited.
std::string capacity_reason(const Node& node, const NodeCost& cost);

/// Seconds as the language writes durations: 0.05 → "50ms".
std::string seconds_text(double seconds);

}  // namespace flow::output
