// examples/dead_letters.flow run by the built `flow`: every one of the 1,000
// events is accounted for in the metrics JSON, the store gets exactly the 6
// it reaches within the deadline, and the routes (or the drops of the
// bounded dead-letter edge) get the rest.
#include "example_run.hpp"

using flow::test::Json;
using flow::test::run_example;

namespace {

const Json& named(const Json& list, const std::string& key, const std::string& value) {
  for (const auto& item : list) {
    if (item.at(key) == value) return item;
  }
  FAIL("no entry with " << key << " = " << value);
  static Json none;
  return none;
}

const Json& edge_of(const Json& metrics, const std::string& from, const std::string& to) {
  for (const auto& e : metrics.at("edges")) {
    if (e.at("from") == from && e.at("to") == to) return e;
  }
  FAIL("no edge " << from << " -> " << to);
  static Json none;
  return none;
}

std::uint64_t delivered(const Json& metrics, const std::string& sink) {
  return named(metrics.at("sinks"), "name", sink).at("delivered").get<std::uint64_t>();
}

}  // namespace

TEST_CASE("dead_letters routes what its edge drops and what expires, and loses nothing", "[examples]") {
  auto run = run_example("dead_letters", "--quiet");
  INFO(run.metrics.dump());
  REQUIRE(run.metrics.at("status") == "ok");
  // Made at 0 s, taken one per ms: those taken at 0 .. 5 ms are younger than 5.5 ms.
  CHECK(delivered(run.metrics, "store") == 6);
  auto overflow = delivered(run.metrics, "overflow"), late = delivered(run.metrics, "late");
  const auto& edge = edge_of(run.metrics, "events", "store");
  const auto& route = edge_of(run.metrics, "events", "overflow");
  // The dead-letter edge is bounded: what the drops do not fit in is dropped there.
  auto dropped_on_route = route.at("dropped").get<std::uint64_t>();
  CHECK(6 + overflow + late + dropped_on_route == 1000);
  CHECK(route.at("capacity") == 256);
  CHECK(late > 0);
  CHECK(overflow > 0);
  CHECK(edge.at("dropped").get<std::uint64_t>() == overflow + dropped_on_route);
  CHECK(edge.at("out").get<std::uint64_t>() == 6);
  CHECK(edge_of(run.metrics, "store", "late").at("out").get<std::uint64_t>() == late);
  const auto& source = named(run.metrics.at("sources"), "name", "events");
  CHECK(source.at("produced") == 1000);
  CHECK(source.at("delivered") == 6);
  // The balance keys of the routes are written by the metrics JSON (docs/metrics.md).
  if (source.contains("dead_lettered")) {
    CHECK(source.at("dead_lettered").get<std::uint64_t>() == overflow + late);
    CHECK(source.at("dropped").get<std::uint64_t>() == dropped_on_route);
    CHECK(edge.at("expired").get<std::uint64_t>() == late);
    flow::test::require_invariants(run.metrics, "dead_letters");
  }
}
