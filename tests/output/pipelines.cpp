#include "pipelines.hpp"

namespace flow::test {

OperatorCall call(std::string name, std::vector<std::pair<std::string, Value>> args) {
  OperatorCall result{std::move(name), {}, {}};
  for (auto& [key, value] : args) result.args.emplace(key, std::move(value));
  return result;
}

PipelineBuilder::PipelineBuilder(std::string name) { pipeline_.name = std::move(name); }

NodeId PipelineBuilder::node(std::string name, NodeKind kind, std::vector<OperatorCall> chain, int workers) {
  Node node;
  node.name = std::move(name);
  node.kind = kind;
  node.chain = std::move(chain);
  node.workers = workers;
  pipeline_.nodes.push_back(std::move(node));
  return pipeline_.nodes.size() - 1;
}

EdgeId PipelineBuilder::edge(NodeId from, NodeId to, std::optional<std::uint64_t> capacity, Overflow overflow) {
  Edge edge;
  edge.from = from;
  edge.to = to;
  edge.capacity = capacity;
  edge.overflow = overflow;
  pipeline_.edges.push_back(edge);
  auto id = pipeline_.edges.size() - 1;
  pipeline_.nodes.at(from).outputs.push_back(id);
  pipeline_.nodes.at(to).inputs.push_back(id);
  return id;
}

Pipeline PipelineBuilder::build() const {
  return pipeline_;
}

Pipeline end_to_end() {
  PipelineBuilder b("end_to_end");
  auto ingest = b.node("ingest", NodeKind::Source, {call("generate", {{"count", std::int64_t{100}}, {"size", bytes(16)}})});
  auto validate = b.node("validate", NodeKind::Stage, {call("delay", {{"duration", ms(10)}})});
  auto process = b.node("process", NodeKind::Stage, {call("delay", {{"duration", ms(50)}})});
  auto store = b.node("store", NodeKind::Sink, {call("delay", {{"duration", ms(20)}}), call("discard")});
  b.edge(ingest, validate, 5);
  b.edge(validate, process, 5);
  b.edge(process, store, 5);
  return b.build();
}

namespace {
EdgeMetrics edge_metrics(std::string from, std::string to, std::uint64_t high_water, double full_s, double blocked_s) {
  EdgeMetrics e;
  e.from = std::move(from);
  e.to = std::move(to);
  e.capacity = 5;
  e.in = e.out = 100;
  e.high_water = high_water;
  e.high_water_bytes = high_water * 16;
  e.full_s = full_s;
  e.blocked_s = blocked_s;
  return e;
}

NodeMetrics node_metrics(std::string name, NodeKind kind, double busy) {
  NodeMetrics n;
  n.name = std::move(name);
  n.kind = kind;
  n.in = n.out = 100;
  n.busy = busy;
  n.busy_s = busy * 5.2;
  n.latency_p50_s = 0.05;
  n.latency_p99_s = 0.051;
  return n;
}
}  // namespace

RunMetrics end_to_end_run() {
  RunMetrics m;
  m.pipeline = "end_to_end";
  m.status = RunStatus::Ok;
  m.elapsed_s = 5.2;
  m.peak_rss_bytes = 7'340'032;
  m.messages_per_s = 100 / 5.2;
  m.latency_p50_s = 0.9;
  m.latency_p99_s = 1.2;
  m.latency_max_s = 1.3;
  // Backpressure fills both edges in front of `process`; only `process` works all the time.
  m.nodes = {node_metrics("ingest", NodeKind::Source, 0.01), node_metrics("validate", NodeKind::Stage, 0.19),
             node_metrics("process", NodeKind::Stage, 0.98), node_metrics("store", NodeKind::Sink, 0.39)};
  m.edges = {edge_metrics("ingest", "validate", 5, 4.6, 4.5), edge_metrics("validate", "process", 5, 4.78, 4.1),
             edge_metrics("process", "store", 1, 0, 0)};
  m.sinks = {SinkMetrics{"store", 100, 0.9, 1.2, 1.3}};
  m.sources = {SourceBalance{"ingest", 100, 100, 0, 0, 0, 100}};
  return m;
}

}  // namespace flow::test
