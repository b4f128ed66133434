#include "cli/trace.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace flow::cli {
namespace {

// Busy fraction of the node's workers over the interval since the previous sample.
double interval_busy(const NodeMetrics& node, const NodeMetrics* before, double since, double now) {
  double interval = now - since;
  if (interval <= 0 || node.workers <= 0) return node.busy;
  double busy_before = before ? before->busy_s : 0.0;
  return std::clamp((node.busy_s - busy_before) / (node.workers * interval), 0.0, 1.0);
}

}  // namespace

std::string trace_rows(const RunMetrics& sample, const RunMetrics* previous) {
  std::string rows;
  double time = sample.elapsed_s;
  for (const auto& edge : sample.edges) {
    rows += fmt::format("{:.3f},edge,{}->{},{},{},{},{},\n", time, edge.from, edge.to, edge.held, edge.in, edge.out,
                        edge.dropped);
  }
  double since = previous ? previous->elapsed_s : 0.0;
  for (std::size_t i = 0; i < sample.nodes.size(); ++i) {
    const auto& node = sample.nodes[i];
    const NodeMetrics* before = previous && i < previous->nodes.size() ? &previous->nodes[i] : nullptr;
    rows += fmt::format("{:.3f},node,{},,{},{},,{:.3f}\n", time, node.name, node.in, node.out,
                        interval_busy(node, before, since, time));
  }
  return rows;
}

TraceWriter::TraceWriter(const std::string& path) : file_(path) {
  if (file_.write(fmt::format("{}\n", trace_header))) file_.flush();
}

void TraceWriter::sample(const RunMetrics& snapshot) {
  if (!file_.ok()) return;
  if (file_.write(trace_rows(snapshot, previous_ ? &*previous_ : nullptr))) file_.flush();
  previous_ = snapshot;
}

}  // namespace flow::cli
