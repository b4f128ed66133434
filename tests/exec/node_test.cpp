// Node attributes: workers, ordered, fan-out, fan-in, on_error, fused chains.
#include <catch2/catch.hpp>
#include <algorithm>
#include <numeric>
#include <regex>
#include <set>

#include "support.hpp"

using namespace flow;
using namespace flow::test;

TEST_CASE("broadcast copies every message to every output and the balance counts the copies", "[runtime][node]") {
  int threads = GENERATE(1, 2, 4);
  auto registry = test_registry();
  PipelineBuilder b;
  auto s = b.source("s", call("numbers", {{"count", std::int64_t{500}}}));
  auto k1 = b.sink("k1", {call("drain")});
  auto k2 = b.sink("k2", {call("drain")});
  auto k3 = b.sink("k3", {call("drain")});
  for (auto k : {k1, k2, k3}) b.edge(s, k, 4);
  RunOptions options;
  options.threads = threads;
  RunMetrics metrics = run_guarded(b.get(), registry, options);
  REQUIRE(metrics.status == RunStatus::Ok);
  check_invariants(b.get(), metrics);
  for (const char* k : {"k1", "k2", "k3"}) CHECK(sink_metrics(metrics, k).delivered == 500);
  CHECK(source_balance(metrics, "s").produced == 1500);
  CHECK(node_metrics(metrics, "s").in == 500);
}

TEST_CASE("round_robin deals messages out in turn", "[runtime][node]") {
  int threads = GENERATE(1, 2, 4);
  auto registry = test_registry();
  PipelineBuilder b;
  auto s = b.source("s", call("numbers", {{"count", std::int64_t{600}}}));
  b.node(s).fanout = Fanout::RoundRobin;
  auto k1 = b.sink("k1", {call("drain")});
  auto k2 = b.sink("k2", {call("drain")});
  auto k3 = b.sink("k3", {call("drain")});
  for (auto k : {k1, k2, k3}) b.edge(s, k, 4);
  RunOptions options;
  options.threads = threads;
  RunMetrics metrics = run_guarded(b.get(), registry, options);
  REQUIRE(metrics.status == RunStatus::Ok);
  check_invariants(b.get(), metrics);
  for (const char* k : {"k1", "k2", "k3"}) CHECK(sink_metrics(metrics, k).delivered == 200);
  CHECK(source_balance(metrics, "s").produced == 600);
}

TEST_CASE("fan-in merges every input", "[runtime][node]") {
  int threads = GENERATE(1, 2, 4);
  auto registry = test_registry();
  PipelineBuilder b;
  auto s1 = b.source("s1", call("numbers", {{"count", std::int64_t{300}}}));
  auto s2 = b.source("s2", call("numbers", {{"count", std::int64_t{500}}}));
  auto m = b.stage("m", {call("pass")});
  auto k = b.sink("k", {call("drain")});
  b.edge(s1, m, 3);
  b.edge(s2, m, 3);
  b.edge(m, k, 3);
  RunOptions options;
  options.threads = threads;
  RunMetrics metrics = run_guarded(b.get(), registry, options);
  REQUIRE(metrics.status == RunStatus::Ok);
  check_invariants(b.get(), metrics);
  CHECK(sink_metrics(metrics, "k").delivered == 800);
  CHECK(source_balance(metrics, "s1").delivered == 300);
  CHECK(source_balance(metrics, "s2").delivered == 500);
}

TEST_CASE("ordered emits in input order with several workers, filtered messages included", "[runtime][node]") {
  int threads = GENERATE(1, 2, 4);
  auto recorder = std::make_shared<Recorder>();
  auto registry = test_registry(recorder);
  PipelineBuilder b;
  auto s = b.source("s", call("numbers", {{"count", std::int64_t{200}}}));
  auto m = b.stage("m", {call("filter_mod", {{"k", std::int64_t{3}}}), call("wait_mod", {{"us", std::int64_t{300}}})}, 4);
  b.node(m).ordered = true;
  auto k = b.sink("k", {call("record")});
  b.edge(s, m, 8);
  b.edge(m, k, 8);
  RunOptions options;
  options.threads = threads;
  RunMetrics metrics = run_guarded(b.get(), registry, options);
  REQUIRE(metrics.status == RunStatus::Ok);
  check_invariants(b.get(), metrics);
  auto payloads = recorder->copy_payloads();
  REQUIRE(payloads.size() == 200 - 67);
  for (std::size_t i = 1; i < payloads.size(); ++i) {
    INFO("position " << i);
    REQUIRE(number_of(payloads[i - 1]) < number_of(payloads[i]));
  }
  CHECK(node_metrics(metrics, "m").filtered == 67);
  CHECK(source_balance(metrics, "s").filtered == 67);
}

