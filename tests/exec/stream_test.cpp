// Operators whose stream fails (StreamError, BrokenPipe) and the end-of-input
// hook (finish): what the runtime counts, and how the run ends.
#include <catch2/catch.hpp>

#include "support.hpp"

using namespace flow;
using namespace flow::test;

TEST_CASE("a stream error fails the run whatever on_error says, and what it wrote is delivered",
          "[runtime][stream]") {
  auto on_error = GENERATE(OnError::Fail, OnError::Skip);
  auto registry = test_registry();
  PipelineBuilder b;
  auto s = b.source("s", call("numbers", {{"count", std::int64_t{1000}}}));
  auto k = b.sink("k", {call("stream_fail", {{"k", std::int64_t{100}}})});
  b.node(k).on_error = on_error;
  b.edge(s, k, 64);
  RunMetrics metrics = run_guarded(b.get(), registry, {});
  REQUIRE(metrics.status == RunStatus::Failed);
  CHECK_THAT(metrics.error.value_or(""),
             Catch::StartsWith("sink k failed on") &&
                 Catch::EndsWith("(operator stream_fail): cannot write to the test "
                                 "stream: No space left on device"));
  CHECK(sink_metrics(metrics, "k").delivered == 100);
  CHECK(node_metrics(metrics, "k").errors >= 1);
  CHECK(source_balance(metrics, "s").delivered == 100);
}

TEST_CASE("a broken pipe stops the sources, drains, and ends BrokenPipe with every balance kept",
          "[runtime][stream]") {
  int threads = GENERATE(1, 2);
  auto registry = test_registry();
  PipelineBuilder b;
  auto s = b.source("s", call("numbers", {{"count", std::int64_t{-1}}}));
  auto k = b.sink("k", {call("stream_fail", {{"k", std::int64_t{100}}, {"pipe", std::int64_t{1}}})});
  auto d = b.sink("d", {call("drain")});
  b.edge(s, k, 16);
  b.edge(s, d, 16);
  RunOptions options;
  options.threads = threads;
  RunMetrics metrics = run_guarded(b.get(), registry, options);
  REQUIRE(metrics.status == RunStatus::BrokenPipe);
  check_invariants(b.get(), metrics);
  CHECK(metrics.error.value_or("") == "sink k: cannot write to the test stream: Broken pipe");
  CHECK(sink_metrics(metrics, "k").delivered == 100);
  CHECK(node_metrics(metrics, "k").errors == node_metrics(metrics, "k").in - 100);
  // The other sink got every message the source made: the run drained.
  CHECK(sink_metrics(metrics, "d").delivered == node_metrics(metrics, "s").in);
}

TEST_CASE("an operator's finish() that throws fails the run naming the node", "[runtime][stream]") {
  auto registry = test_registry();
  PipelineBuilder b;
  auto s = b.source("s", call("numbers", {{"count", std::int64_t{10}}}));
  auto k = b.sink("k", {call("finish_fail")});
  b.edge(s, k, 4);
  RunMetrics metrics = run_guarded(b.get(), registry, {});
  REQUIRE(metrics.status == RunStatus::Failed);
  CHECK(metrics.error.value_or("") == "sink k: cannot close the test stream: Input/output error");
  CHECK(sink_metrics(metrics, "k").delivered == 10);
}
