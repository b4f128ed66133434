#include "runtime/output/cost.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "runtime/output/labels.hpp"

namespace flow::output {
namespace {

// A rate cap counts edge messages; `batch` before it makes each one `batch` members.
void apply_rate_limit(const OperatorPlan& plan, bool source, double batch, NodeCost& cost) {
  if (!plan.rate_limit_per_s) return;
  auto& limit = source ? cost.source_per_s : cost.throttle_per_s;
  limit = std::min(limit, *plan.rate_limit_per_s * batch);
}

void apply_payload(const OperatorPlan& plan, NodeCost& cost) {
  switch (plan.payload) {
    case PayloadChange::Keeps:
      break;
    case PayloadChange::Sets:
      cost.bytes_out = plan.payload_bytes;
      break;
    case PayloadChange::Adds:
      if (cost.bytes_out) *cost.bytes_out += plan.payload_bytes;
      break;
    case PayloadChange::Unknown:
      cost.bytes_out.reset();
      break;  // not known from here on
  }
}

// An operator that declares no plan costs nothing and keeps payload sizes.
void apply_call(const OperatorRegistry& registry, const OperatorCall& call, NodeCost& cost, double& batch) {
  auto plan = registry.plan(call);
  if (!plan) return;
  const auto* spec = registry.find(call.name);
  apply_rate_limit(*plan, spec->role == Role::Source, batch, cost);
  if (plan->seconds_per_message) cost.seconds_per_message += *plan->seconds_per_message / batch;
  if (plan->groups && *plan->groups >= 1) batch *= static_cast<double>(*plan->groups);
  if (plan->ungroups) batch = 1;
  cost.pass *= std::clamp(plan->passes, 0.0, 1.0);
  apply_payload(*plan, cost);
  if (plan->count) cost.count = plan->count;
}

// Inputs decide what enters a node: the smallest batches and the largest messages.
void take_inputs(const Pipeline& pipeline, const Node& node, const std::vector<NodeCost>& costs, NodeCost& cost) {
  if (node.inputs.empty()) return;
  cost.batch_in = kUnlimited;
  std::optional<std::uint64_t> bytes = 0;
  for (auto id : node.inputs) {
    const auto& upstream = costs.at(pipeline.edges.at(id).from);
    cost.batch_in = std::min(cost.batch_in, upstream.batch_out);
    if (!upstream.bytes_out) bytes.reset();
    if (bytes) bytes = std::max(*bytes, *upstream.bytes_out);
  }
  cost.bytes_out = bytes;
}

}  // namespace

std::vector<NodeId> topological_order(const Pipeline& pipeline) {
  std::vector<std::size_t> waiting(pipeline.nodes.size(), 0);
  for (const auto& edge : pipeline.edges) ++waiting.at(edge.to);
  std::vector<NodeId> order;
  std::vector<bool> placed(pipeline.nodes.size(), false);
  // Repeated sweeps keep declaration order among nodes that are ready together.
  for (bool progress = true; progress;) {
    progress = false;
    for (NodeId id = 0; id < pipeline.nodes.size(); ++id) {
      if (placed[id] || waiting[id] != 0) continue;
      placed[id] = progress = true;
      order.push_back(id);
      for (auto e : pipeline.nodes[id].outputs) --waiting.at(pipeline.edges.at(e).to);
      // Dead-letter edges are in their consumer's inputs too: its turn comes after their producers'.
      for (auto e : pipeline.nodes[id].dead_letter_outputs) --waiting.at(pipeline.edges.at(e).to);
    }
  }
  for (NodeId id = 0; id < pipeline.nodes.size(); ++id)
    if (!placed[id]) order.push_back(id);
  return order;
}

std::vector<NodeCost> node_costs(const Pipeline& pipeline, const OperatorRegistry& registry) {
  std::vector<NodeCost> costs(pipeline.nodes.size());
  for (auto id : topological_order(pipeline)) {
    const auto& node = pipeline.nodes[id];
    auto& cost = costs[id];
    take_inputs(pipeline, node, costs, cost);
    double batch = cost.batch_in;
    for (const auto& call : node.chain) apply_call(registry, call, cost, batch);
    cost.batch_out = batch;
  }
  return costs;
}

double capacity_per_s(const Node& node, const NodeCost& cost) {
  double capacity = std::min(cost.throttle_per_s, cost.source_per_s);
  if (cost.seconds_per_message > 0) capacity = std::min(capacity, std::max(1, node.workers) / cost.seconds_per_message);
  return capacity;
}

std::string capacity_reason(const Node& node, const NodeCost& cost) {
  auto capacity = capacity_per_s(node, cost);
  if (!std::isfinite(capacity)) return "";
  if (cost.seconds_per_message > 0 && capacity == std::max(1, node.workers) / cost.seconds_per_message)
    return fmt::format("{} worker{} / {}", node.workers, node.workers == 1 ? "" : "s",
                       seconds_text(cost.seconds_per_message));
  if (capacity == cost.throttle_per_s) return fmt::format("throttle {}/s", rate_text(capacity));
  return fmt::format("source pace {}/s", rate_text(capacity));
}

std::string seconds_text(double seconds) {
  // Three significant digits in the largest unit that keeps the number >= 1: 4.5ms, 50ms, 1.5s.
  struct Unit { double scale; const char* suffix; };
  static constexpr Unit units[] = {{1, "s"}, {1e-3, "ms"}, {1e-6, "us"}};
  for (const auto& unit : units) {
    if (seconds >= 1000 * unit.scale && unit.scale == 1) return fmt::format("{:.0f}s", seconds);
    if (seconds >= unit.scale) return fmt::format("{:.3g}{}", seconds / unit.scale, unit.suffix);
  }
  return fmt::format("{:.3g}ns", seconds * 1e9);
}

}  // namespace flow::output
