// Property tests: the runtime's invariants on hundreds of random topologies.
#include <catch2/catch.hpp>
#include <cstdlib>

#include "random_topology.hpp"
#include "support.hpp"

using namespace flow;
using namespace flow::test;

namespace {

void run_random(std::uint64_t seed, const OperatorRegistry& registry) {
  RandomTopology t = random_topology(seed);
  INFO("seed " << seed << ", threads " << t.threads << "\n" << t.description);
  RunOptions options;
  options.threads = t.threads;
  RunMetrics metrics = run_guarded(t.pipeline, registry, options, std::chrono::seconds(60));
  REQUIRE(metrics.status == RunStatus::Ok);
  check_invariants(t.pipeline, metrics);
}

}  // namespace

TEST_CASE("random topologies keep every invariant (500 seeds)", "[runtime][property]") {
  auto registry = test_registry();
  // EXEC_SEED=n runs that one topology, to chase a failure.
  if (const char* one = std::getenv("EXEC_SEED")) return run_random(std::strtoull(one, nullptr, 10), registry);
  for (std::uint64_t seed = 1; seed <= 500; ++seed) run_random(seed, registry);
}

TEST_CASE("random topologies keep every invariant (soak: 5000 more seeds)", "[.soak][runtime][property]") {
  auto registry = test_registry();
  for (std::uint64_t seed = 100001; seed <= 105000; ++seed) run_random(seed, registry);
}

TEST_CASE("random topologies with fail edges end: ok with the invariants, or failed naming an edge",
          "[runtime][property]") {
  auto registry = test_registry();
  int failed = 0;
  for (std::uint64_t seed = 1001; seed <= 1100; ++seed) {
    RandomTopology t = random_topology(seed, true);
    INFO("seed " << seed << ", threads " << t.threads << "\n" << t.description);
    RunOptions options;
    options.threads = t.threads;
    RunMetrics metrics = run_guarded(t.pipeline, registry, options, std::chrono::seconds(60));
    if (metrics.status == RunStatus::Failed) {
      ++failed;
      REQUIRE(metrics.error);
      CHECK_THAT(*metrics.error, Catch::Contains("overflowed") || Catch::Contains("failed on"));
    } else {
      REQUIRE(metrics.status == RunStatus::Ok);
      check_invariants(t.pipeline, metrics);
    }
  }
  CHECK(failed > 0);
}
