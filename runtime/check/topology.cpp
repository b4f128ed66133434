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

// Strongly connected components (Kosaraju, iterative so a long chain cannot
// overflow the stack): only nodes in one component can share a cycle.
std::vector<std::size_t> components(const Pipeline& pipeline) {
  const auto count = pipeline.nodes.size();
  std::vector<NodeId> finished;
  std::vector<bool> seen(count, false);
  for (NodeId root = 0; root < count; ++root) {
    if (seen[root]) continue;
    std::vector<std::pair<NodeId, std::size_t>> stack{{root, 0}};
    seen[root] = true;
    while (!stack.empty()) {
      auto& [id, next] = stack.back();
      const auto& outputs = pipeline.nodes[id].outputs;
      if (next == outputs.size()) {
        finished.push_back(id);
        stack.pop_back();
        continue;
      }
      auto to = pipeline.edges[outputs[next++]].to;
      if (!seen[to]) {
        seen[to] = true;
        stack.emplace_back(to, 0);
      }
    }
  }
  constexpr auto unassigned = static_cast<std::size_t>(-1);
  std::vector<std::size_t> component(count, unassigned);
  for (auto root = finished.rbegin(); root != finished.rend(); ++root) {
    if (component[*root] != unassigned) continue;
    std::vector<NodeId> pending{*root};
    component[*root] = *root;
    while (!pending.empty()) {
      auto id = pending.back();
      pending.pop_back();
      for (auto edge_id : pipeline.nodes[id].inputs) {
        auto from = pipeline.edges[edge_id].from;
        if (component[from] == unassigned) {
          component[from] = *root;
          pending.push_back(from);
        }
      }
    }
  }
  return component;
}

// Enumerates elementary cycles, each once: a cycle is found only from its
// lowest-numbered (earliest-declared) node, walking through higher-numbered
// nodes of the same component. Bounded in cycles named and in steps taken, as
// the number of cycles can grow exponentially with the graph.
class CycleFinder {
 public:
  CycleFinder(Reporter& reporter, const Pipeline& pipeline)
      : reporter_(reporter), pipeline_(pipeline), component_(components(pipeline)),
        on_path_(pipeline.nodes.size(), false) {}

  void run() {
    for (NodeId start = 0; start < pipeline_.nodes.size() && !exhausted(); ++start) walk(start);
  }

 private:
  static constexpr std::size_t max_cycles = 50;
  static constexpr std::size_t max_steps = 200'000;

  bool exhausted() const { return found_ >= max_cycles || steps_ >= max_steps; }

  void walk(NodeId start) {
    std::vector<std::pair<NodeId, std::size_t>> stack{{start, 0}};  // node, next output to try
    on_path_[start] = true;
    while (!stack.empty() && !exhausted()) {
      auto& [id, next] = stack.back();
      const auto& outputs = pipeline_.nodes[id].outputs;
      if (next == outputs.size()) {
        on_path_[id] = false;
        stack.pop_back();
        if (!path_.empty()) path_.pop_back();
        continue;
      }
      ++steps_;
      auto edge_id = outputs[next++];
      auto to = pipeline_.edges[edge_id].to;
      if (to == start) {
        path_.push_back(edge_id);
        report(start);
        path_.pop_back();
      } else if (to > start && component_[to] == component_[start] && !on_path_[to]) {
        path_.push_back(edge_id);
        on_path_[to] = true;
        stack.emplace_back(to, 0);
      }
    }
    for (auto& [id, next] : stack) on_path_[id] = false;
    path_.clear();
  }

  void report(NodeId start) {
    std::string names = pipeline_.nodes[start].name;
    for (auto edge_id : path_) names += " -> " + pipeline_.nodes[pipeline_.edges[edge_id].to].name;
    reporter_.error(pipeline_.edges[path_.front()].location, 2, fmt::format("cycle: {}", names));
    ++found_;
  }

  Reporter& reporter_;
  const Pipeline& pipeline_;
  std::vector<std::size_t> component_;
  std::vector<bool> on_path_;
  std::vector<EdgeId> path_;
  std::size_t found_ = 0;
  std::size_t steps_ = 0;
};

}  // namespace

void check_topology(Reporter& reporter, const Pipeline& pipeline) {
  if (pipeline.nodes.empty()) {
    reporter.error(SourceLocation{}, 0, "the pipeline has no nodes; it needs at least a source and a sink");
    return;
  }
  check_flow(reporter, pipeline);
  CycleFinder(reporter, pipeline).run();
}

}  // namespace flow::checker
