// Throughput checks, hidden from the default run: `exec_tests "[.bench]"` or `ctest -L bench`.
#include <fmt/format.h>

#include <catch2/catch.hpp>

#include "support.hpp"

using namespace flow;
using namespace flow::test;

namespace {

RunMetrics three_hops(std::int64_t count, int threads) {
  auto registry = test_registry();
  PipelineBuilder b("three_hops");
  auto s = b.source("s", call("generate", {{"count", count}, {"size", Size{8}}}));
  auto a = b.stage("a", {call("pass")});
  auto c = b.stage("c", {call("pass")});
  auto k = b.sink("k", {call("discard")});
  b.edge(s, a, 64);
  b.edge(a, c, 64);
  b.edge(c, k, 64);
  b.max_in_flight(64 * 3 + 3);
  RunOptions options;
  options.threads = threads;
  return run_guarded(b.get(), registry, options, std::chrono::seconds(120));
}

}  // namespace

TEST_CASE("three zero-work hops move millions of messages per second", "[.bench][runtime]") {
  for (int threads : {1, 2}) {
    RunMetrics metrics = three_hops(2'000'000, threads);
    REQUIRE(metrics.status == RunStatus::Ok);
    fmt::print("three hops, 2 M messages, threads={}: {:.2f} M messages/s, p50 {:.1f} us, p99 {:.1f} us, peak RSS {} MB\n",
               threads, metrics.messages_per_s / 1e6, metrics.latency_p50_s * 1e6, metrics.latency_p99_s * 1e6,
               metrics.peak_rss_bytes >> 20);
    CHECK(sink_metrics(metrics, "k").delivered == 2'000'000);
  }
}
