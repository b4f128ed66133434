// The virtual clock (issue 10, item 3): simulated time that jumps to the next
// timer whenever no worker has work. Every expected time here follows from the
// pipeline's own durations, exactly: under the virtual clock nothing else
// takes time.
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>
#include <vector>

#include "flow/metrics_json.hpp"
#include "support.hpp"

using namespace flow;
using namespace flow::test;
using namespace std::chrono_literals;

namespace {

OperatorCall delay(Value duration) { return call("delay", {{"duration", std::move(duration)}}); }

OperatorCall generate(std::int64_t count, std::optional<double> per_second = std::nullopt,
                      const char* arrivals = "even") {
  std::vector<std::pair<std::string, Value>> args{{"count", count}, {"size", Size{16}}};
  if (per_second) {
    args.emplace_back("rate", Rate{*per_second});
    args.emplace_back("arrivals", Identifier{arrivals});
  }
  return call("generate", std::move(args));
}

/// The design's end-to-end example: 100 messages through stages of 10, 50 and 20 ms, edges of 5.
Pipeline end_to_end() {
  PipelineBuilder b("end_to_end");
  auto ingest = b.source("ingest", generate(100));
  auto validate = b.stage("validate", {delay(Duration{10ms})});
  auto process = b.stage("process", {delay(Duration{50ms})});
  auto store = b.sink("store", {delay(Duration{20ms}), call("discard")});
  b.edge(ingest, validate, 5);
  b.edge(validate, process, 5);
  b.edge(process, store, 5);
  b.clock(ClockKind::Virtual);
  return b.get();
}

/// A run's metrics as JSON without what real time decides (wall time, RSS).
std::string simulated_figures(RunMetrics metrics) {
  metrics.wall_s = 0;
  metrics.peak_rss_bytes = 0;
  return to_json(metrics);
}

}  // namespace

TEST_CASE("a virtual run takes its timers' simulated time, in a fraction of it in real time",
          "[runtime][virtual]") {
  auto registry = test_registry();
  auto pipeline = end_to_end();
  RunMetrics metrics = run_guarded(pipeline, registry);
  REQUIRE(metrics.status == RunStatus::Ok);
  check_invariants(pipeline, metrics);
  CHECK(metrics.clock == ClockKind::Virtual);
  // process is the bottleneck: 100 × 50 ms, plus the first message's 10 ms
  // before it and the last one's 20 ms after it.
  CHECK(metrics.elapsed_s == Approx(5.03).margin(1e-9));
  // The real clock would take the 5 s.
  CHECK(metrics.wall_s < metrics.elapsed_s / 5);
  // The first message waits for nothing: 10 + 50 + 20 ms; then every one
  // comes 50 ms after the one before it.
  CHECK(metrics.latency_max_s >= 0.08);
  CHECK(node_metrics(metrics, "process").busy_s == Approx(5.0).margin(1e-9));
  CHECK(edge_metrics(metrics, "validate", "process").high_water == 5);
}

TEST_CASE("the same seed gives the same virtual run, figure for figure", "[runtime][virtual]") {
  auto registry = test_registry();
  auto run_with = [&](std::uint64_t seed) {
    PipelineBuilder b("random");
    auto s = b.source("s", generate(2000, 900.0, "poisson"));
    auto work = call("delay", {{"duration", Distribution{Distribution::Shape::Exponential, Duration{2ms}, {}}}});
    work.seed = seed;
    b.node(s).chain.front().seed = seed * 7 + 1;
    auto w = b.stage("w", {work}, 2);
    auto k = b.sink("k", {call("discard")});
    b.edge(s, w, 4, Overflow::DropNewest);
    b.edge(w, k, 4);
    b.clock(ClockKind::Virtual);
    RunMetrics metrics = run_guarded(b.get(), registry);
    REQUIRE(metrics.status == RunStatus::Ok);
    check_invariants(b.get(), metrics);
    return metrics;
  };
  auto first = run_with(1);
  CHECK(edge_metrics(first, "s", "w").dropped > 0);  // the case is not trivial: the edge drops
  CHECK(simulated_figures(run_with(1)) == simulated_figures(first));
  CHECK(simulated_figures(run_with(1)) == simulated_figures(first));
  CHECK(run_with(2).latency_mean_s != first.latency_mean_s);
}

