// Dead-letter routes and deadlines in `flow plan`, the bound and the
// bottleneck (issue 24, items 3 and 4): a route is listed and bounded with
// its capacity, never pushes back on its producer in the prediction, and a
// full route is no bottleneck. Inputs are hand-built (pipelines.hpp).
#include <catch2/catch.hpp>
#include <map>

#include "flow/bottleneck.hpp"
#include "flow/bound.hpp"
#include "flow/plan.hpp"
#include "flow/predict.hpp"
#include "pipelines.hpp"

using namespace flow;
using namespace flow::test;
using Catch::Detail::Approx;

namespace {

bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos;
}

NodeMetrics& node(RunMetrics& run, const std::string& name) {
  for (auto& n : run.nodes)
    if (n.name == name) return n;
  FAIL("no node " << name);
  return run.nodes.front();
}

}  // namespace

TEST_CASE("Plan lists dead-letter edges with their capacity and reasons, routes and deadlines where declared",
          "[output][plan][routes]") {
  auto plan = to_plan(dead_letters(), builtin_operators());
  INFO(plan);
  CHECK(has_line(plan, "  stage  work   = delay(10ms)"));
  CHECK(has_line(
      plan, std::string(18, ' ') +
                "[workers=2, ordered=false, fanout=broadcast, on_error=dlq, deadline=200ms, expired=dlq]"));
  CHECK(has_line(plan, "  ingest -> work  [capacity=5, overflow=drop_newest, max_bytes=none, dropped=dlq]"));
  CHECK(has_line(
      plan, "  work -> store   [capacity=5, overflow=block, max_bytes=none, deadline=100ms, expired=dlq]"));
  CHECK(has_line(plan,
                 "  ingest -> dlq   [capacity=256, overflow=drop_newest, max_bytes=none] "
                 "dead letters: dropped, never makes its producer wait"));
  CHECK(has_line(plan,
                 "  work -> dlq     [capacity=256, overflow=drop_newest, max_bytes=none] "
                 "dead letters: errors, expired, never makes its producer wait"));
  CHECK(has_line(plan,
                 "  store -> dlq    [capacity=256, overflow=drop_newest, max_bytes=none] "
                 "dead letters: expired, never makes its producer wait"));
  // Three routes of 256 beside the two declared edges of 5.
  CHECK(plan.find("edge capacities 778 + ") != std::string::npos);
}

TEST_CASE("A route's capacity counts in the bound, by the largest message its producer takes in or sends out",
          "[output][plan][routes]") {
  // pack makes batches of 10 that work splits again: what work fails on (or
  // what expires in front of it) is a batch of 10, though it sends out single messages.
  PipelineBuilder b("unpacked");
  auto src = b.node("src", NodeKind::Source, {call("generate", {{"size", bytes(8)}})});
  auto pack = b.node("pack", NodeKind::Stage, {call("batch", {{"max", std::int64_t{10}}})});
  auto work = b.node("work", NodeKind::Stage, {call("unbatch")});
  auto out = b.node("out", NodeKind::Sink, {call("discard")});
  auto dlq = b.node("dlq", NodeKind::Sink, {call("discard")});
  b.edge(src, pack, 4);
  b.edge(pack, work, 3);
  b.edge(work, out, 2);
  b.at(work).on_error = OnError::DeadLetter;
  b.at(work).errors_to = dlq;
  b.dead_letter(work, dlq);
  auto bound = hold_bound(b.build(), builtin_operators());
  CHECK(bound.edges == 4 * 1 + 3 * 10 + 2 * 1 + default_capacity(1) * 10);
  REQUIRE(bound.messages);
  CHECK(*bound.messages == bound.edges + bound.hands + bound.batches);
}

namespace {
// src [batch(max=5), on_error=dlq] -> out; src ⇢ dlq -> audit: the same
// graph whichever order the file declares its nodes in.
Pipeline routed_batches(bool route_first) {
  PipelineBuilder b(route_first ? "declared_first" : "declared_last");
  auto declare = [&b](const char* name) -> NodeId {
    std::string n = name;
    if (n == "audit") return b.node(n, NodeKind::Sink, {call("discard")});
    if (n == "dlq") return b.node(n, NodeKind::Stage, {call("upper")});
    if (n == "out") return b.node(n, NodeKind::Sink, {call("discard")});
    return b.node(n, NodeKind::Source, {call("generate"), call("batch", {{"max", std::int64_t{5}}})});
  };
  auto order = route_first ? std::vector<const char*>{"audit", "dlq", "src", "out"}
                           : std::vector<const char*>{"src", "out", "dlq", "audit"};
  std::map<std::string, NodeId> id;
  for (const char* name : order) id[name] = declare(name);
  b.edge(id["dlq"], id["audit"], 2);
  b.edge(id["src"], id["out"], 3);
  b.at(id["src"]).on_error = OnError::DeadLetter;
  b.at(id["src"]).errors_to = id["dlq"];
  b.dead_letter(id["src"], id["dlq"]);
  return b.build();
}
}  // namespace

