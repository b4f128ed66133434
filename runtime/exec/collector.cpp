#include "runtime/exec/collector.hpp"

#include <sys/resource.h>

#include <array>
#include <limits>

namespace flow::exec {
namespace {

// The `le` bounds of each sink's latency buckets (flow run --metrics-port):
// Prometheus's usual 1-2.5-5 steps, from 10 us (a zero-work pipeline) to 100 s
// (a message queued behind a slow stage).
constexpr std::array<double, 22> latency_bucket_bounds_s = {
    1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 2.5e-2,
    5e-2, 0.1,    0.25, 0.5,  1,      2.5,  5,    10,     25,   50,   100};

std::vector<LatencyBucket> latency_buckets(const LatencyHistogram& latency) {
  auto counts = latency.cumulative_counts(latency_bucket_bounds_s);
  std::vector<LatencyBucket> buckets;
  for (std::size_t i = 0; i < latency_bucket_bounds_s.size(); ++i) {
    buckets.push_back({latency_bucket_bounds_s[i], counts[i]});
  }
  buckets.push_back({std::numeric_limits<double>::infinity(), counts.back()});
  return buckets;
}

void collect_edges(const RunParts& parts, RunMetrics& metrics) {
  const Pipeline& pipeline = parts.state.pipeline();
  for (std::size_t id = 0; id < parts.edges.size(); ++id) {
    EdgeMetrics edge = parts.edges[id]->snapshot();
    edge.from = pipeline.nodes[pipeline.edges[id].from].name;
    edge.to = pipeline.nodes[pipeline.edges[id].to].name;
    edge.output = pipeline.edges[id].output;
    metrics.edges.push_back(std::move(edge));
  }
}

void collect_sinks(const RunParts& parts, RunMetrics& metrics) {
  LatencyHistogram all;
  std::uint64_t delivered = 0;
  for (const auto& runner : parts.runners) {
    if (runner->node().kind != NodeKind::Sink) continue;
    const LatencyHistogram& latency = runner->delivery_latency();
    SinkMetrics sink;
    sink.name = runner->node().name;
    sink.delivered = runner->delivered();
    sink.latency_p50_s = latency.quantile_s(0.50);
    sink.latency_p99_s = latency.quantile_s(0.99);
    sink.latency_mean_s = latency.mean_s();
    sink.latency_max_s = latency.max_s();
    sink.latency_buckets = latency_buckets(latency);
    latency.merge_into(all);
    delivered += sink.delivered;
    metrics.sinks.push_back(std::move(sink));
  }
  metrics.messages_per_s = metrics.elapsed_s > 0 ? static_cast<double>(delivered) / metrics.elapsed_s : 0;
  metrics.latency_p50_s = all.quantile_s(0.50);
  metrics.latency_p99_s = all.quantile_s(0.99);
  metrics.latency_mean_s = all.mean_s();
  metrics.latency_max_s = all.max_s();
}

void collect_sources(const RunParts& parts, RunMetrics& metrics) {
  const RunState& state = parts.state;
  for (std::size_t index = 0; index < state.source_count(); ++index) {
    const NodeRunner& runner = *parts.runners[state.source_node(index)];
    const RunState::Balance& balance = state.balance(index);
    SourceBalance source;
    source.name = runner.node().name;
    source.produced = balance.produced.load(std::memory_order_relaxed);
    source.delivered = balance.delivered.load(std::memory_order_relaxed);
    source.dropped = balance.dropped.load(std::memory_order_relaxed);
    source.filtered = balance.filtered.load(std::memory_order_relaxed);
    source.errors = balance.errors.load(std::memory_order_relaxed);
    source.expired = balance.expired.load(std::memory_order_relaxed);
    source.dead_lettered = balance.dead_lettered.load(std::memory_order_relaxed);
    source.expected = runner.expected();
    metrics.sources.push_back(std::move(source));
  }
}

}  // namespace

std::uint64_t peak_rss_bytes() {
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  return static_cast<std::uint64_t>(usage.ru_maxrss) * 1024;  // Linux reports kilobytes
}

RunMetrics collect(const RunParts& parts, RunStatus status, double elapsed_s) {
  RunMetrics metrics;
  metrics.pipeline = parts.state.pipeline().name;
  metrics.status = status;
  metrics.error = parts.state.error();
  if (status == RunStatus::BrokenPipe) metrics.error = parts.state.reader_gone_note();
  metrics.elapsed_s = elapsed_s;
  metrics.peak_rss_bytes = peak_rss_bytes();
  metrics.peak_messages = parts.state.peak_messages();
  metrics.peak_payload_bytes = parts.state.peak_payload_bytes();
  for (const auto& runner : parts.runners) metrics.nodes.push_back(runner->metrics(elapsed_s));
  collect_edges(parts, metrics);
  collect_sinks(parts, metrics);
  collect_sources(parts, metrics);
  return metrics;
}

}  // namespace flow::exec