TEST_CASE("under the virtual clock the duration and the reports come in simulated time", "[runtime][virtual]") {
  auto registry = test_registry();
  PipelineBuilder b;
  auto s = b.source("s", generate(-1, 1000.0));
  auto k = b.sink("k", {delay(Duration{500us}), call("discard")});
  b.edge(s, k, 4);
  b.clock(ClockKind::Virtual);
  RunOptions options;
  options.duration = 10s;
  options.report_every = 1s;
  std::vector<double> reported_at;
  options.on_report = [&](const RunMetrics& live) { reported_at.push_back(live.elapsed_s); };
  RunMetrics metrics = run_guarded(b.get(), registry, options);
  REQUIRE(metrics.status == RunStatus::Ok);
  check_invariants(b.get(), metrics);
  // One message a millisecond from 0 until the stop at 10 s, which ends the
  // run: the last message was delivered at 9.9995 s.
  CHECK(source_balance(metrics, "s").produced == 10000);
  CHECK(metrics.elapsed_s == Approx(10.0).margin(1e-9));
  REQUIRE(reported_at.size() == 9);
  for (std::size_t i = 0; i < reported_at.size(); ++i) CHECK(reported_at[i] == Approx(i + 1.0).margin(1e-9));
}

TEST_CASE("under the virtual clock spin holds a worker slot, not a thread", "[runtime][virtual]") {
  auto registry = test_registry();
  PipelineBuilder b;
  auto s = b.source("s", generate(40));
  auto w = b.stage("w", {call("spin", {{"duration", Duration{100ms}}})}, 4);
  auto k = b.sink("k", {call("discard")});
  b.edge(s, w, 40);
  b.edge(w, k, 40);
  b.clock(ClockKind::Virtual);
  RunOptions options;
  options.threads = 1;  // what a real run would be bound by; a virtual one is not
  RunMetrics metrics = run_guarded(b.get(), registry, options);
  REQUIRE(metrics.status == RunStatus::Ok);
  // Four workers serve ten rounds of 100 ms.
  CHECK(metrics.elapsed_s == Approx(1.0).margin(1e-9));
  CHECK(node_metrics(metrics, "w").busy == Approx(1.0));
}

TEST_CASE("under the virtual clock throttle and batch's within wait in simulated time", "[runtime][virtual]") {
  auto registry = test_registry();
  PipelineBuilder b;
  auto s = b.source("s", generate(50));
  auto t = b.stage("t", {call("throttle", {{"rate", Rate{100}}})});
  auto batch = call("batch", {{"max", std::int64_t{1000}}, {"within", Duration{95ms}}});
  auto k = b.sink("k", {batch, call("discard")});
  b.edge(s, t, 64);
  b.edge(t, k, 64);
  b.clock(ClockKind::Virtual);
  RunMetrics metrics = run_guarded(b.get(), registry);
  INFO(metrics.error.value_or(""));
  REQUIRE(metrics.status == RunStatus::Ok);
  // All 50 are made at 0 and leave the throttle 10 ms apart: the last at
  // 490 ms. A batch opens with its first message and goes 95 ms later, at
  // 95, 195, 295 and 395 ms with 10 messages each; the last, opened at 400 ms,
  // goes at the end of input, at 490 ms.
  CHECK(metrics.elapsed_s == Approx(0.49).margin(1e-9));
  CHECK(sink_metrics(metrics, "k").delivered == 50);
  double mean = (10 * (0.095 + 0.195 + 0.295 + 0.395) + 10 * 0.49) / 50;
  CHECK(metrics.latency_mean_s == Approx(mean).margin(1e-9));
}

TEST_CASE("an interrupt ends a virtual run", "[runtime][virtual]") {
  auto registry = test_registry();
  PipelineBuilder b;
  auto s = b.source("s", generate(-1, 100.0));
  auto k = b.sink("k", {delay(Duration{1ms}), call("discard")});
  b.edge(s, k, 4);
  b.clock(ClockKind::Virtual);
  std::atomic<bool> interrupt{false};
  RunOptions options;
  options.interrupt = &interrupt;
  options.report_every = 1s;
  // Raised from the report callback, at simulated second 3.
  options.on_report = [&](const RunMetrics& live) {
    if (live.elapsed_s >= 3) interrupt = true;
  };
  RunMetrics metrics = run_guarded(b.get(), registry, options);
  REQUIRE(metrics.status == RunStatus::Interrupted);
  check_invariants(b.get(), metrics);
  CHECK(metrics.elapsed_s >= 3);
}