TEST_CASE("A node fed by a route is bounded after the route's producer, whatever the declaration order",
          "[output][plan][routes]") {
  // audit takes batches of 5 through dlq, which src's route feeds: declared
  // before src, its share of the bound must still know that.
  auto last = hold_bound(routed_batches(false), builtin_operators());
  auto first = hold_bound(routed_batches(true), builtin_operators());
  CHECK(last.edges == 2 * 5 + 3 * 5 + default_capacity(1) * 5);
  CHECK(first.edges == last.edges);
  CHECK(first.hands == last.hands);
  CHECK(first.messages == last.messages);
}

TEST_CASE("Prediction: a slow consumer of dead letters slows no producer of them", "[output][plan][routes]") {
  // audit takes 10/s from its own source a and the dead letters of work; work's source b runs at 100/s.
  PipelineBuilder b("routes");
  auto a = b.node("a", NodeKind::Source, {call("generate", {{"rate", per_s(100)}})});
  auto src = b.node("b", NodeKind::Source, {call("generate", {{"rate", per_s(100)}})});
  auto work = b.node("work", NodeKind::Stage, {call("upper")});
  auto store = b.node("store", NodeKind::Sink, {call("discard")});
  auto audit = b.node("audit", NodeKind::Sink, {call("delay", {{"duration", ms(100)}}), call("discard")});
  b.edge(a, audit);
  b.edge(src, work);
  b.edge(work, store);
  b.at(work).on_error = OnError::DeadLetter;
  b.at(work).errors_to = audit;
  auto route = b.dead_letter(work, audit);
  // The route's own nature decides, not its overflow (drop_newest as the checker makes it, or not).
  for (auto overflow : {Overflow::DropNewest, Overflow::Block}) {
    b.edge_at(route).overflow = overflow;
    auto p = predict(b.build(), builtin_operators());
    INFO("the route's overflow: " << to_string(overflow));
    CHECK(p.bottleneck == "audit");
    for (const auto& n : p.nodes) {
      if (n.name == "a") CHECK(n.rate_per_s == Approx(10));
      if (n.name == "b" || n.name == "store") CHECK(n.rate_per_s == Approx(100));
    }
    CHECK(p.throughput_per_s == Approx(110));
  }
}

TEST_CASE("Bottleneck: a full dead-letter edge is not the pipeline's bottleneck",
          "[output][bottleneck][routes]") {
  // work's input was full half the run and work busy 80 %; the route ingest ⇢ dlq
  // was full 90 % of it and dlq busy 99 %. Full, a route drops: it holds no one back.
  auto run = dead_letters_run();
  run.edges[0].full_s = 1.0;
  run.edges[0].high_water = 5;
  run.edges[2].full_s = 1.8;
  run.edges[2].high_water = 256;
  node(run, "work").busy = 0.8;
  node(run, "dlq").busy = 0.99;
  auto found = find_bottleneck(dead_letters(), run);
  CHECK(found.node == "work");
  CHECK(found.reason == "2 workers busy 80 %, its input edge 5/5 for 50 % of the run");
  // Read back without the pipeline (only the metrics' edges), the same.
  CHECK(find_bottleneck(Pipeline{}, run).node == "work");
}

TEST_CASE("Bottleneck: a node fed only by routes does not set the pipeline's pace",
          "[output][bottleneck][routes]") {
  // No edge was full: the run is source-bound, and the busiest node counts,
  // except dlq, which works on what the pipeline sheds.
  auto run = dead_letters_run();
  for (auto& edge : run.edges) edge.high_water = 1;
  node(run, "ingest").busy = 0.7;
  node(run, "dlq").busy = 0.99;
  CHECK(find_bottleneck(dead_letters(), run).node == "ingest");
  CHECK(find_bottleneck(Pipeline{}, run).node == "ingest");
}
