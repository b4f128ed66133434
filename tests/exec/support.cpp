#include "support.hpp"

#include "flow/bound.hpp"

#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <condition_variable>
#include <cstdlib>
#include <thread>

namespace flow::test {

NodeId PipelineBuilder::add(const std::string& name, NodeKind kind, std::vector<OperatorCall> chain, int workers) {
  Node node;
  node.name = name;
  node.kind = kind;
  node.chain = std::move(chain);
  node.workers = workers;
  pipeline_.nodes.push_back(std::move(node));
  return pipeline_.nodes.size() - 1;
}

NodeId PipelineBuilder::source(const std::string& name, OperatorCall call, int workers) {
  return add(name, NodeKind::Source, {std::move(call)}, workers);
}
NodeId PipelineBuilder::stage(const std::string& name, std::vector<OperatorCall> chain, int workers) {
  return add(name, NodeKind::Stage, std::move(chain), workers);
}
NodeId PipelineBuilder::sink(const std::string& name, std::vector<OperatorCall> chain, int workers) {
  return add(name, NodeKind::Sink, std::move(chain), workers);
}

EdgeId PipelineBuilder::edge(NodeId from, NodeId to, std::optional<std::uint64_t> capacity, Overflow policy,
                             std::optional<std::uint64_t> max_bytes) {
  Edge edge;
  edge.from = from;
  edge.to = to;
  edge.capacity = capacity;
  edge.overflow = policy;
  edge.max_bytes = max_bytes;
  pipeline_.edges.push_back(edge);
  EdgeId id = pipeline_.edges.size() - 1;
  pipeline_.nodes[from].outputs.push_back(id);
  pipeline_.nodes[to].inputs.push_back(id);
  return id;
}

EdgeId PipelineBuilder::route(NodeId producer, NodeId target, std::uint64_t capacity) {
  Edge edge;
  edge.from = producer;
  edge.to = target;
  edge.capacity = capacity;
  edge.overflow = Overflow::DropNewest;
  edge.dead_letter = true;
  pipeline_.edges.push_back(edge);
  EdgeId id = pipeline_.edges.size() - 1;
  pipeline_.nodes[producer].dead_letter_outputs.push_back(id);
  pipeline_.nodes[target].inputs.push_back(id);
  return id;
}

OperatorCall call(const std::string& name, std::vector<std::pair<std::string, Value>> args) {
  OperatorCall result;
  result.name = name;
  for (auto& [key, value] : args) result.args.emplace(key, std::move(value));
  return result;
}

RunMetrics run_guarded(const Pipeline& pipeline, const OperatorRegistry& registry, RunOptions options,
                       std::chrono::seconds limit) {
  std::mutex mutex;
  std::condition_variable done_cv;
  bool done = false;
  std::thread watchdog([&] {
    std::unique_lock lock(mutex);
    if (!done_cv.wait_for(lock, limit, [&] { return done; })) {
      fmt::print(stderr, "WATCHDOG: run of pipeline '{}' did not end within {} s: the runtime hangs\n",
                 pipeline.name, limit.count());
      std::abort();
    }
  });
  RunMetrics metrics = run(pipeline, registry, options);
  {
    std::lock_guard lock(mutex);
    done = true;
  }
  done_cv.notify_one();
  watchdog.join();
  return metrics;
}

void check_invariants(const Pipeline& pipeline, const RunMetrics& metrics) {
  INFO("pipeline " << pipeline.name << ", status " << to_string(metrics.status) << ", error "
                   << metrics.error.value_or("-"));
  REQUIRE(metrics.edges.size() == pipeline.edges.size());
  for (const auto& edge : metrics.edges) {
    INFO("edge " << edge.from << " -> " << edge.to);
    CHECK(edge.in == edge.out + edge.dropped + edge.expired);
    CHECK(edge.dead_lettered <= edge.dropped + edge.expired);
    CHECK(edge.held == 0);
    if (edge.capacity) CHECK(edge.high_water <= *edge.capacity);
  }
  for (const auto& source : metrics.sources) {
    INFO("source " << source.name << ": produced " << source.produced << ", delivered " << source.delivered
                   << ", dropped " << source.dropped << ", filtered " << source.filtered << ", errors "
                   << source.errors << ", expired " << source.expired << ", dead-lettered "
                   << source.dead_lettered);
    CHECK(source.produced == source.delivered + source.dead_lettered + source.dropped + source.expired +
                                 source.filtered + source.errors);
  }
  // A sink counts all it delivered; the balance tells the routed ones apart.
  std::uint64_t at_sinks = 0, balanced = 0;
  for (const auto& sink : metrics.sinks) at_sinks += sink.delivered;
  for (const auto& source : metrics.sources) balanced += source.delivered + source.dead_lettered;
  CHECK(at_sinks == balanced);
  // What the run held at once never passes the plan's bound (runtime/output/bound.hpp).
  // The test operators declare no plan, so the built-ins alone plan them as
  // any registry would: as operators the bound knows nothing of.
  auto bound = hold_bound(pipeline, builtin_operators());
  INFO("peak " << metrics.peak_messages << " messages, " << metrics.peak_payload_bytes << " bytes; bound "
               << messages_bound_text(bound) << ", " << bytes_bound_text(bound));
  if (bound.messages) CHECK(metrics.peak_messages <= *bound.messages);
  if (bound.payload_bytes) CHECK(metrics.peak_payload_bytes <= *bound.payload_bytes);
}

const NodeMetrics& node_metrics(const RunMetrics& metrics, const std::string& name) {
  for (const auto& node : metrics.nodes) {
    if (node.name == name) return node;
  }
  FAIL("no node " << name);
  throw std::logic_error("unreachable");
}

const EdgeMetrics& edge_metrics(const RunMetrics& metrics, const std::string& from, const std::string& to) {
  for (const auto& edge : metrics.edges) {
    if (edge.from == from && edge.to == to) return edge;
  }
  FAIL("no edge " << from << " -> " << to);
  throw std::logic_error("unreachable");
}

const SinkMetrics& sink_metrics(const RunMetrics& metrics, const std::string& name) {
  for (const auto& sink : metrics.sinks) {
    if (sink.name == name) return sink;
  }
  FAIL("no sink " << name);
  throw std::logic_error("unreachable");
}

const SourceBalance& source_balance(const RunMetrics& metrics, const std::string& name) {
  for (const auto& source : metrics.sources) {
    if (source.name == name) return source;
  }
  FAIL("no source " << name);
  throw std::logic_error("unreachable");
}

}  // namespace flow::test