TEST_CASE("an interrupt ends a virtual run that never lets time pass", "[runtime][virtual]") {
  // Nothing here waits on a timer, so the clock never moves and no report or
  // duration could stop the run: only the interrupt can, from outside.
  auto registry = test_registry();
  PipelineBuilder b;
  auto s = b.source("s", generate(-1));
  auto k = b.sink("k", {call("discard")});
  b.edge(s, k, 4);
  b.clock(ClockKind::Virtual);
  std::atomic<bool> interrupt{false};
  RunOptions options;
  options.interrupt = &interrupt;
  std::thread user([&] {
    std::this_thread::sleep_for(50ms);  // a user's Ctrl-C, some time into the run
    interrupt = true;
  });
  RunMetrics metrics = run_guarded(b.get(), registry, options);
  user.join();
  REQUIRE(metrics.status == RunStatus::Interrupted);
  check_invariants(b.get(), metrics);
  CHECK(metrics.elapsed_s == 0);
  CHECK(sink_metrics(metrics, "k").delivered > 0);
}

TEST_CASE("under the virtual clock a report finer than the events comes once per event",
          "[runtime][virtual]") {
  // Once, every simulated nanosecond was a report: 90 million of them here.
  auto registry = test_registry();
  PipelineBuilder b;
  auto s = b.source("s", generate(10, 100.0));
  auto k = b.sink("k", {call("discard")});
  b.edge(s, k, 4);
  b.clock(ClockKind::Virtual);
  RunOptions options;
  options.report_every = 1ns;
  std::vector<double> reported_at;
  options.on_report = [&](const RunMetrics& live) { reported_at.push_back(live.elapsed_s); };
  RunMetrics metrics = run_guarded(b.get(), registry, options, 20s);
  REQUIRE(metrics.status == RunStatus::Ok);
  check_invariants(b.get(), metrics);
  // A message every 10 ms from 0: the run ends with the tenth, at 90 ms.
  CHECK(metrics.elapsed_s == Approx(0.09).margin(1e-9));
  // The first report is due at 1 ns; nothing happens until the source's
  // timer at 10 ms, so the next one comes then, and so on: one after each
  // timer, but the last, which ends the run.
  REQUIRE(reported_at.size() == 9);
  CHECK(reported_at[0] == Approx(1e-9).margin(1e-12));
  for (std::size_t i = 1; i < reported_at.size(); ++i) CHECK(reported_at[i] == Approx(0.01 * i).margin(1e-9));
}

TEST_CASE("an interrupt ends a virtual run that reports every nanosecond", "[runtime][virtual]") {
  // The drain after an interrupt needs simulated time; when each nanosecond
  // of it was a report, the run never came to its end.
  auto registry = test_registry();
  PipelineBuilder b;
  auto s = b.source("s", generate(-1, 1000.0));
  auto k = b.sink("k", {delay(Duration{1ms}), call("discard")});
  b.edge(s, k, 4);
  b.clock(ClockKind::Virtual);
  std::atomic<bool> interrupt{false};
  RunOptions options;
  options.interrupt = &interrupt;
  options.report_every = 1ns;
  std::size_t reports = 0;
  options.on_report = [&](const RunMetrics& live) {
    ++reports;
    if (live.elapsed_s >= 1) interrupt = true;
  };
  RunMetrics metrics = run_guarded(b.get(), registry, options, 20s);
  REQUIRE(metrics.status == RunStatus::Interrupted);
  check_invariants(b.get(), metrics);
  CHECK(metrics.elapsed_s >= 1);
  // Two timers a simulated millisecond (the next message, the delay's end),
  // at most one report each, for the time until the interrupt was seen.
  CHECK(static_cast<double>(reports) <= 2000 * metrics.elapsed_s + 1);
}
