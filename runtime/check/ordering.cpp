#include "runtime/check/ordering.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <string>
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

// `partition=by(user)` keeps each key's order and only that (Flink's keyBy):
// said as such, since a user who partitioned asked for no more.
std::string partitioned(const Node& node) {
  return fmt::format("by({})", fmt::join(node.partition_by, ", "));
}

// A line sink with several workers writes in the order they finish: ordered=
// cannot help (it orders what a node sends on, and a sink sends nothing).
void warn_writing_workers(Reporter& reporter, const Node& sink, const OrderingSyntax& where) {
  if (!sink.partition_by.empty()) {
    reporter.warning(where.workers_at, where.workers_width,
                     fmt::format("sink '{}' ({}) has {} workers and partition={}: each key's lines keep "
                                 "their order, but lines of different keys can come out in another order "
                                 "than they came in; workers=1 keeps the whole order",
                                 sink.name, sink.chain.back().name, sink.workers, partitioned(sink)));
    return;
  }
  reporter.warning(where.workers_at, where.workers_width,
                   fmt::format("sink '{}' ({}) has {} workers, which write in the order they finish: its "
                               "lines can come out in another order than they came in; workers=1 keeps "
                               "their order",
                               sink.name, sink.chain.back().name, sink.workers));
}

std::string reordering_message(const Node& node, const Node& sink) {
  if (!node.partition_by.empty()) {
    return fmt::format(
        "{} '{}' has {} workers and partition={}, and feeds {} '{}' ({}): each key's lines keep their "
        "order, but lines of different keys can come out in another order than they came in; add "
        "ordered=false to say that does not matter, or ordered=true instead of partition= to keep the "
        "whole order",
        to_string(node.kind), node.name, node.workers, partitioned(node), to_string(sink.kind), sink.name,
        sink.chain.back().name);
  }
  return fmt::format(
      "{} '{}' has {} workers, which finish in any order, and feeds {} '{}' ({}): its lines can come out "
      "in another order than they came in; add ordered=true to keep their order, or ordered=false to say "
      "it does not matter",
      to_string(node.kind), node.name, node.workers, to_string(sink.kind), sink.name, sink.chain.back().name);
}

}  // namespace

void warn_reordering(Reporter& reporter, const Pipeline& pipeline,
                     const std::map<std::string, OrderingSyntax>& syntax) {
  for (NodeId id = 0; id < pipeline.nodes.size(); ++id) {
    const auto& node = pipeline.nodes[id];
    if (node.workers <= 1) continue;
    auto written = syntax.find(node.name);
    OrderingSyntax where = written == syntax.end() ? OrderingSyntax{} : written->second;
    if (node.kind == NodeKind::Sink) {
      if (writes_lines(node)) warn_writing_workers(reporter, node, where);
      continue;
    }
    if (node.ordered) continue;
    if (where.ordered_written) continue;
    const Node* sink = line_sink_after(pipeline, id);
    if (sink == nullptr) continue;
    reporter.warning(where.workers_at, where.workers_width, reordering_message(node, *sink));
  }
}

}  // namespace flow::checker
