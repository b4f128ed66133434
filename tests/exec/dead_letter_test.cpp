// Dead-letter routes in the runtime (docs/dead_letters.md): what an edge
// drops and what a node fails on goes on to another node, counted exactly.
#include <catch2/catch.hpp>

#include <algorithm>

#include "support.hpp"

namespace flow::test {
namespace {

/// Numbers that are multiples of `k` in [from, to).
std::vector<std::string> multiples(long k, long from, long to) {
  std::vector<std::string> out;
  for (long n = from; n < to; ++n) {
    if (n % k == 0) out.push_back(std::to_string(n));
  }
  return out;
}

std::vector<std::string> range(long from, long to) {
  return multiples(1, from, to);
}

std::vector<std::string> sorted(std::vector<std::string> payloads) {
  std::sort(payloads.begin(), payloads.end(),
            [](const auto& a, const auto& b) { return std::stol(a) < std::stol(b); });
  return payloads;
}

// s pulls its 100 messages at once (its edge gives no credit), the edge keeps
// 10 and drops 90: which 90 depends on the policy.
RunMetrics run_dropping(Overflow policy, std::uint64_t route_capacity, const std::shared_ptr<Recorder>& seen,
                        Pipeline& pipeline) {
  auto registry = test_registry(seen);
  PipelineBuilder b;
  auto s = b.source("s", call("numbers", {{"count", std::int64_t{100}}}));
  auto k = b.sink("k", {call("drain")});
  auto dlq = b.sink("dlq", {call("record")});
  auto e = b.edge(s, k, 10, policy);
  b.edge_at(e).dropped_to = dlq;
  b.route(s, dlq, route_capacity);
  pipeline = b.get();
  return run_guarded(pipeline, registry, {});
}

}  // namespace

TEST_CASE("what drop_newest drops goes along its dropped route", "[runtime][dead_letter]") {
  auto seen = std::make_shared<Recorder>();
  Pipeline pipeline;
  auto metrics = run_dropping(Overflow::DropNewest, 256, seen, pipeline);
  REQUIRE(metrics.status == RunStatus::Ok);
  check_invariants(pipeline, metrics);
  const auto& edge = edge_metrics(metrics, "s", "k");
  CHECK(edge.dropped == 90);
  CHECK(edge.dead_lettered == 90);
  CHECK(sink_metrics(metrics, "k").delivered == 10);
  CHECK(sink_metrics(metrics, "dlq").delivered == 90);
  const auto& balance = source_balance(metrics, "s");
  CHECK(balance.delivered == 10);
  CHECK(balance.dead_lettered == 90);
  CHECK(balance.dropped == 0);
  CHECK(seen->copy_payloads() == range(10, 100));  // the newest, in order
  CHECK(edge_metrics(metrics, "s", "dlq").dead_letter);
}

TEST_CASE("what drop_oldest evicts goes along its dropped route", "[runtime][dead_letter]") {
  auto seen = std::make_shared<Recorder>();
  Pipeline pipeline;
  auto metrics = run_dropping(Overflow::DropOldest, 256, seen, pipeline);
  REQUIRE(metrics.status == RunStatus::Ok);
  check_invariants(pipeline, metrics);
  CHECK(edge_metrics(metrics, "s", "k").dead_lettered == 90);
  CHECK(source_balance(metrics, "s").dead_lettered == 90);
  CHECK(source_balance(metrics, "s").delivered == 10);
  CHECK(seen->copy_payloads() == range(0, 90));  // the oldest, in order
}

TEST_CASE("a full dead-letter edge drops what does not fit and counts it there", "[runtime][dead_letter]") {
  auto seen = std::make_shared<Recorder>();
  Pipeline pipeline;
  auto metrics = run_dropping(Overflow::DropNewest, 5, seen, pipeline);
  REQUIRE(metrics.status == RunStatus::Ok);
  check_invariants(pipeline, metrics);
  // 90 routed at once into room for 5: 85 are dropped on the route itself.
  const auto& route = edge_metrics(metrics, "s", "dlq");
  CHECK(route.in == 90);
  CHECK(route.out == 5);
  CHECK(route.dropped == 85);
  CHECK(edge_metrics(metrics, "s", "k").dead_lettered == 90);
  const auto& balance = source_balance(metrics, "s");
  CHECK(balance.delivered == 10);
  CHECK(balance.dead_lettered == 5);
  CHECK(balance.dropped == 85);
}

TEST_CASE("messages an operator reports failed go to on_error's node, through a stage to a sink",
          "[runtime][dead_letter]") {
  int threads = GENERATE(1, 2);
  auto seen = std::make_shared<Recorder>();
  auto registry = test_registry(seen);
  PipelineBuilder b;
  auto s = b.source("s", call("numbers", {{"count", std::int64_t{100}}}));
  auto m = b.stage("m", {call("fail_mod", {{"k", std::int64_t{7}}})}, 2);
  auto k = b.sink("k", {call("drain")});
  auto dlq = b.stage("dlq", {call("pass")});
  auto store = b.sink("store", {call("record")});
  b.edge(s, m, 4);
  b.edge(m, k, 4);
  b.edge(dlq, store, 4);
  b.node(m).on_error = OnError::DeadLetter;
  b.node(m).errors_to = dlq;
  b.route(m, dlq);
  RunOptions options;
  options.threads = threads;
  auto metrics = run_guarded(b.get(), registry, options);
  REQUIRE(metrics.status == RunStatus::Ok);
  check_invariants(b.get(), metrics);
  CHECK(node_metrics(metrics, "m").errors == 15);  // 0, 7, ..., 98
  CHECK(node_metrics(metrics, "m").dead_lettered == 15);
  CHECK(sink_metrics(metrics, "k").delivered == 85);
  CHECK(sink_metrics(metrics, "store").delivered == 15);
  const auto& balance = source_balance(metrics, "s");
  CHECK(balance.delivered == 85);
  CHECK(balance.dead_lettered == 15);
  CHECK(balance.errors == 0);
  CHECK(sorted(seen->copy_payloads()) == multiples(7, 0, 100));
}

TEST_CASE("a call that throws sends its input on to on_error's node", "[runtime][dead_letter]") {
  // wait_us after error_mod makes the node take one message per unit: exactly the failing ones go.
  bool one_by_one = GENERATE(true, false);
  auto seen = std::make_shared<Recorder>();
  auto registry = test_registry(seen);
  PipelineBuilder b;
  auto s = b.source("s", call("numbers", {{"count", std::int64_t{100}}}));
  std::vector<OperatorCall> chain{call("error_mod", {{"k", std::int64_t{7}}})};
  if (one_by_one) chain.push_back(call("wait_us", {{"us", std::int64_t{1}}}));
  auto m = b.stage("m", chain);
  auto k = b.sink("k", {call("drain")});
  auto dlq = b.sink("dlq", {call("record")});
  b.edge(s, m, 16);
  b.edge(m, k, 16);
  b.node(m).on_error = OnError::DeadLetter;
  b.node(m).errors_to = dlq;
  b.route(m, dlq);
  auto metrics = run_guarded(b.get(), registry, {});
  REQUIRE(metrics.status == RunStatus::Ok);
  check_invariants(b.get(), metrics);
  auto routed = sorted(seen->copy_payloads());
  const auto& balance = source_balance(metrics, "s");
  CHECK(balance.dead_lettered == routed.size());
  CHECK(balance.delivered + balance.dead_lettered == 100);
  CHECK(node_metrics(metrics, "m").errors == routed.size());
  if (one_by_one) {
    CHECK(routed == multiples(7, 0, 100));
  } else {
    // Whole chunks go: every multiple of 7 among them, none delivered twice.
    auto wanted = multiples(7, 0, 100);
    CHECK(std::includes(routed.begin(), routed.end(), wanted.begin(), wanted.end(),
                        [](const auto& a, const auto& b) { return std::stol(a) < std::stol(b); }));
  }
}

}  // namespace flow::test
