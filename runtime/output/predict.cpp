#include "flow/predict.hpp"

#include <algorithm>
#include <cmath>

#include "runtime/output/cost.hpp"

namespace flow {
namespace {

using output::kUnlimited;

// An unlimited source starts at this pace so that scaling stays arithmetic;
// anything still this fast at the end is reported as unlimited.
constexpr double kVeryFast = 1e15;
constexpr double kSlack = 1e-9;

bool drops(const Edge& edge) { return edge.overflow == Overflow::DropNewest || edge.overflow == Overflow::DropOldest; }

// The flow problem: source paces and the share each dropping edge lets through
// are the free variables ("roots"); every other rate follows from them.
struct Flow {
  const Pipeline& pipeline;
  std::vector<output::NodeCost> costs;
  std::vector<NodeId> order;
  std::vector<double> capacity;    ///< per node
  std::vector<double> source_pace; ///< per node (sources only)
  std::vector<double> admitted;    ///< per edge: share a dropping edge lets through
  std::vector<double> entering;    ///< per node, from the last pass
  std::vector<double> on_edge;     ///< per edge, from the last pass

  Flow(const Pipeline& p, const OperatorRegistry& registry)
      : pipeline(p), costs(output::node_costs(p, registry)), order(output::topological_order(p)),
        capacity(p.nodes.size()), source_pace(p.nodes.size(), 0), admitted(p.edges.size(), 1.0),
        entering(p.nodes.size(), 0), on_edge(p.edges.size(), 0) {
    for (NodeId id = 0; id < p.nodes.size(); ++id) {
      capacity[id] = output::capacity_per_s(p.nodes[id], costs[id]);
      if (p.nodes[id].kind == NodeKind::Source) source_pace[id] = std::min(capacity[id], kVeryFast);
    }
  }

  void forward() {
    for (auto id : order) {
      const auto& node = pipeline.nodes[id];
      double in = node.kind == NodeKind::Source ? source_pace[id] : 0;
      for (auto e : node.inputs) in += on_edge[e];
      entering[id] = in;
      double out = in * costs[id].pass;
      auto share = node.fanout == Fanout::RoundRobin && !node.outputs.empty()
                       ? 1.0 / static_cast<double>(node.outputs.size()) : 1.0;
      for (auto e : node.outputs) on_edge[e] = out * share * (drops(pipeline.edges[e]) ? admitted[e] : 1.0);
    }
  }

  // Slows every root that feeds `id` through pushing-back edges by `factor`.
  void scale_roots(NodeId id, double factor, std::vector<bool>& seen) {
    if (seen[id]) return;
    seen[id] = true;
    if (pipeline.nodes[id].kind == NodeKind::Source) source_pace[id] *= factor;
    for (auto e : pipeline.nodes[id].inputs) {
      // A dead-letter edge never makes its producer wait: a slow consumer of dead letters slows no one.
      if (pipeline.edges[e].dead_letter) continue;
      if (drops(pipeline.edges[e])) admitted[e] *= factor;
      else scale_roots(pipeline.edges[e].from, factor, seen);
    }
  }

  // Fixes the first overloaded node, upstream first; false when none is.
  bool relieve_one() {
    for (auto id : order) {
      if (entering[id] <= capacity[id] * (1 + kSlack)) continue;
      std::vector<bool> seen(pipeline.nodes.size(), false);
      scale_roots(id, capacity[id] / entering[id], seen);
      return true;
    }
    return false;
  }

  void solve() {
    forward();
    for (std::size_t round = 0; round < 64 * (pipeline.nodes.size() + 1) && relieve_one(); ++round) forward();
  }
};

// NOLINTNEXTLINE(bugprone-narrowing-conversions): infinity is a double; the check misreads the constant
double finite_or_unlimited(double rate) { return rate >= kVeryFast * 0.5 ? kUnlimited : rate; }

// The saturated node with the smallest capacity: the one that sets the pace.
std::optional<NodeId> saturated_slowest(const Flow& flow) {
  std::optional<NodeId> best;
  for (auto id : flow.order) {
    if (!std::isfinite(flow.capacity[id])) continue;
    if (flow.entering[id] < flow.capacity[id] * (1 - 1e-6)) continue;
    if (!best || flow.capacity[id] < flow.capacity[*best]) best = id;
  }
  return best;
}

std::optional<double> duration_of(const Pipeline& pipeline, const Flow& flow) {
  double longest = 0;
  for (NodeId id = 0; id < pipeline.nodes.size(); ++id) {
    if (pipeline.nodes[id].kind != NodeKind::Source) continue;
    auto count = flow.costs[id].count;
    auto pace = finite_or_unlimited(flow.source_pace[id]);
    if (!count || !std::isfinite(pace)) return std::nullopt;
    if (pace > 0) longest = std::max(longest, static_cast<double>(*count) / pace);
  }
  return longest;
}

}  // namespace

PlanPrediction predict(const Pipeline& pipeline, const OperatorRegistry& registry) {
  Flow flow(pipeline, registry);
  flow.solve();
  PlanPrediction prediction;
  prediction.throughput_per_s = 0;
  for (NodeId id = 0; id < pipeline.nodes.size(); ++id) {
    const auto& node = pipeline.nodes[id];
    NodePrediction p{node.name, flow.capacity[id], output::capacity_reason(node, flow.costs[id]),
                     finite_or_unlimited(flow.entering[id]), 0};
    if (std::isfinite(p.capacity_per_s) && p.capacity_per_s > 0 && std::isfinite(p.rate_per_s))
      p.utilisation = std::min(1.0, p.rate_per_s / p.capacity_per_s);
    if (node.kind == NodeKind::Sink) prediction.throughput_per_s += flow.entering[id] * flow.costs[id].pass;
    prediction.nodes.push_back(std::move(p));
  }
  prediction.throughput_per_s = finite_or_unlimited(prediction.throughput_per_s);
  prediction.rate_per_s = kUnlimited;
  if (auto slowest = saturated_slowest(flow)) {
    prediction.bottleneck = pipeline.nodes[*slowest].name;
    prediction.rate_per_s = flow.capacity[*slowest];
    prediction.reason = prediction.nodes[*slowest].capacity_reason;
  }
  if (prediction.bottleneck.empty() || !std::isfinite(prediction.throughput_per_s)) prediction.duration_s.reset();
  else prediction.duration_s = duration_of(pipeline, flow);
  return prediction;
}

}  // namespace flow
