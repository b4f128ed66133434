#include "runtime/output/cost.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "runtime/output/labels.hpp"

namespace flow::output {
namespace {

// Arguments by their registered name; by kind as a fallback, so a call
// built by hand (tests, a user's tool) with another name still counts.
const Value* named(const OperatorCall& call, const char* name) {
  auto found = call.args.find(name);
  return found == call.args.end() ? nullptr : &found->second;
}

template <typename T>
const T* typed(const OperatorCall& call, const char* name) {
  if (const auto* value = named(call, name)) return std::get_if<T>(value);
  for (const auto& [key, value] : call.args)
    if (const auto* found = std::get_if<T>(&value)) return found;
  return nullptr;
}

double seconds(const Duration& d) { return std::chrono::duration<double>(d.value).count(); }

/// A duration in seconds; a distribution's mean (flow plan uses the means).
std::optional<double> mean_seconds(const Value* value) {
  if (value == nullptr) return std::nullopt;
  if (const auto* d = std::get_if<Duration>(value)) return seconds(*d);
  if (const auto* random = std::get_if<Distribution>(value)) return random->mean_seconds();
  return std::nullopt;
}

std::optional<double> number(const Value* value) {
  if (value == nullptr) return std::nullopt;
  if (const auto* i = std::get_if<std::int64_t>(value)) return static_cast<double>(*i);
  if (const auto* d = std::get_if<double>(value)) return *d;
  return std::nullopt;
}

void apply_source(const OperatorCall& call, NodeCost& cost) {
  if (call.name != "generate") return;
  if (const auto* rate = named(call, "rate"); rate && std::holds_alternative<Rate>(*rate))
    cost.source_per_s = std::min(cost.source_per_s, std::get<Rate>(*rate).per_second);
  auto burst = number(named(call, "burst"));
  double pause = mean_seconds(named(call, "every")).value_or(0);
  if (burst && pause > 0) cost.source_per_s = std::min(cost.source_per_s, *burst / pause);
  if (const auto* size = named(call, "size"); size && std::holds_alternative<Size>(*size))
    cost.bytes_out = std::get<Size>(*size).bytes;
  if (auto count = number(named(call, "count")); count && *count >= 0)
    cost.count = static_cast<std::uint64_t>(*count);
}

void apply_stage(const OperatorCall& call, NodeCost& cost, double& batch) {
  const auto& op = call.name;
  if (op == "delay" || op == "spin") {
    if (auto each = mean_seconds(named(call, "duration"))) cost.seconds_per_message += *each / batch;
  } else if (op == "throttle") {
    if (const auto* r = typed<Rate>(call, "rate")) cost.throttle_per_s = std::min(cost.throttle_per_s, r->per_second * batch);
  } else if (op == "batch") {
    if (auto max = number(named(call, "max")); max && *max >= 1) batch *= *max;
  } else if (op == "unbatch") {
    batch = 1;
  } else if (op == "sample") {
    if (auto p = number(named(call, "probability"))) cost.pass *= std::clamp(*p, 0.0, 1.0);
  } else if (op == "prefix") {
    const auto* text = typed<std::string>(call, "text");
    if (cost.bytes_out && text) *cost.bytes_out += text->size();
  } else if (op == "replace" || op == "read") {
    cost.bytes_out.reset();  // the payload's size is not known from here on
  }
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
    }
  }
  for (NodeId id = 0; id < pipeline.nodes.size(); ++id)
    if (!placed[id]) order.push_back(id);
  return order;
}

std::vector<NodeCost> node_costs(const Pipeline& pipeline) {
  std::vector<NodeCost> costs(pipeline.nodes.size());
  for (auto id : topological_order(pipeline)) {
    const auto& node = pipeline.nodes[id];
    auto& cost = costs[id];
    take_inputs(pipeline, node, costs, cost);
    double batch = cost.batch_in;
    for (const auto& call : node.chain) {
      apply_source(call, cost);
      apply_stage(call, cost, batch);
    }
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
