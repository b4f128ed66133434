// `part=NAME` groups nodes into processes; the edges between parts are cut,
// and each part runs a pipeline of its own nodes plus stand-ins for the far
// ends of its cut edges.
#include <catch2/catch.hpp>

#include "flow/parts.hpp"
#include "support.hpp"

using namespace flow;
using flow::test::diagnostics_of;
using flow::test::pipeline_of;

namespace {

const char* const split_end_to_end =
    "pipeline split\n"
    "source ingest   = generate(count=100, size=16B) [part=front]\n"
    "stage  validate = delay(10ms) [part=front]\n"
    "stage  process  = delay(50ms) [part=middle]\n"
    "sink   store    = delay(20ms) | discard() [part=back]\n"
    "edge [capacity=5, overflow=drop_newest]\n"
    "ingest -> validate -> process -> store\n";

}  // namespace

TEST_CASE("part= is a node attribute naming the process that runs the node", "[check][parts]") {
  auto pipeline = pipeline_of(split_end_to_end);
  CHECK(pipeline.nodes[0].part == "front");
  CHECK(pipeline.nodes[2].part == "middle");
  CHECK(parts_of(pipeline) == std::vector<std::string>{"front", "middle", "back"});
  CHECK(cut_edges(pipeline) == std::vector<EdgeId>{1, 2});
  CHECK_FALSE(is_cut(pipeline, 0));
}

TEST_CASE("a file without part= has no parts and no cut edges", "[check][parts]") {
  auto pipeline = pipeline_of("pipeline p\nsource a = generate(count=1)\nsink b = discard()\na -> b\n");
  CHECK(parts_of(pipeline).empty());
  CHECK(cut_edges(pipeline).empty());
}

TEST_CASE("part= takes its default from a node-kind default block", "[check][parts]") {
  auto pipeline = pipeline_of(
      "pipeline p\nstage [part=work]\nsource a = generate(count=1)\nstage b = upper()\nsink c = discard()\na -> b -> c\n");
  CHECK(pipeline.nodes[0].part.empty());
  CHECK(pipeline.nodes[1].part == "work");
  CHECK(cut_edges(pipeline) == std::vector<EdgeId>{0, 1});
}

TEST_CASE("part= must be a bare word", "[check][parts]") {
  auto text = diagnostics_of("pipeline p\nsource a = generate(count=1) [part=\"x y\"]\nsink b = discard()\na -> b\n");
  CHECK_THAT(text, Catch::Contains("t.flow:2:36") && Catch::Contains("expected a part name"));
}

TEST_CASE("a part's pipeline has stand-ins for the far ends of its cut edges", "[parts]") {
  auto whole = pipeline_of(split_end_to_end);
  auto middle = part_pipeline(whole, "middle");
  const auto& pipeline = middle.pipeline;
  REQUIRE(pipeline.nodes.size() == 3);
  CHECK(pipeline.nodes[0].name == "process");
  CHECK_FALSE(middle.nodes[0].stand_in);
  // validate feeds the part: a source reading the stream of validate -> process.
  CHECK(pipeline.nodes[1].name == "validate");
  CHECK(pipeline.nodes[1].kind == NodeKind::Source);
  CHECK(pipeline.nodes[1].chain.at(0).name == kCutConsumeOperator);
  CHECK(std::get<std::int64_t>(pipeline.nodes[1].chain.at(0).args.at("edge")) == 1);
  CHECK(middle.nodes[1].stand_in);
  CHECK(middle.nodes[1].whole == 1);
  // store is fed by it: a sink publishing to the stream of process -> store.
  CHECK(pipeline.nodes[2].name == "store");
  CHECK(pipeline.nodes[2].kind == NodeKind::Sink);
  CHECK(pipeline.nodes[2].chain.at(0).name == kCutPublishOperator);
  REQUIRE(pipeline.edges.size() == 2);
  CHECK(middle.edges == std::vector<EdgeId>{1, 2});
  CHECK(pipeline.edge_name(0) == "validate -> process");
  CHECK(pipeline.edge_name(1) == "process -> store");
  // The policy is the stream's; the hand-off blocks.
  CHECK(pipeline.edges[1].overflow == Overflow::Block);
  CHECK(pipeline.edges[1].capacity == 5u);
  CHECK(pipeline.nodes[0].inputs == std::vector<EdgeId>{0});
  CHECK(pipeline.nodes[0].outputs == std::vector<EdgeId>{1});
}

TEST_CASE("a part's local edges keep their settings", "[parts]") {
  auto whole = pipeline_of(split_end_to_end);
  auto front = part_pipeline(whole, "front");
  REQUIRE(front.pipeline.edges.size() == 2);
  CHECK(front.pipeline.edges[0].overflow == Overflow::DropNewest);
  CHECK(front.pipeline.edges[1].overflow == Overflow::Block);
  CHECK(front.pipeline.nodes.size() == 3);
}