TEST_CASE("an ordered node batches in input order what its workers finish out of order", "[runtime][node]") {
  // Found by the order property (soak seed 100291): the waits end out of
  // order, and batch, shared by the workers, kept messages as they came.
  int threads = GENERATE(1, 2, 4);
  auto recorder = std::make_shared<Recorder>();
  auto registry = test_registry(recorder);
  PipelineBuilder b;
  auto s = b.source("s", call("numbers", {{"count", std::int64_t{200}}}));
  auto m = b.stage("m", {call("wait_mod", {{"us", std::int64_t{300}}}),
                         call("batch", {{"max", std::int64_t{7}}, {"within", Duration{std::chrono::milliseconds(2)}}}),
                         call("wait_us", {{"us", std::int64_t{100}}})},
                   4);
  b.node(m).ordered = true;
  auto k = b.sink("k", {call("record")});
  b.edge(s, m, 8);
  b.edge(m, k, 8);
  RunOptions options;
  options.threads = threads;
  RunMetrics metrics = run_guarded(b.get(), registry, options);
  REQUIRE(metrics.status == RunStatus::Ok);
  check_invariants(b.get(), metrics);
  auto payloads = recorder->copy_payloads();
  REQUIRE(payloads.size() == 200);
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    INFO("position " << i);
    REQUIRE(number_of(payloads[i]) == static_cast<long>(i));
  }
}

TEST_CASE("without ordered, workers finish out of order but nothing is lost", "[runtime][node]") {
  auto recorder = std::make_shared<Recorder>();
  auto registry = test_registry(recorder);
  PipelineBuilder b;
  auto s = b.source("s", call("numbers", {{"count", std::int64_t{100}}}));
  auto m = b.stage("m", {call("wait_mod", {{"us", std::int64_t{500}}})}, 4);
  auto k = b.sink("k", {call("record")});
  b.edge(s, m, 8);
  b.edge(m, k, 8);
  RunMetrics metrics = run_guarded(b.get(), registry, {});
  REQUIRE(metrics.status == RunStatus::Ok);
  auto payloads = recorder->copy_payloads();
  std::set<long> seen;
  for (const auto& p : payloads) seen.insert(number_of(p));
  CHECK(seen.size() == 100);
  CHECK_FALSE(std::is_sorted(payloads.begin(), payloads.end(),
                             [](const auto& a, const auto& b) { return number_of(a) < number_of(b); }));
}

TEST_CASE("on_error fail stops the run naming the node, the message and the cause", "[runtime][node]") {
  int threads = GENERATE(1, 2);
  auto registry = test_registry();
  PipelineBuilder b;
  auto s = b.source("s", call("numbers", {{"count", std::int64_t{100}}}));
  auto m = b.stage("parse", {call("pass"), call("error_mod", {{"k", std::int64_t{37}}})});
  auto k = b.sink("k", {call("drain")});
  b.edge(s, m, 4);
  b.edge(m, k, 4);
  RunOptions options;
  options.threads = threads;
  RunMetrics metrics = run_guarded(b.get(), registry, options);
  REQUIRE(metrics.status == RunStatus::Failed);
  REQUIRE(metrics.error);
  CHECK(std::regex_search(*metrics.error, std::regex(R"(^stage parse failed on (one of )?messages? \d+)")));
  CHECK_THAT(*metrics.error, Catch::Contains("(operator error_mod): bad message 0"));
}

TEST_CASE("on_error fail names the exact message when messages go one by one", "[runtime][node]") {
  auto registry = test_registry();
  PipelineBuilder b;
  auto s = b.source("s", call("numbers", {{"count", std::int64_t{100}}, {"size", std::int64_t{0}}}));
  auto m = b.stage("parse", {call("filter_mod", {{"k", std::int64_t{1000}}}), call("wait_us", {{"us", std::int64_t{1}}}),
                             call("error_mod", {{"k", std::int64_t{37}}})});
  auto k = b.sink("k", {call("drain")});
  b.edge(s, m, 4);
  b.edge(m, k, 4);
  RunMetrics metrics = run_guarded(b.get(), registry, {});
  REQUIRE(metrics.status == RunStatus::Failed);
  // Message 1 ("0") is filtered by filter_mod (0 % 1000 == 0); "37" is the 38th message taken.
  CHECK(metrics.error.value_or("") == "stage parse failed on message 38 (operator error_mod): bad message 37");
}

TEST_CASE("on_error skip counts the failed messages and drops them", "[runtime][node]") {
  int threads = GENERATE(1, 2, 4);
  auto registry = test_registry();
  PipelineBuilder b;
  auto s = b.source("s", call("numbers", {{"count", std::int64_t{100}}}));
  auto m = b.stage("m", {call("error_mod", {{"k", std::int64_t{10}}})}, 2);
  b.node(m).on_error = OnError::Skip;
  auto k = b.sink("k", {call("drain")});
  b.edge(s, m, 4);
  b.edge(m, k, 4);
  RunOptions options;
  options.threads = threads;
  RunMetrics metrics = run_guarded(b.get(), registry, options);
  REQUIRE(metrics.status == RunStatus::Ok);
  check_invariants(b.get(), metrics);
  CHECK(node_metrics(metrics, "m").errors == 10);
  CHECK(source_balance(metrics, "s").errors == 10);
  CHECK(sink_metrics(metrics, "k").delivered == 90);
}

