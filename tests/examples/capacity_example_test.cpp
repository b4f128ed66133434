// examples/capacity.flow: sizing a buffer in front of bursts (docs/capacity.md).
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>

#include "example_run.hpp"

using flow::test::require_invariants;
using flow::test::run_example;

TEST_CASE("capacity drops what of each burst does not fit, and nothing from a capacity of one burst", "[examples]") {
  // 4 bursts of 50 (count=200, burst=50) offered at once to an edge that drops
  // the newest: each burst keeps `capacity` and drops the rest (the service's
  // workers take from the edge only after the offer), and the edge is empty
  // again long before the next burst (20 x 8 ms / 4 workers against 500 ms).
  constexpr int bursts = 4, burst = 50;
  for (int capacity : {20, 49, 50}) {
    INFO("capacity " << capacity);
    auto run = run_example("capacity", fmt::format("--quiet --set 'requests->service.capacity={}'", capacity));
    require_invariants(run.metrics, "capacity");
    const auto& edge = run.metrics.at("edges").at(0);
    int dropped = bursts * std::max(0, burst - capacity);
    CHECK(edge.at("capacity") == capacity);
    CHECK(edge.at("dropped") == dropped);
    CHECK(run.metrics.at("sinks").at(0).at("delivered") == bursts * burst - dropped);
  }
}
