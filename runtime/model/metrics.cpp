#include "flow/metrics.hpp"

namespace flow {

const char* to_string(RunStatus status) {
  switch (status) {
    case RunStatus::Running: return "running";
    case RunStatus::Ok: return "ok";
    case RunStatus::Failed: return "failed";
    case RunStatus::Interrupted: return "interrupted";
    case RunStatus::BrokenPipe: return "broken_pipe";
  }
  return "?";
}

RunMetrics unstarted_metrics(const Pipeline& pipeline) {
  RunMetrics metrics;
  metrics.pipeline = pipeline.name;
  for (const Node& node : pipeline.nodes) {
    NodeMetrics counts;
    counts.name = node.name;
    counts.kind = node.kind;
    counts.workers = node.workers;
    metrics.nodes.push_back(counts);
    if (node.kind == NodeKind::Sink) metrics.sinks.emplace_back().name = node.name;
    if (node.kind == NodeKind::Source) metrics.sources.emplace_back().name = node.name;
  }
  for (const Edge& edge : pipeline.edges) {
    EdgeMetrics counts;
    counts.from = pipeline.nodes[edge.from].name;
    counts.to = pipeline.nodes[edge.to].name;
    counts.output = edge.output;
    counts.capacity = edge.capacity;
    counts.policy = edge.overflow;
    counts.dead_letter = edge.dead_letter;
    metrics.edges.push_back(counts);
  }
  return metrics;
}

}  // namespace flow
