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
    auto visit = [&](EdgeId edge_id) {
      const auto& edge = pipeline.edges[edge_id];
      auto next = forwards ? edge.to : edge.from;
      if (!seen[next]) {
        seen[next] = true;
        pending.push_back(next);
      }
    };
    // A node fed only by a dead-letter route is reached through it.
    for (auto edge_id : forwards ? node.outputs : node.inputs) visit(edge_id);
    if (forwards) {
      for (auto edge_id : node.dead_letter_outputs) visit(edge_id);
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

// The edges leaving each node: its outputs, then its dead-letter routes (a
// route back upstream would make each end wait for the other to finish).
std::vector<std::vector<EdgeId>> leaving_edges(const Pipeline& pipeline) {
  std::vector<std::vector<EdgeId>> leaving;
  leaving.reserve(pipeline.nodes.size());
  for (const auto& node : pipeline.nodes) {
    leaving.push_back(node.outputs);
    leaving.back().insert(leaving.back().end(), node.dead_letter_outputs.begin(),
                          node.dead_letter_outputs.end());
  }
  return leaving;
}

// Strongly connected components (Kosaraju, iterative so a long chain cannot
// overflow the stack): only nodes in one component can share a cycle.
std::vector<std::size_t> components(const Pipeline& pipeline,
                                    const std::vector<std::vector<EdgeId>>& leaving) {
  const auto count = pipeline.nodes.size();
  std::vector<NodeId> finished;
  std::vector<bool> seen(count, false);
  for (NodeId root = 0; root < count; ++root) {
    if (seen[root]) continue;
    std::vector<std::pair<NodeId, std::size_t>> stack{{root, 0}};
    seen[root] = true;
    while (!stack.empty()) {
      auto& [id, next] = stack.back();
      const auto& outputs = leaving[id];
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
      : reporter_(reporter),
        pipeline_(pipeline),
        leaving_(leaving_edges(pipeline)),
        component_(components(pipeline, leaving_)),
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
      const auto& outputs = leaving_[id];
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
    bool routed = false;
    for (auto edge_id : path_) {
      const auto& edge = pipeline_.edges[edge_id];
      routed = routed || edge.dead_letter;
      names += (edge.dead_letter ? " ~> " : " -> ") + pipeline_.nodes[edge.to].name;
    }
    // A dead-letter edge's location is its route's value, as wide as the target's name.
    const auto& first = pipeline_.edges[path_.front()];
    auto width = first.dead_letter ? pipeline_.nodes[first.to].name.size() : 2;
    reporter_.error(first.location, width,
                    fmt::format("cycle: {}{}", names, routed ? " (~> is a dead-letter route)" : ""));
    ++found_;
  }

  Reporter& reporter_;
  const Pipeline& pipeline_;
  std::vector<std::vector<EdgeId>> leaving_;
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
