#include "flow/bottleneck.hpp"

#include <catch2/catch.hpp>

#include "pipelines.hpp"

using namespace flow;
using namespace flow::test;

namespace {
NodeMetrics& node(RunMetrics& run, const std::string& name) {
  for (auto& n : run.nodes)
    if (n.name == name) return n;
  FAIL("no node " << name);
  return run.nodes.front();
}
EdgeMetrics& edge(RunMetrics& run, const std::string& to) {
  for (auto& e : run.edges)
    if (e.to == to) return e;
  FAIL("no edge into " << to);
  return run.edges.front();
}
}  // namespace

TEST_CASE("Bottleneck: the busiest node behind a full edge, not the blocked one upstream of it",
          "[output][bottleneck]") {
  auto run = end_to_end_run();
  auto b = find_bottleneck(end_to_end(), run);
  CHECK(b.node == "process");
  CHECK(b.reason == "1 worker busy 98 %, its input edge 5/5 for 92 % of the run");
}

TEST_CASE("Bottleneck: moves with the slow stage", "[output][bottleneck]") {
  // Now the sink is slow: only its input is full, and it is busy.
  auto run = end_to_end_run();
  node(run, "process").busy = 0.4;
  node(run, "store").busy = 0.99;
  edge(run, "store").high_water = 5;
  edge(run, "store").full_s = 5.0;
  CHECK(find_bottleneck(end_to_end(), run).node == "store");
}

TEST_CASE("Bottleneck: an edge full for much longer wins over a busier node behind a rarely full one",
          "[output][bottleneck]") {
  auto run = end_to_end_run();
  edge(run, "validate").full_s = 0.5;
  edge(run, "store").full_s = 0.4;
  edge(run, "store").high_water = 5;
  node(run, "store").busy = 0.99;
  node(run, "process").busy = 0.9;
  // validate's and store's inputs were full ~10 % of the run, process's 92 %.
  CHECK(find_bottleneck(end_to_end(), run).node == "process");
}

TEST_CASE("Bottleneck: a source-bound run names the busiest node, sources included", "[output][bottleneck]") {
  auto run = end_to_end_run();
  for (auto& e : run.edges) {
    e.full_s = 0;
    e.high_water = 1;
  }
  node(run, "ingest").busy = 0.95;
  node(run, "process").busy = 0.5;
  auto b = find_bottleneck(end_to_end(), run);
  CHECK(b.node == "ingest");
  CHECK(b.reason == "1 worker busy 95 %, the source sets the pace");
}

TEST_CASE("Bottleneck: without time-full figures, high water at capacity counts as full", "[output][bottleneck]") {
  auto run = end_to_end_run();
  for (auto& e : run.edges) e.full_s = 0;
  auto b = find_bottleneck(end_to_end(), run);
  CHECK(b.node == "process");
  CHECK(b.reason == "1 worker busy 98 %, its input edge reached 5/5");
}

TEST_CASE("Bottleneck: an unbounded edge that grew past the default capacity counts as full",
          "[output][bottleneck]") {
  PipelineBuilder builder("unbounded");
  auto producer = builder.node("producer", NodeKind::Source, {call("generate")});
  auto consumer = builder.node("consumer", NodeKind::Sink, {call("discard")});
  builder.edge(producer, consumer, std::nullopt);
  RunMetrics run;
  run.status = RunStatus::Ok;
  run.elapsed_s = 5;
  run.nodes = {NodeMetrics{"producer", NodeKind::Source, 1, 50, 50, 0, 0, 0.01, 0.01, 0, 0},
               NodeMetrics{"consumer", NodeKind::Sink, 1, 50, 50, 0, 0, 4.9, 0.98, 0.1, 0.1}};
  EdgeMetrics e;
  e.from = "producer";
  e.to = "consumer";
  e.high_water = default_capacity(1) + 1;
  run.edges = {e};
  auto b = find_bottleneck(builder.build(), run);
  CHECK(b.node == "consumer");
  CHECK(b.reason == "1 worker busy 98 %, its input edge (unbounded) held up to 257");
}

TEST_CASE("Bottleneck: a node with several inputs names the full one", "[output][bottleneck]") {
  PipelineBuilder builder("merge");
  auto a = builder.node("a", NodeKind::Source, {call("generate")});
  auto c = builder.node("c", NodeKind::Source, {call("generate")});
  auto out = builder.node("out", NodeKind::Sink, {call("discard")}, 4);
  builder.edge(a, out, 8);
  builder.edge(c, out, 8);
  RunMetrics run;
  run.elapsed_s = 10;
  run.nodes = {NodeMetrics{"a", NodeKind::Source, 1}, NodeMetrics{"c", NodeKind::Source, 1},
               NodeMetrics{"out", NodeKind::Sink, 4}};
  run.nodes[2].busy_s = 38;  // busy derived from busy_s: 38 / (4 × 10)
  EdgeMetrics from_a{"a", "out", 8};
  from_a.high_water = 3;
  EdgeMetrics from_c{"c", "out", 8};
  from_c.high_water = 8;
  from_c.full_s = 6;
  run.edges = {from_a, from_c};
  auto b = find_bottleneck(builder.build(), run);
  CHECK(b.node == "out");
  CHECK(b.reason == "4 workers busy 95 %, its input edge from c 8/8 for 60 % of the run");
}

TEST_CASE("Bottleneck: a live snapshot counts what an edge holds now", "[output][bottleneck]") {
  auto run = end_to_end_run();
  run.status = RunStatus::Running;
  for (auto& e : run.edges) {
    e.full_s = 0;
    e.high_water = 2;
    e.held = 0;
  }
  edge(run, "process").held = 5;
  auto b = find_bottleneck(end_to_end(), run);
  CHECK(b.node == "process");
  // Without a pipeline, the metrics alone give the same answer.
  CHECK(find_bottleneck(Pipeline{}, run).node == "process");
}

TEST_CASE("Bottleneck: an empty run names nothing", "[output][bottleneck]") {
  auto b = find_bottleneck(Pipeline{}, RunMetrics{});
  CHECK(b.node.empty());
  CHECK(b.reason.empty());
}

TEST_CASE("Busy fraction is derived from busy seconds when not given", "[output][bottleneck]") {
  NodeMetrics n{"x", NodeKind::Stage, 2};
  n.busy_s = 3;
  CHECK(busy_fraction(n, 3) == Catch::Detail::Approx(0.5));
  n.busy = 0.7;
  CHECK(busy_fraction(n, 3) == Catch::Detail::Approx(0.7));
}
