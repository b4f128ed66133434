// Linear pipelines: messages arrive, bounds hold, backpressure reaches the source.
#include <catch2/catch.hpp>

#include "support.hpp"

using namespace flow;
using namespace flow::test;

TEST_CASE("a linear pipeline delivers every message", "[runtime]") {
  int threads = GENERATE(1, 2, 4);
  auto recorder = std::make_shared<Recorder>();
  auto registry = test_registry(recorder);
  PipelineBuilder b;
  auto s = b.source("s", call("numbers", {{"count", std::int64_t{1000}}}));
  auto m = b.stage("m", {call("pass")});
  auto k = b.sink("k", {call("record")});
  b.edge(s, m, 4);
  b.edge(m, k, 4);
  RunOptions options;
  options.threads = threads;
  RunMetrics metrics = run_guarded(b.get(), registry, options);
  INFO("threads " << threads << ", error " << metrics.error.value_or("-"));
  REQUIRE(metrics.status == RunStatus::Ok);
  check_invariants(b.get(), metrics);
  CHECK(sink_metrics(metrics, "k").delivered == 1000);
  CHECK(source_balance(metrics, "s").produced == 1000);
  CHECK(source_balance(metrics, "s").expected == 1000u);
  CHECK(recorder->copy_payloads().size() == 1000);
  CHECK(node_metrics(metrics, "m").in == 1000);
  CHECK(node_metrics(metrics, "m").out == 1000);
  CHECK(edge_metrics(metrics, "s", "m").high_water <= 4);
}

TEST_CASE("block with capacity 1 loses nothing and holds one message at most", "[runtime]") {
  int threads = GENERATE(1, 2, 4);
  auto registry = test_registry();
  PipelineBuilder b;
  auto s = b.source("s", call("numbers", {{"count", std::int64_t{300}}}));
  auto m = b.stage("m", {call("spin_us", {{"us", std::int64_t{20}}})}, 2);
  auto k = b.sink("k", {call("drain")});
  b.edge(s, m, 1);
  b.edge(m, k, 1);
  RunOptions options;
  options.threads = threads;
  RunMetrics metrics = run_guarded(b.get(), registry, options);
  REQUIRE(metrics.status == RunStatus::Ok);
  check_invariants(b.get(), metrics);
  CHECK(sink_metrics(metrics, "k").delivered == 300);
  CHECK(edge_metrics(metrics, "s", "m").high_water == 1);
  CHECK(edge_metrics(metrics, "m", "k").high_water == 1);
  CHECK(edge_metrics(metrics, "s", "m").blocked_s > 0);
}
