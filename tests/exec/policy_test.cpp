// Overflow policies, unbounded edges and the memory limit, run end to end.
#include <catch2/catch.hpp>
#include <regex>

#include "support.hpp"

using namespace flow;
using namespace flow::test;

namespace {

/// s -> k with a sink that waits `wait_us` per message on the timer.
PipelineBuilder slow_sink(std::int64_t count, std::optional<std::uint64_t> capacity, Overflow policy,
                          std::int64_t wait_us = 1000, std::int64_t size = 0) {
  PipelineBuilder b;
  auto s = b.source("s", call("numbers", {{"count", count}, {"size", size}}));
  auto k = b.sink("k", {call("wait_us", {{"us", wait_us}}), call("record")});
  b.edge(s, k, capacity, policy);
  return b;
}

}  // namespace

TEST_CASE("drop_newest drops what does not fit and never blocks the producer", "[runtime][policy]") {
  int threads = GENERATE(1, 2, 4);
  auto recorder = std::make_shared<Recorder>();
  auto registry = test_registry(recorder);
  auto b = slow_sink(200, 2, Overflow::DropNewest);
  RunOptions options;
  options.threads = threads;
  RunMetrics metrics = run_guarded(b.get(), registry, options);
  REQUIRE(metrics.status == RunStatus::Ok);
  check_invariants(b.get(), metrics);
  const auto& edge = edge_metrics(metrics, "s", "k");
  CHECK(edge.dropped > 0);
  CHECK(edge.blocked_s == 0);
  CHECK(source_balance(metrics, "s").dropped == edge.dropped);
  auto payloads = recorder->copy_payloads();
  REQUIRE_FALSE(payloads.empty());
  CHECK(payloads.front() == "0");  // the first messages got in; later ones were dropped
}

TEST_CASE("drop_oldest keeps the newest messages", "[runtime][policy]") {
  int threads = GENERATE(1, 2, 4);
  auto recorder = std::make_shared<Recorder>();
  auto registry = test_registry(recorder);
  auto b = slow_sink(200, 2, Overflow::DropOldest);
  RunOptions options;
  options.threads = threads;
  RunMetrics metrics = run_guarded(b.get(), registry, options);
  REQUIRE(metrics.status == RunStatus::Ok);
  check_invariants(b.get(), metrics);
  CHECK(edge_metrics(metrics, "s", "k").dropped > 0);
  CHECK(edge_metrics(metrics, "s", "k").blocked_s == 0);
  auto payloads = recorder->copy_payloads();
  REQUIRE_FALSE(payloads.empty());
  CHECK(payloads.back() == "199");  // the newest message always survives
}

TEST_CASE("a fail edge stops the run with an error naming the edge, its capacity and the time",
          "[runtime][policy]") {
  int threads = GENERATE(1, 2);
  auto registry = test_registry();
  auto b = slow_sink(100, 3, Overflow::Fail);
  RunOptions options;
  options.threads = threads;
  RunMetrics metrics = run_guarded(b.get(), registry, options);
  REQUIRE(metrics.status == RunStatus::Failed);
  REQUIRE(metrics.error);
  CHECK(std::regex_match(*metrics.error, std::regex(R"(edge s -> k overflowed: capacity 3, at \d+\.\d\d s)")));
}

TEST_CASE("block makes the slow consumer pace the source and loses nothing", "[runtime][policy]") {
  auto registry = test_registry();
  auto b = slow_sink(100, 2, Overflow::Block, 2000);
  RunOptions options;
  options.threads = 2;
  options.report_every = std::chrono::milliseconds(20);
  std::uint64_t worst_ahead = 0;
  options.on_report = [&](const RunMetrics& live) {
    const auto& source = live.sources.at(0);
    auto gone = source.delivered + source.dropped + source.filtered + source.errors;
    worst_ahead = std::max<std::uint64_t>(worst_ahead, source.produced - std::min(source.produced, gone));
  };
  RunMetrics metrics = run_guarded(b.get(), registry, options);
  REQUIRE(metrics.status == RunStatus::Ok);
  check_invariants(b.get(), metrics);
  CHECK(sink_metrics(metrics, "k").delivered == 100);
  CHECK(edge_metrics(metrics, "s", "k").blocked_s > 0.05);
  // In flight at most: the edge (2), the sink's worker (1) and one chunk parked at the source.
  CHECK(worst_ahead <= 2 + 1 + 64);
}

TEST_CASE("max_bytes limits an edge by payload bytes", "[runtime][policy]") {
  auto registry = test_registry();
  PipelineBuilder b;
  auto s = b.source("s", call("numbers", {{"count", std::int64_t{100}}, {"size", std::int64_t{10}}}));
  auto k = b.sink("k", {call("wait_us", {{"us", std::int64_t{100}}}), call("drain")});
  b.edge(s, k, 50, Overflow::Block, 30);
  RunMetrics metrics = run_guarded(b.get(), registry, {});
  REQUIRE(metrics.status == RunStatus::Ok);
  check_invariants(b.get(), metrics);
  CHECK(edge_metrics(metrics, "s", "k").high_water_bytes <= 30);
  CHECK(edge_metrics(metrics, "s", "k").high_water <= 3);
}

TEST_CASE("an unbounded edge is stopped by the memory limit with a clear error", "[runtime][policy]") {
  auto registry = test_registry();
  auto b = slow_sink(100000, std::nullopt, Overflow::Block, 1000, 100);
  RunOptions options;
  options.memory_limit = 20000;
  RunMetrics metrics = run_guarded(b.get(), registry, options);
  REQUIRE(metrics.status == RunStatus::Failed);
  REQUIRE(metrics.error);
  CHECK_THAT(*metrics.error, Catch::Contains("memory limit passed"));
  CHECK_THAT(*metrics.error, Catch::Contains("limit 20000 bytes"));
}

TEST_CASE("an unbounded edge under the memory limit runs to the end", "[runtime][policy]") {
  auto registry = test_registry();
  auto b = slow_sink(500, std::nullopt, Overflow::Block, 10, 10);
  RunOptions options;
  options.memory_limit = 1 << 20;
  RunMetrics metrics = run_guarded(b.get(), registry, options);
  REQUIRE(metrics.status == RunStatus::Ok);
  check_invariants(b.get(), metrics);
  CHECK(edge_metrics(metrics, "s", "k").capacity == std::nullopt);
  CHECK(sink_metrics(metrics, "k").delivered == 500);
}
