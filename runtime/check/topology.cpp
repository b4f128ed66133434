#include "runtime/check/topology.hpp"

#include <fmt/format.h>

namespace flow::checker {
namespace {

// Nodes reachable from `starts` following edges forwards (or backwards).
std::vector<bool> reachable(const Pipeline& pipeline, NodeKind start_kind, bool forwards) {
  std::vector<bool> seen(pipeline.nodes.size(), false);
  std::vector<NodeId> pending;
  for (NodeId id = 0; id < pipeline.nodes.size(); ++id) {
    if (pipeline.nodes[id].kind == start_kind) {
      seen[id] = true;
      pending.push_back(id);
    }
  }
  while (!pending.empty()) {
    auto id = pending.back();
    pending.pop_back();
    const auto& node = pipeline.nodes[id];
    for (auto edge_id : forwards ? node.outputs : node.inputs) {
      const auto& edge = pipeline.edges[edge_id];
      auto next = forwards ? edge.to : edge.from;
      if (!seen[next]) {
        seen[next] = true;
        pending.push_back(next);
      }
    }
  }
  return seen;
}

void check_flow(Reporter& reporter, const Pipeline& pipeline) {
  auto fed = reachable(pipeline, NodeKind::Source, true);
  auto drains = reachable(pipeline, NodeKind::Sink, false);
  for (NodeId id = 0; id < pipeline.nodes.size(); ++id) {
    const auto& node = pipeline.nodes[id];
    auto kind = to_string(node.kind);
    auto report = [&](std::string message) { reporter.error(node.location, node.name.size(), std::move(message)); };
    if (node.kind != NodeKind::Source && !fed[id]) report(fmt::format("no source reaches {} '{}'", kind, node.name));
    if (node.kind == NodeKind::Sink) continue;
    // An output that goes nowhere also reaches no sink; say the more precise thing.
    if (node.outputs.empty()) {
      report(fmt::format("the output of {} '{}' goes nowhere", kind, node.name));
    } else if (!drains[id]) {
      report(fmt::format("{} '{}' reaches no sink", kind, node.name));
    }
  }
}

// Enumerates elementary cycles, each once: a cycle is found only from its
// lowest-numbered (earliest-declared) node, walking through higher ones.
class CycleFinder {
 public:
  CycleFinder(Reporter& reporter, const Pipeline& pipeline)
      : reporter_(reporter), pipeline_(pipeline), on_path_(pipeline.nodes.size(), false) {}

  void run() {
    for (start_ = 0; start_ < pipeline_.nodes.size() && found_ < max_cycles; ++start_) walk(start_);
  }

 private:
  static constexpr std::size_t max_cycles = 50;

  void walk(NodeId id) {
    on_path_[id] = true;
    for (auto edge_id : pipeline_.nodes[id].outputs) {
      if (found_ >= max_cycles) break;
      auto next = pipeline_.edges[edge_id].to;
      path_.push_back(edge_id);
      if (next == start_) report();
      else if (next > start_ && !on_path_[next]) walk(next);
      path_.pop_back();
    }
    on_path_[id] = false;
  }

  void report() {
    std::string names = pipeline_.nodes[start_].name;
    for (auto edge_id : path_) names += " -> " + pipeline_.nodes[pipeline_.edges[edge_id].to].name;
    reporter_.error(pipeline_.edges[path_.front()].location, 2, fmt::format("cycle: {}", names));
    ++found_;
  }

  Reporter& reporter_;
  const Pipeline& pipeline_;
  std::vector<bool> on_path_;
  std::vector<EdgeId> path_;
  NodeId start_ = 0;
  std::size_t found_ = 0;
};

}  // namespace

void check_topology(Reporter& reporter, const Pipeline& pipeline) {
  check_flow(reporter, pipeline);
  CycleFinder(reporter, pipeline).run();
}

}  // namespace flow::checker
