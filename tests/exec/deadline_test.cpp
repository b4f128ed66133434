// Deadlines (docs/dead_letters.md): a message older than its edge's or its
// node's deadline when the node would take it is shed as expired. Under the
// virtual clock the counts follow from the file: 100 messages made at 0 s
// in front of a 1 ms consumer are taken at 0, 1, 2, ... ms, so with a
// deadline of 20.5 ms the first 21 pass and the other 79 expire.
#include <catch2/catch.hpp>

#include "support.hpp"

namespace flow::test {
namespace {

constexpr std::int64_t kMessages = 100;
constexpr std::uint64_t kPassing = 21;  // taken at 0 .. 20 ms, each younger than 20.5 ms
const Duration kDeadline{std::chrono::microseconds(20500)};

enum class Where { Edge, Node };

struct Shedding {
  Pipeline pipeline;
  RunMetrics metrics;
  std::shared_ptr<Recorder> late = std::make_shared<Recorder>();
};

Shedding run_shedding(Where where, bool routed) {
  Shedding result;
  auto registry = test_registry(result.late);
  PipelineBuilder b;
  b.clock(ClockKind::Virtual);
  auto s = b.source("s", call("numbers", {{"count", kMessages}}));
  auto m = b.stage("m", {call("wait_us", {{"us", std::int64_t{1000}}})});
  auto k = b.sink("k", {call("drain")});
  auto in = b.edge(s, m, 1000);
  b.edge(m, k, 8);
  std::optional<NodeId> late;
  if (routed) {
    late = b.sink("late", {call("record")});
    b.route(m, *late);
  }
  if (where == Where::Edge) {
    b.edge_at(in).deadline = kDeadline;
    b.edge_at(in).expired_to = late;
  } else {
    b.node(m).deadline = kDeadline;
    b.node(m).expired_to = late;
  }
  result.pipeline = b.get();
  result.metrics = run_guarded(result.pipeline, registry, {});
  return result;
}

}  // namespace

TEST_CASE("an edge's deadline sheds what waited too long on it, counted on the edge", "[runtime][deadline]") {
  auto run = run_shedding(Where::Edge, false);
  REQUIRE(run.metrics.status == RunStatus::Ok);
  check_invariants(run.pipeline, run.metrics);
  const auto& edge = edge_metrics(run.metrics, "s", "m");
  CHECK(edge.expired == kMessages - kPassing);
  CHECK(edge.out == kPassing);
  CHECK(edge.dead_lettered == 0);
  CHECK(node_metrics(run.metrics, "m").in == kPassing);
  CHECK(sink_metrics(run.metrics, "k").delivered == kPassing);
  CHECK(source_balance(run.metrics, "s").expired == kMessages - kPassing);
}

TEST_CASE("a node's deadline sheds what is too old from any input, counted on the node",
          "[runtime][deadline]") {
  auto run = run_shedding(Where::Node, false);
  REQUIRE(run.metrics.status == RunStatus::Ok);
  check_invariants(run.pipeline, run.metrics);
  const auto& node = node_metrics(run.metrics, "m");
  CHECK(node.expired == kMessages - kPassing);
  CHECK(node.in == static_cast<std::uint64_t>(kMessages));
  CHECK(edge_metrics(run.metrics, "s", "m").expired == 0);
  CHECK(sink_metrics(run.metrics, "k").delivered == kPassing);
  CHECK(source_balance(run.metrics, "s").expired == kMessages - kPassing);
}

TEST_CASE("what expires on an edge goes along its expired route", "[runtime][deadline][dead_letter]") {
  auto run = run_shedding(Where::Edge, true);
  REQUIRE(run.metrics.status == RunStatus::Ok);
  check_invariants(run.pipeline, run.metrics);
  CHECK(edge_metrics(run.metrics, "s", "m").dead_lettered == kMessages - kPassing);
  CHECK(sink_metrics(run.metrics, "late").delivered == kMessages - kPassing);
  const auto& balance = source_balance(run.metrics, "s");
  CHECK(balance.dead_lettered == kMessages - kPassing);
  CHECK(balance.expired == 0);
  CHECK(run.late->copy_payloads().front() == std::to_string(kPassing));
}

TEST_CASE("what expires on a node goes along its expired route", "[runtime][deadline][dead_letter]") {
  auto run = run_shedding(Where::Node, true);
  REQUIRE(run.metrics.status == RunStatus::Ok);
  check_invariants(run.pipeline, run.metrics);
  CHECK(node_metrics(run.metrics, "m").dead_lettered == kMessages - kPassing);
  CHECK(sink_metrics(run.metrics, "late").delivered == kMessages - kPassing);
  CHECK(source_balance(run.metrics, "s").dead_lettered == kMessages - kPassing);
}

}  // namespace flow::test
