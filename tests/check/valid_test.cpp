// A valid file becomes the model it describes.
#include <catch2/catch.hpp>
#include <limits>

#include "support.hpp"

using namespace flow;
using flow::test::diagnostics_of;
using flow::test::load_text;
using flow::test::pipeline_of;

namespace {

const char* const end_to_end =
    "# Backpressure flows from the slow store all the way back to ingest.\n"
    "pipeline end_to_end\n"
    "\n"
    "source ingest   = generate(count=100, size=16B)\n"
    "stage  validate = delay(10ms)\n"
    "stage  process  = delay(50ms)\n"
    "sink   store    = delay(20ms) | discard()\n"
    "\n"
    "edge [capacity=5, overflow=block]        # defaults for the edges below\n"
    "ingest -> validate -> process -> store\n";

}  // namespace

TEST_CASE("the end-to-end example becomes four nodes and three edges of capacity 5", "[check]") {
  auto pipeline = pipeline_of(end_to_end);
  CHECK(pipeline.name == "end_to_end");
  REQUIRE(pipeline.nodes.size() == 4);
  CHECK(pipeline.nodes[0].name == "ingest");
  CHECK(pipeline.nodes[0].kind == NodeKind::Source);
  CHECK(pipeline.nodes[3].kind == NodeKind::Sink);
  REQUIRE(pipeline.nodes[3].chain.size() == 2);
  CHECK(pipeline.nodes[3].chain[0].name == "delay");
  CHECK(pipeline.nodes[3].chain[1].name == "discard");
  REQUIRE(pipeline.edges.size() == 3);
  for (EdgeId id = 0; id < 3; ++id) {
    CHECK(pipeline.edges[id].from == id);
    CHECK(pipeline.edges[id].to == id + 1);
    CHECK(pipeline.edges[id].capacity == std::optional<std::uint64_t>(5));
    CHECK(pipeline.edges[id].overflow == Overflow::Block);
    CHECK(pipeline.nodes[id].outputs == std::vector<EdgeId>{id});
    CHECK(pipeline.nodes[id + 1].inputs == std::vector<EdgeId>{id});
  }
  CHECK(pipeline.edges[1].location.line == 10);
  CHECK(pipeline.edges[1].location.column == 20);
  CHECK(pipeline.nodes[1].location.line == 5);
  CHECK(pipeline.nodes[1].location.column == 8);
}

TEST_CASE("max_in_flight is not set unless the file sets it", "[check]") {
  auto pipeline = pipeline_of(end_to_end);
  CHECK(pipeline.max_in_flight == 0);
  CHECK_FALSE(pipeline.max_in_flight_explicit);
}

TEST_CASE("an explicit max_in_flight and report come from the header", "[check]") {
  auto pipeline = pipeline_of("pipeline p [max_in_flight=7, report=1s]\n" + std::string(flow::test::base_pipeline));
  CHECK(pipeline.max_in_flight == 7);
  CHECK(pipeline.max_in_flight_explicit);
  REQUIRE(pipeline.report.has_value());
  CHECK(pipeline.report->value == std::chrono::seconds(1));
}

TEST_CASE("without a header the pipeline is named after the file's stem", "[check]") {
  auto result = load_text(flow::test::base_pipeline, {}, "examples/a.flow");
  REQUIRE(result.pipeline.has_value());
  CHECK(result.pipeline->name == "a");
  CHECK_FALSE(result.pipeline->report.has_value());
}

TEST_CASE("an edge's default capacity is 256, or twice its consumer's workers where that is more", "[check]") {
  auto pipeline = pipeline_of(
      "source s = generate()\n"
      "stage w = delay(1ms) [workers=140]\n"
      "stage v = delay(1ms) [workers=128]\n"
      "sink k = discard()\n"
      "s -> w -> v -> k\n");
  REQUIRE(pipeline.edges.size() == 3);
  CHECK(pipeline.edges[0].capacity == std::optional<std::uint64_t>(280));
  CHECK(pipeline.edges[1].capacity == std::optional<std::uint64_t>(256));
  CHECK(pipeline.edges[2].capacity == std::optional<std::uint64_t>(256));
  CHECK(pipeline.nodes[1].workers == 140);
}