TEST_CASE("messages an operator reports failed count as errors under skip, the rest go on", "[runtime][node]") {
  int threads = GENERATE(1, 2);
  auto registry = test_registry();
  PipelineBuilder b;
  auto s = b.source("s", call("numbers", {{"count", std::int64_t{100}}}));
  auto m = b.stage("m", {call("fail_mod", {{"k", std::int64_t{7}}})}, 2);
  b.node(m).on_error = OnError::Skip;
  auto k = b.sink("k", {call("drain")});
  b.edge(s, m, 4);
  b.edge(m, k, 4);
  RunOptions options;
  options.threads = threads;
  RunMetrics metrics = run_guarded(b.get(), registry, options);
  REQUIRE(metrics.status == RunStatus::Ok);
  check_invariants(b.get(), metrics);
  CHECK(node_metrics(metrics, "m").errors == 15);  // 0, 7, ..., 98
  CHECK(source_balance(metrics, "s").errors == 15);
  CHECK(sink_metrics(metrics, "k").delivered == 85);
}

TEST_CASE("a message an operator reports failed stops the run under on_error fail, naming the cause", "[runtime][node]") {
  auto registry = test_registry();
  PipelineBuilder b;
  auto s = b.source("s", call("numbers", {{"count", std::int64_t{100}}}));
  auto m = b.stage("m", {call("fail_mod", {{"k", std::int64_t{7}}})});
  auto k = b.sink("k", {call("drain")});
  b.edge(s, m, 4);
  b.edge(m, k, 4);
  RunMetrics metrics = run_guarded(b.get(), registry, {});
  REQUIRE(metrics.status == RunStatus::Failed);
  CHECK_THAT(metrics.error.value_or(""), Catch::Contains("(operator fail_mod): refused 0"));
}

TEST_CASE("a fused chain runs every operator in order in one node", "[runtime][node]") {
  auto recorder = std::make_shared<Recorder>();
  auto registry = test_registry(recorder);
  PipelineBuilder b;
  auto s = b.source("s", call("numbers", {{"count", std::int64_t{50}}}));
  auto k = b.sink("k", {call("filter_mod", {{"k", std::int64_t{2}}}), call("prefix", {{"text", std::string("n")}}),
                        call("record")});
  b.edge(s, k, 4);
  RunMetrics metrics = run_guarded(b.get(), registry, {});
  REQUIRE(metrics.status == RunStatus::Ok);
  check_invariants(b.get(), metrics);
  auto payloads = recorder->copy_payloads();
  REQUIRE(payloads.size() == 25);
  CHECK(payloads.front() == "n1");
}

TEST_CASE("an unknown operator fails the run before it starts", "[runtime][node]") {
  auto registry = test_registry();
  PipelineBuilder b;
  auto s = b.source("s", call("numbers"));
  auto k = b.sink("k", {call("no_such_operator")});
  b.edge(s, k, 4);
  RunMetrics metrics = run_guarded(b.get(), registry, {});
  CHECK(metrics.status == RunStatus::Failed);
  CHECK(metrics.error.value_or("") == "sink k: unknown operator 'no_such_operator'");
}

TEST_CASE("a CPU-bound node takes a share of its backlog, at most 8, and single messages when few wait",
          "[runtime][node]") {
  auto recorder = std::make_shared<Recorder>();
  auto registry = test_registry(recorder);
  auto spin_units = [&](std::int64_t count, std::int64_t us) {
    PipelineBuilder b;
    auto s = b.source("s", call("numbers", {{"count", count}}));
    auto m = b.stage("m", {call("spin_us", {{"us", us}})}, 2);
    auto k = b.sink("k", {call("drain")});
    b.edge(s, m, 64);
    b.edge(m, k, 64);
    RunMetrics metrics = run_guarded(b.get(), registry, {});
    REQUIRE(metrics.status == RunStatus::Ok);
    return recorder->copy_spin_units();
  };
  SECTION("a backlog moves in units of up to 8") {
    auto units = spin_units(2000, 20);
    CHECK(std::accumulate(units.begin(), units.end(), std::size_t{0}) == 2000);
    CHECK(*std::max_element(units.begin(), units.end()) == 8);
  }
  SECTION("two messages go to two workers, one each") {
    CHECK(spin_units(2, 1000) == std::vector<std::size_t>{1, 1});
  }
}

TEST_CASE("under on_error fail the rest of a chunk with a failed message still goes on and is counted", "[runtime][node]") {
  auto registry = test_registry();
  PipelineBuilder b;
  auto s = b.source("s", call("numbers", {{"count", std::int64_t{100}}}));
  // Only message "0" fails; the source fills the edge before the sink takes
  // its first chunk, so the others of that chunk went through fail_mod too
  // (a sink's rows committed, say) and must be delivered, not vanish.
  auto k = b.sink("k", {call("fail_mod", {{"k", std::int64_t{1000}}}), call("drain")});
  b.edge(s, k, 100);
  RunOptions options;
  options.threads = 1;
  RunMetrics metrics = run_guarded(b.get(), registry, options);
  REQUIRE(metrics.status == RunStatus::Failed);
  const auto& sink = node_metrics(metrics, "k");
  CHECK(sink.errors == 1);
  CHECK(sink.in == sink_metrics(metrics, "k").delivered + sink.errors);
}
