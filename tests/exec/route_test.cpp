// Labeled outputs in the runtime (docs/routing.md): each message leaves by
// the label its node's router picked, only on the edges of that label;
// what no label takes is counted filtered; a full block output stops the
// node (head-of-line, as a tokio task awaiting send), a full drop_newest
// output drops only its own. The router here is route_mod (by number), so
// the mechanism is tested apart from expressions.
#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "support.hpp"

namespace flow::test {
namespace {

std::vector<long> numbers_where(long count, const std::function<bool(long)>& keep) {
  std::vector<long> out;
  for (long n = 0; n < count; ++n) {
    if (keep(n)) out.push_back(n);
  }
  return out;
}

/// s -> r (labels a, b, plus `extra` edges from a) -> one collect sink per edge.
struct Routed {
  PipelineBuilder b;
  NodeId s, r;
  std::vector<NodeId> sinks;
  EdgeId labeled(NodeId to, const std::string& label, std::optional<std::uint64_t> capacity = 8,
                 Overflow policy = Overflow::Block) {
    auto id = b.edge(r, to, capacity, policy);
    b.edge_at(id).output = label;
    return id;
  }
};

}  // namespace

TEST_CASE(
    "a route sends each message by the label it picked, in order, and counts what none took as filtered",
    "[runtime][route]") {
  auto seen = std::make_shared<Recorder>();
  auto registry = test_registry(seen);
  const long count = 1000;
  PipelineBuilder b;
  auto s = b.source("s", call("numbers", {{"count", std::int64_t{count}}}));
  // k=3 with two labels: n % 3 == 2 matches none.
  auto r = b.stage("r", {call("route_mod", {{"k", std::int64_t{3}}, {"labels", std::int64_t{2}}})}, 2);
  b.node(r).output_labels = {"a", "b"};
  auto ka = b.sink("ka", {call("collect", {{"sink", std::int64_t{0}}})});
  auto kb = b.sink("kb", {call("collect", {{"sink", std::int64_t{1}}})});
  b.edge(s, r, 16);
  // Declared b first: the label, not the edge's place, decides.
  b.edge_at(b.edge(r, kb, 4)).output = "b";
  b.edge_at(b.edge(r, ka, 4)).output = "a";
  auto metrics = run_guarded(b.get(), registry);
  REQUIRE(metrics.status == RunStatus::Ok);
  check_invariants(b.get(), metrics);
  auto want_a = numbers_where(count, [](long n) { return n % 3 == 0; });
  auto want_b = numbers_where(count, [](long n) { return n % 3 == 1; });
  // Two workers of r, yet each edge is fed in order: r is not ordered, so compare as sets and check order
  // apart.
  auto got_a = seen->collected[0];
  auto got_b = seen->collected[1];
  std::sort(got_a.begin(), got_a.end());
  std::sort(got_b.begin(), got_b.end());
  CHECK(got_a == want_a);
  CHECK(got_b == want_b);
  const auto unmatched = static_cast<std::uint64_t>(count - static_cast<long>(want_a.size() + want_b.size()));
  CHECK(node_metrics(metrics, "r").filtered == unmatched);
  CHECK(node_metrics(metrics, "r").out == want_a.size() + want_b.size());
  CHECK(edge_metrics(metrics, "r", "ka").in == want_a.size());
  CHECK(edge_metrics(metrics, "r", "kb").in == want_b.size());
  CHECK(source_balance(metrics, "s").filtered == unmatched);
}

TEST_CASE("one worker of a route keeps each output's order", "[runtime][route]") {
  auto seen = std::make_shared<Recorder>();
  auto registry = test_registry(seen);
  PipelineBuilder b;
  auto s = b.source("s", call("numbers", {{"count", std::int64_t{600}}}));
  auto r = b.stage("r", {call("route_mod", {{"k", std::int64_t{2}}})});
  b.node(r).output_labels = {"even", "odd"};
  auto ke = b.sink("ke", {call("collect", {{"sink", std::int64_t{0}}})});
  auto ko = b.sink("ko", {call("collect", {{"sink", std::int64_t{1}}})});
  b.edge(s, r, 8);
  b.edge_at(b.edge(r, ke, 3)).output = "even";
  b.edge_at(b.edge(r, ko, 5)).output = "odd";
  auto metrics = run_guarded(b.get(), registry);
  REQUIRE(metrics.status == RunStatus::Ok);
  check_invariants(b.get(), metrics);
  CHECK(seen->collected[0] == numbers_where(600, [](long n) { return n % 2 == 0; }));
  CHECK(seen->collected[1] == numbers_where(600, [](long n) { return n % 2 == 1; }));
}

TEST_CASE("several edges from one label each get all of its messages", "[runtime][route]") {
  auto seen = std::make_shared<Recorder>();
  auto registry = test_registry(seen);
  PipelineBuilder b;
  auto s = b.source("s", call("numbers", {{"count", std::int64_t{300}}}));
  auto r = b.stage("r", {call("route_mod", {{"k", std::int64_t{3}}})});
  b.node(r).output_labels = {"a", "b", "c"};
  std::vector<NodeId> sinks;
  for (std::int64_t k = 0; k < 4; ++k)
    sinks.push_back(b.sink(fmt::format("k{}", k), {call("collect", {{"sink", k}})}));
  b.edge(s, r, 8);
  b.edge_at(b.edge(r, sinks[0], 4)).output = "a";
  b.edge_at(b.edge(r, sinks[1], 4)).output = "a";
  b.edge_at(b.edge(r, sinks[2], 4)).output = "b";
  b.edge_at(b.edge(r, sinks[3], 4)).output = "c";
  auto metrics = run_guarded(b.get(), registry);
  REQUIRE(metrics.status == RunStatus::Ok);
  check_invariants(b.get(), metrics);
  auto want_a = numbers_where(300, [](long n) { return n % 3 == 0; });
  CHECK(seen->collected[0] == want_a);
  CHECK(seen->collected[1] == want_a);
  CHECK(seen->collected[2] == numbers_where(300, [](long n) { return n % 3 == 1; }));
  CHECK(seen->collected[3] == numbers_where(300, [](long n) { return n % 3 == 2; }));
  // The copy for the second edge of a is a message of its own: 300 made, 400 delivered.
  CHECK(source_balance(metrics, "s").delivered == 400);
}

TEST_CASE("a full block output stops the whole route node: head-of-line, as one tokio task awaiting send",
          "[runtime][route]") {
  // Virtual clock: the first 10 numbers go to a sink that takes 10 ms each
  // behind an edge of 1; the 90 after them go to a sink that takes no time.
  // The route reserves room on every block output before it takes, so the
  // 11th message waits until a's edge has room for it too: b's first
  // delivery comes after a has taken 9 (≥ 80 ms of its time), though b
  // itself was free all along.
  auto seen = std::make_shared<Recorder>();
  auto registry = test_registry(seen);
  PipelineBuilder b;
  b.clock(ClockKind::Virtual);
  auto s = b.source("s", call("numbers", {{"count", std::int64_t{100}}}));
  auto r = b.stage("r", {call("route_below", {{"n", std::int64_t{10}}})});
  b.node(r).output_labels = {"a", "b"};
  auto ka = b.sink(
      "ka", {call("wait_us", {{"us", std::int64_t{10000}}}), call("collect", {{"sink", std::int64_t{0}}})});
  auto kb = b.sink("kb", {call("collect", {{"sink", std::int64_t{1}}})});
  b.edge(s, r, 100);  // the source makes all 100 at once, at time 0
  b.edge_at(b.edge(r, ka, 1)).output = "a";
  b.edge_at(b.edge(r, kb, 100)).output = "b";
  auto metrics = run_guarded(b.get(), registry);
  REQUIRE(metrics.status == RunStatus::Ok);
  check_invariants(b.get(), metrics);
  CHECK(seen->collected[0] == numbers_where(100, [](long n) { return n < 10; }));
  CHECK(seen->collected[1] == numbers_where(100, [](long n) { return n >= 10; }));
  // Every b message was made at 0 and waited for a: at least 8 of a's 10 ms waits.
  const auto& b_latency = sink_metrics(metrics, "kb");
  CHECK(b_latency.latency_p50_s >= 0.080);
  CHECK(edge_metrics(metrics, "r", "ka").blocked_s > 0);
}

TEST_CASE("a full drop_newest output drops only what goes to it; the others get every message",
          "[runtime][route]") {
  auto seen = std::make_shared<Recorder>();
  auto registry = test_registry(seen);
  PipelineBuilder b;
  b.clock(ClockKind::Virtual);
  const long count = 400;
  auto s = b.source("s", call("numbers", {{"count", std::int64_t{count}}}));
  auto r = b.stage("r", {call("route_mod", {{"k", std::int64_t{2}}})});
  b.node(r).output_labels = {"slow", "fast"};
  auto slow = b.sink(
      "slow", {call("wait_us", {{"us", std::int64_t{1000}}}), call("collect", {{"sink", std::int64_t{0}}})});
  auto fast = b.sink("fast", {call("collect", {{"sink", std::int64_t{1}}})});
  b.edge(s, r, 64);
  b.edge_at(b.edge(r, slow, 2, Overflow::DropNewest)).output = "slow";
  b.edge_at(b.edge(r, fast, 8)).output = "fast";
  auto metrics = run_guarded(b.get(), registry);
  REQUIRE(metrics.status == RunStatus::Ok);
  check_invariants(b.get(), metrics);
  CHECK(seen->collected[1] == numbers_where(count, [](long n) { return n % 2 == 1; }));
  const auto& to_slow = edge_metrics(metrics, "r", "slow");
  CHECK(to_slow.in == static_cast<std::uint64_t>(count / 2));
  CHECK(to_slow.dropped > 0);
  CHECK(to_slow.out == seen->collected[0].size());
  CHECK(edge_metrics(metrics, "r", "fast").dropped == 0);
  CHECK(source_balance(metrics, "s").dropped == to_slow.dropped);
  // What the slow sink got is in order: a drop takes the newest, never reorders.
  CHECK(std::is_sorted(seen->collected[0].begin(), seen->collected[0].end()));
}

TEST_CASE("a router that gives no label for a message fails the run naming the node", "[runtime][route]") {
  auto registry = test_registry();
  PipelineBuilder b;
  auto s = b.source("s", call("numbers", {{"count", std::int64_t{10}}}));
  // Picks labels 0..2, but the node has two.
  auto r = b.stage("r", {call("route_mod", {{"k", std::int64_t{3}}})});
  b.node(r).output_labels = {"a", "b"};
  auto ka = b.sink("ka", {call("drain")});
  auto kb = b.sink("kb", {call("drain")});
  b.edge(s, r);
  b.edge_at(b.edge(r, ka)).output = "a";
  b.edge_at(b.edge(r, kb)).output = "b";
  auto metrics = run_guarded(b.get(), registry);
  CHECK(metrics.status == RunStatus::Failed);
  CHECK_THAT(metrics.error.value_or(""), Catch::Contains("stage r failed") && Catch::Contains("of 2 labels"));
}

}  // namespace flow::test
