#include "pipelines.hpp"

#include <algorithm>

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

EdgeId PipelineBuilder::dead_letter(NodeId from, NodeId to) {
  Edge edge;
  edge.from = from;
  edge.to = to;
  edge.capacity = default_capacity(pipeline_.nodes.at(to).workers);
  edge.overflow = Overflow::DropNewest;
  edge.dead_letter = true;
  pipeline_.edges.push_back(edge);
  auto id = pipeline_.edges.size() - 1;
  pipeline_.nodes.at(from).dead_letter_outputs.push_back(id);
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

Pipeline dead_letters() {
  PipelineBuilder b("dead_letters");
  auto ingest = b.node("ingest", NodeKind::Source,
                       {call("generate", {{"count", std::int64_t{100}}, {"size", bytes(16)}})});
  auto work = b.node("work", NodeKind::Stage, {call("delay", {{"duration", ms(10)}})}, 2);
  auto store = b.node("store", NodeKind::Sink, {call("discard")});
  auto dlq = b.node("dlq", NodeKind::Sink, {call("discard")});
  auto in = b.edge(ingest, work, 5, Overflow::DropNewest);
  b.edge_at(in).dropped_to = dlq;
  auto out = b.edge(work, store, 5);
  b.edge_at(out).deadline = Duration{std::chrono::milliseconds(100)};
  b.edge_at(out).expired_to = dlq;
  b.at(work).on_error = OnError::DeadLetter;
  b.at(work).errors_to = dlq;
  b.at(work).deadline = Duration{std::chrono::milliseconds(200)};
  b.at(work).expired_to = dlq;
  b.dead_letter(ingest, dlq);
  b.dead_letter(work, dlq);
  b.dead_letter(store, dlq);
  return b.build();
}

namespace {
EdgeMetrics counted_edge(std::string from, std::string to, std::uint64_t capacity, std::uint64_t in,
                         std::uint64_t out) {
  EdgeMetrics e;
  e.from = std::move(from);
  e.to = std::move(to);
  e.capacity = capacity;
  e.in = in;
  e.out = out;
  e.high_water = std::min<std::uint64_t>(capacity, in);
  return e;
}

NodeMetrics counted_node(std::string name, NodeKind kind, int workers, std::uint64_t in, std::uint64_t out) {
  NodeMetrics n;
  n.name = std::move(name);
  n.kind = kind;
  n.workers = workers;
  n.in = in;
  n.out = out;
  return n;
}
}  // namespace

RunMetrics dead_letters_run() {
  RunMetrics m;
  m.pipeline = "dead_letters";
  m.status = RunStatus::Ok;
  m.elapsed_s = 2;
  auto work = counted_node("work", NodeKind::Stage, 2, 90, 82);
  work.errors = 5;
  work.expired = 3;
  work.dead_lettered = 8;
  m.nodes = {counted_node("ingest", NodeKind::Source, 1, 100, 100), work,
             counted_node("store", NodeKind::Sink, 1, 80, 80),
             counted_node("dlq", NodeKind::Sink, 1, 20, 20)};
  auto in = counted_edge("ingest", "work", 5, 100, 90);
  in.policy = Overflow::DropNewest;
  in.dropped = in.dead_lettered = 10;
  auto out = counted_edge("work", "store", 5, 82, 80);
  out.expired = out.dead_lettered = 2;
  m.edges = {in, out};
  for (auto [from, count] : {std::pair{"ingest", 10}, {"work", 8}, {"store", 2}}) {
    auto e = counted_edge(from, "dlq", 256, count, count);
    e.policy = Overflow::DropNewest;
    e.dead_letter = true;
    m.edges.push_back(e);
  }
  m.sinks = {SinkMetrics{"store", 80}, SinkMetrics{"dlq", 20}};
  SourceBalance balance{"ingest", 100, 80, 0, 0, 0, 100};
  balance.dead_lettered = 20;
  m.sources = {balance};
  return m;
}

}  // namespace flow::test
