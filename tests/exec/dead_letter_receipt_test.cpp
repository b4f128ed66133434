// The receipt rule of dead-letter routes (docs/dead_letters.md, "Receipts and
// checkpoints"): a routed message is not lost, and delivered at the
// dead-letter sink it counts as delivered; dropped on a full dead-letter edge,
// or failed at the route's target, it is lost. Every message of numbers(receipts=1)
// carries a receipt that records, once done, whether it was lost.
#include <catch2/catch.hpp>

#include <set>

#include "support.hpp"

namespace flow::test {
namespace {

constexpr std::int64_t kMessages = 100;

std::set<long> numbers_from(long from, long to, long step = 1) {
  std::set<long> out;
  for (long n = from; n < to; n += step) out.insert(n);
  return out;
}

/// Receipts told, lost and whole: every message's receipt is told exactly once.
struct Told {
  std::set<long> lost;
  std::set<long> whole;
};

Told told(Recorder& recorder) {
  std::lock_guard lock(recorder.mutex);
  return {recorder.receipts_lost, recorder.receipts_whole};
}

void check_each_told_once(const Told& receipts) {
  CHECK(receipts.lost.size() + receipts.whole.size() == static_cast<std::size_t>(kMessages));
  std::set<long> all = receipts.lost;
  all.insert(receipts.whole.begin(), receipts.whole.end());
  CHECK(all == numbers_from(0, kMessages));
}

// s pulls its 100 messages at once into an edge of 10: 90 are dropped, and go
// to dlq when `route_capacity` is set.
RunMetrics run_dropping(std::optional<std::uint64_t> route_capacity, const std::shared_ptr<Recorder>& seen) {
  auto registry = test_registry(seen);
  PipelineBuilder b;
  auto s = b.source("s", call("numbers", {{"count", kMessages}, {"receipts", std::int64_t{1}}}));
  auto k = b.sink("k", {call("drain")});
  auto e = b.edge(s, k, 10, Overflow::DropNewest);
  if (route_capacity) {
    auto dlq = b.sink("dlq", {call("record")});
    b.edge_at(e).dropped_to = dlq;
    b.route(s, dlq, *route_capacity);
  }
  auto metrics = run_guarded(b.get(), registry, {});
  check_invariants(b.get(), metrics);
  return metrics;
}

}  // namespace

TEST_CASE("what an edge drops with no route is lost", "[runtime][dead_letter][receipt]") {
  auto seen = std::make_shared<Recorder>();
  auto metrics = run_dropping(std::nullopt, seen);
  REQUIRE(metrics.status == RunStatus::Ok);
  auto receipts = told(*seen);
  check_each_told_once(receipts);
  CHECK(receipts.whole == numbers_from(0, 10));
  CHECK(receipts.lost == numbers_from(10, kMessages));
}

TEST_CASE("what an edge drops and its route delivers is not lost", "[runtime][dead_letter][receipt]") {
  auto seen = std::make_shared<Recorder>();
  auto metrics = run_dropping(256, seen);
  REQUIRE(metrics.status == RunStatus::Ok);
  REQUIRE(sink_metrics(metrics, "dlq").delivered == 90);
  auto receipts = told(*seen);
  check_each_told_once(receipts);
  CHECK(receipts.lost.empty());
}

TEST_CASE("what a full dead-letter edge drops is lost, and only that", "[runtime][dead_letter][receipt]") {
  auto seen = std::make_shared<Recorder>();
  auto metrics = run_dropping(5, seen);
  REQUIRE(metrics.status == RunStatus::Ok);
  const auto& route = edge_metrics(metrics, "s", "dlq");
  auto receipts = told(*seen);
  check_each_told_once(receipts);
  CHECK(receipts.lost.size() == route.dropped);
  CHECK(receipts.whole.size() == 10 + route.out);
  // What the route delivered is whole: the dlq sink saw exactly those.
  std::set<long> delivered;
  for (const auto& payload : seen->copy_payloads()) delivered.insert(number_of(payload));
  CHECK(delivered.size() == route.out);
  for (long n : delivered) CHECK(receipts.whole.count(n) == 1);
}

TEST_CASE("a routed message that fails again at the route's target is lost",
          "[runtime][dead_letter][receipt]") {
  // m fails on multiples of 7 and routes them to dlq; dlq fails (and skips) the even ones.
  auto seen = std::make_shared<Recorder>();
  auto registry = test_registry(seen);
  PipelineBuilder b;
  auto s = b.source("s", call("numbers", {{"count", kMessages}, {"receipts", std::int64_t{1}}}));
  auto m = b.stage("m", {call("fail_mod", {{"k", std::int64_t{7}}})}, 2);
  auto k = b.sink("k", {call("drain")});
  auto dlq = b.stage("dlq", {call("fail_mod", {{"k", std::int64_t{2}}})});
  auto store = b.sink("store", {call("drain")});
  b.edge(s, m, 4);
  b.edge(m, k, 4);
  b.edge(dlq, store, 4);
  b.node(m).on_error = OnError::DeadLetter;
  b.node(m).errors_to = dlq;
  b.route(m, dlq);
  b.node(dlq).on_error = OnError::Skip;
  auto metrics = run_guarded(b.get(), registry, {});
  REQUIRE(metrics.status == RunStatus::Ok);
  check_invariants(b.get(), metrics);
  CHECK(sink_metrics(metrics, "store").delivered == 7);  // 7, 21, ..., 91
  auto receipts = told(*seen);
  check_each_told_once(receipts);
  CHECK(receipts.lost == numbers_from(0, kMessages, 14));
}

TEST_CASE("what expires and goes along its expired route is not lost; shed without one, it is",
          "[runtime][deadline][receipt]") {
  bool routed = GENERATE(false, true);
  // 100 messages made at 0 s in front of a 1 ms consumer, under the virtual
  // clock: with a deadline of 20.5 ms the first 21 pass and the rest expire.
  auto seen = std::make_shared<Recorder>();
  auto registry = test_registry(seen);
  PipelineBuilder b;
  b.clock(ClockKind::Virtual);
  auto s = b.source("s", call("numbers", {{"count", kMessages}, {"receipts", std::int64_t{1}}}));
  auto m = b.stage("m", {call("wait_us", {{"us", std::int64_t{1000}}})});
  auto k = b.sink("k", {call("drain")});
  auto in = b.edge(s, m, 1000);
  b.edge(m, k, 8);
  b.edge_at(in).deadline = Duration{std::chrono::microseconds(20500)};
  if (routed) {
    auto late = b.sink("late", {call("drain")});
    b.route(m, late);
    b.edge_at(in).expired_to = late;
  }
  auto metrics = run_guarded(b.get(), registry, {});
  REQUIRE(metrics.status == RunStatus::Ok);
  check_invariants(b.get(), metrics);
  REQUIRE(edge_metrics(metrics, "s", "m").out == 21);
  auto receipts = told(*seen);
  check_each_told_once(receipts);
  CHECK(receipts.lost == (routed ? std::set<long>{} : numbers_from(21, kMessages)));
}

}  // namespace flow::test
