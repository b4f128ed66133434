// Reports on the real clock (issue 30, item 19): one that falls behind is
// skipped, and the next is the first due after now, found in one step. It
// was found by counting every interval missed; at `report_every=1ns` that
// count took as long as the lag it counted, so the lag grew by a report's
// cost at each report, and n reports took about n² / 2 reports' worth of
// time (`flow run --report 1ns` printed about 30 lines a second).
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>

#include "support.hpp"

using namespace flow;
using namespace flow::test;
using namespace std::chrono_literals;

TEST_CASE("on the real clock reports that fell behind are skipped at no cost per interval missed",
          "[runtime]") {
  auto registry = test_registry();
  PipelineBuilder b;
  auto s = b.source("s", call("generate", {{"size", Size{16}}, {"rate", Rate{1000}}}));
  auto k = b.sink("k", {call("discard")});
  b.edge(s, k, 4);
  std::atomic<bool> interrupt{false};
  RunOptions options;
  options.interrupt = &interrupt;
  options.report_every = 1ns;
  int reports = 0;
  options.on_report = [&](const RunMetrics&) {
    if (++reports == 2000) interrupt = true;
  };
  auto started = std::chrono::steady_clock::now();
  RunMetrics metrics = run_guarded(b.get(), registry, options, 60s);
  auto took = std::chrono::steady_clock::now() - started;
  REQUIRE(metrics.status == RunStatus::Interrupted);
  check_invariants(b.get(), metrics);
  // Each report costs the watching thread some microseconds: 2,000 take
  // milliseconds. Counting the nanoseconds missed made them take seconds.
  CHECK(took < 3s);
}
