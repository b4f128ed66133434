#include "runtime/check/ordering.hpp"

#include <fmt/format.h>

#include <vector>

namespace flow::checker {
namespace {

// The sinks whose output is a sequence of lines a user reads in order.
bool writes_lines(const Node& node) {
  if (node.kind != NodeKind::Sink || node.chain.empty()) return false;
  const auto& name = node.chain.back().name;
  return name == "write" || name == "stdout";
}

/// The first write/stdout sink downstream of `from`, or null (depth first, each node once).
const Node* line_sink_after(const Pipeline& pipeline, NodeId from) {
  std::vector<bool> seen(pipeline.nodes.size(), false);
  std::vector<NodeId> stack{from};
  while (!stack.empty()) {
    NodeId at = stack.back();
    stack.pop_back();
    for (EdgeId edge : pipeline.nodes[at].outputs) {
      NodeId next = pipeline.edges[edge].to;
      if (seen[next]) continue;
      seen[next] = true;
      if (writes_lines(pipeline.nodes[next])) return &pipeline.nodes[next];
      stack.push_back(next);
    }
  }
  return nullptr;
}

}  // namespace

void warn_reordering(Reporter& reporter, const Pipeline& pipeline,
                     const std::map<std::string, OrderingSyntax>& syntax) {
  for (NodeId id = 0; id < pipeline.nodes.size(); ++id) {
    const auto& node = pipeline.nodes[id];
    if (node.kind == NodeKind::Sink || node.workers <= 1 || node.ordered) continue;
    auto written = syntax.find(node.name);
    OrderingSyntax where = written == syntax.end() ? OrderingSyntax{} : written->second;
    if (where.ordered_written) continue;
    const Node* sink = line_sink_after(pipeline, id);
    if (sink == nullptr) continue;
    reporter.warning(
        where.workers_at, where.workers_width,
        fmt::format("{} '{}' has {} workers, which finish in any order, and feeds {} '{}' ({}): its "
                    "lines can come out in another order than they came in; add ordered=true to "
                    "keep their order, or ordered=false to say it does not matter",
                    to_string(node.kind), node.name, node.workers, to_string(sink->kind), sink->name,
                    sink->chain.back().name));
  }
}

}  // namespace flow::checker
