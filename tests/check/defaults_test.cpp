// Defaults statements follow DOT: they apply to what is declared after them.
#include <catch2/catch.hpp>

#include "support.hpp"

using namespace flow;
using flow::test::diagnostics_of;
using flow::test::pipeline_of;

TEST_CASE("edge defaults apply only to edges declared after them", "[check]") {
  auto pipeline = pipeline_of(
      "source s = generate()\n"
      "stage a = delay(1ms)\n"
      "stage b = delay(1ms)\n"
      "sink k = discard()\n"
      "s -> a\n"
      "edge [capacity=7, overflow=drop_newest]\n"
      "a -> b\n"
      "edge [capacity=9]\n"
      "b -> k\n");
  REQUIRE(pipeline.edges.size() == 3);
  CHECK(pipeline.edges[0].capacity == std::optional<std::uint64_t>(256));
  CHECK(pipeline.edges[0].overflow == Overflow::Block);
  CHECK(pipeline.edges[1].capacity == std::optional<std::uint64_t>(7));
  CHECK(pipeline.edges[1].overflow == Overflow::DropNewest);
  // A later default overrides only the keys it names.
  CHECK(pipeline.edges[2].capacity == std::optional<std::uint64_t>(9));
  CHECK(pipeline.edges[2].overflow == Overflow::DropNewest);
}

TEST_CASE("an attribute on the edge itself wins over the defaults", "[check]") {
  auto pipeline = pipeline_of(
      "source s = generate()\n"
      "sink k = discard()\n"
      "edge [capacity=7, overflow=fail]\n"
      "s -> k [capacity=3]\n");
  CHECK(pipeline.edges[0].capacity == std::optional<std::uint64_t>(3));
  CHECK(pipeline.edges[0].overflow == Overflow::Fail);
}

TEST_CASE("node defaults apply to later nodes of their kind only", "[check]") {
  auto pipeline = pipeline_of(
      "source s = generate()\n"
      "stage a = delay(1ms)\n"
      "stage [workers=133, on_error=skip]\n"
      "sink [workers=2]\n"
      "stage b = delay(1ms)\n"
      "stage c = delay(1ms) [workers=5]\n"
      "sink k = discard()\n"
      "s -> a -> b -> c -> k\n");
  CHECK(pipeline.nodes[0].workers == 1);
  CHECK(pipeline.nodes[1].workers == 1);
  CHECK(pipeline.nodes[1].on_error == OnError::Fail);
  CHECK(pipeline.nodes[2].workers == 133);
  CHECK(pipeline.nodes[2].on_error == OnError::Skip);
  CHECK(pipeline.nodes[3].workers == 5);
  CHECK(pipeline.nodes[3].on_error == OnError::Skip);
  CHECK(pipeline.nodes[4].workers == 2);
  // The edge into b was declared after the defaults, and b has 133 workers.
  CHECK(pipeline.edges[1].capacity == std::optional<std::uint64_t>(266));
}

TEST_CASE("a bad default is reported once, where it is written", "[check]") {
  CHECK(diagnostics_of("edge [capacity=0]\n"
                       "source s = generate()\n"
                       "stage a = delay(1ms)\n"
                       "sink k = discard()\n"
                       "s -> a -> k\n") ==
        "t.flow:1:16: error: capacity must be at least 1, got 0\n"
        "    edge [capacity=0]\n"
        "                   ^\n");
}

TEST_CASE("an unknown attribute in node defaults is named with a suggestion", "[check]") {
  CHECK(diagnostics_of("stage [worker=2]\n" + std::string(flow::test::base_pipeline)) ==
        "t.flow:1:8: error: unknown node attribute 'worker'; did you mean 'workers'?\n"
        "    stage [worker=2]\n"
        "           ^^^^^^\n");
}