TEST_CASE("an unbounded edge is allowed with a warning", "[check]") {
  const std::string text =
      "source producer = generate(count=50)\n"
      "sink consumer = discard()\n"
      "producer -> consumer [capacity=unbounded]\n";
  auto result = load_text(text);
  REQUIRE(result.pipeline.has_value());
  CHECK_FALSE(result.pipeline->edges[0].capacity.has_value());
  CHECK(diagnostics_of(text) ==
        "t.flow:3:10: warning: edge producer -> consumer is unbounded; its memory use has no limit\n"
        "    producer -> consumer [capacity=unbounded]\n"
        "             ^^\n");
}

TEST_CASE("operator arguments are named, typed and completed from defaults", "[check]") {
  auto pipeline = pipeline_of(
      "source s = generate(count=3)\n"
      "stage b = batch(10, within=5ms) | sample(1)\n"
      "sink k = discard()\n"
      "s -> b -> k\n");
  const auto& generate = pipeline.nodes[0].chain[0];
  CHECK(generate.args.at("count") == Value{std::int64_t{3}});
  CHECK(generate.args.at("size") == Value{Size{16}});
  CHECK(generate.args.count("rate") == 0);
  const auto& batch = pipeline.nodes[1].chain[0];
  CHECK(batch.args.at("max") == Value{std::int64_t{10}});
  CHECK(batch.args.at("within") == Value{Duration{std::chrono::milliseconds(5)}});
  // An integer where a decimal is due is widened.
  CHECK(pipeline.nodes[1].chain[1].args.at("probability") == Value{1.0});
  CHECK(pipeline.nodes[1].chain[1].args.at("seed") == Value{std::int64_t{1}});
}

TEST_CASE("node attributes are read into the node", "[check]") {
  auto pipeline = pipeline_of(
      "source s = generate() [fanout=round_robin]\n"
      "stage a = delay(1ms) [workers=4, ordered=true, on_error=skip]\n"
      "stage b = delay(1ms)\n"
      "sink k = discard()\n"
      "s -> {a, b} -> k\n");
  CHECK(pipeline.nodes[0].fanout == Fanout::RoundRobin);
  CHECK(pipeline.nodes[1].workers == 4);
  CHECK(pipeline.nodes[1].ordered);
  CHECK(pipeline.nodes[1].on_error == OnError::Skip);
  CHECK(pipeline.nodes[2].workers == 1);
  CHECK_FALSE(pipeline.nodes[2].ordered);
  CHECK(pipeline.nodes[2].on_error == OnError::Fail);
}

TEST_CASE("groups make one edge per pair, in declaration order", "[check]") {
  auto pipeline = pipeline_of(
      "source s1 = generate()\n"
      "source s2 = generate()\n"
      "sink k1 = discard()\n"
      "sink k2 = discard()\n"
      "{s1, s2} -> {k1, k2} [overflow=drop_oldest, max_bytes=1KiB]\n");
  REQUIRE(pipeline.edges.size() == 4);
  std::vector<std::pair<NodeId, NodeId>> pairs;
  for (const auto& edge : pipeline.edges) {
    pairs.emplace_back(edge.from, edge.to);
    CHECK(edge.overflow == Overflow::DropOldest);
    CHECK(edge.max_bytes == std::optional<std::uint64_t>(1024));
  }
  CHECK(pairs == std::vector<std::pair<NodeId, NodeId>>{{0, 2}, {0, 3}, {1, 2}, {1, 3}});
  CHECK(pipeline.nodes[0].outputs == std::vector<EdgeId>{0, 1});
  CHECK(pipeline.nodes[3].inputs == std::vector<EdgeId>{1, 3});
}

TEST_CASE("edges may name nodes declared later in the file", "[check]") {
  auto pipeline = pipeline_of(
      "s -> k\n"
      "source s = generate()\n"
      "sink k = discard()\n");
  REQUIRE(pipeline.edges.size() == 1);
  CHECK(pipeline.edge_name(0) == "s -> k");
}

TEST_CASE("a valid file has no diagnostics at all", "[check]") {
  CHECK(diagnostics_of(end_to_end).empty());
}
