// A file with part=: plan lists the parts and the cut edges between them, DOT
// draws each part as a cluster and the cut edges dashed, Mermaid as subgraphs
// with dotted cut edges. A file without parts shows none of it.
#include <catch2/catch.hpp>

#include "flow/dot.hpp"
#include "flow/mermaid.hpp"
#include "flow/plan.hpp"
#include "graphviz.hpp"
#include "pipelines.hpp"

using namespace flow;
using namespace flow::test;

namespace {

// The end-to-end example split in three: ingest and validate in front,
// process in the middle, store at the back. Cut: validate -> process and
// process -> store; ingest -> validate stays inside front.
Pipeline split() {
  auto pipeline = end_to_end();
  pipeline.name = "split";
  for (const char* name : {"ingest", "validate"}) pipeline.nodes[*pipeline.find_node(name)].part = "front";
  pipeline.nodes[*pipeline.find_node("process")].part = "middle";
  pipeline.nodes[*pipeline.find_node("store")].part = "back";
  return pipeline;
}

// The text from the line that starts with `opening` to the next line that is
// exactly `closing`, both included.
std::string block(const std::string& text, const std::string& opening, const std::string& closing) {
  auto start = text.find("\n" + opening + "\n");
  REQUIRE(start != std::string::npos);
  auto end = text.find("\n" + closing + "\n", start + 1);
  REQUIRE(end != std::string::npos);
  return text.substr(start + 1, end + closing.size() + 1 - start);
}

std::string line_with(const std::string& text, const std::string& piece) {
  auto at = text.find(piece);
  REQUIRE(at != std::string::npos);
  auto start = text.rfind('\n', at) + 1;
  return text.substr(start, text.find('\n', at) - start);
}

bool contains(const std::string& text, const std::string& piece) {
  return text.find(piece) != std::string::npos;
}

}  // namespace

TEST_CASE("DOT draws each part as a cluster holding its own nodes", "[output][parts]") {
  auto dot = to_dot(split(), builtin_operators());
  INFO(dot);
  auto front = block(dot, "  subgraph \"cluster_front\" {", "  }");
  CHECK(contains(front, "    label=\"part front\";\n"));
  CHECK(contains(front, "\n    \"ingest\" [shape=invhouse"));
  CHECK(contains(front, "\n    \"validate\" [shape=box"));
  CHECK_FALSE(contains(front, "\"process\""));
  auto middle = block(dot, "  subgraph \"cluster_middle\" {", "  }");
  CHECK(contains(middle, "\n    \"process\" [shape=box"));
  CHECK(contains(middle, "    label=\"part middle\";\n"));
  CHECK(contains(block(dot, "  subgraph \"cluster_back\" {", "  }"), "\n    \"store\" [shape=house"));
}

TEST_CASE("DOT draws cut edges dashed and labelled JetStream, edges inside a part as before",
          "[output][parts]") {
  auto pipeline = split();
  pipeline.edges[2].overflow =
      Overflow::Fail;  // process -> store: cut, and bold with a tee as every fail edge
  auto dot = to_dot(pipeline, builtin_operators());
  INFO(dot);
  CHECK(line_with(dot, "\"ingest\" -> \"validate\"") ==
        "  \"ingest\" -> \"validate\" [style=solid, label=\"cap 5, block\"];");
  CHECK(line_with(dot, "\"validate\" -> \"process\"") ==
        "  \"validate\" -> \"process\" [style=dashed, label=\"cap 5, block\\nJetStream\"];");
  CHECK(line_with(dot, "\"process\" -> \"store\"") ==
        "  \"process\" -> \"store\" [style=\"bold,dashed\", arrowhead=tee, label=\"cap 5, "
        "fail\\nJetStream\"];");
  auto svg = render_svg(dot);
  INFO(svg.err);
  REQUIRE(svg.exit_code == 0);
  CHECK(svg.err.empty());
  // Graphviz draws a cluster as a group of class "cluster" titled by its name.
  CHECK(contains(svg.out, "<title>cluster_front</title>"));
  CHECK(contains(svg.out, "<title>cluster_back</title>"));
  CHECK(contains(svg.out, "stroke-dasharray"));
}

TEST_CASE("DOT leaves nodes without a part outside every cluster", "[output][parts]") {
  auto pipeline = split();
  pipeline.nodes[*pipeline.find_node("store")].part.clear();
  auto dot = to_dot(pipeline, builtin_operators());
  INFO(dot);
  CHECK_FALSE(contains(dot, "cluster_back"));
  CHECK_FALSE(contains(dot, "\"cluster_\""));
  CHECK(contains(dot, "\n  \"store\" [shape=house"));
  // A node in no part is still across a cut from one in a part.
  CHECK(contains(line_with(dot, "\"process\" -> \"store\""), "style=dashed"));
  CHECK(render_svg(dot).exit_code == 0);
}

TEST_CASE("DOT with a run keeps the parts' clusters and labels and still renders", "[output][parts]") {
  auto run = end_to_end_run();
  auto dot = to_dot(split(), builtin_operators(), &run);
  INFO(dot);
  CHECK(contains(block(dot, "  subgraph \"cluster_middle\" {", "  }"), "label=\"bottleneck: process"));
  auto svg = render_svg(dot);
  INFO(svg.err);
  CHECK(svg.exit_code == 0);
  CHECK(svg.err.empty());
  CHECK(contains(svg.out, ">part middle</text>"));
}

TEST_CASE("a file without parts draws no cluster and no JetStream edge", "[output][parts]") {
  auto dot = to_dot(end_to_end(), builtin_operators());
  CHECK_FALSE(contains(dot, "subgraph"));
  CHECK_FALSE(contains(dot, "JetStream"));
  CHECK(contains(dot, "\n  \"validate\" -> \"process\" [style=solid, label=\"cap 5, block\"];\n"));
  auto chart = to_mermaid(end_to_end(), builtin_operators());
  CHECK_FALSE(contains(chart, "subgraph"));
  CHECK_FALSE(contains(chart, "JetStream"));
  auto plan = to_plan(end_to_end(), builtin_operators());
  CHECK_FALSE(contains(plan, "parts"));
  CHECK_FALSE(contains(plan, "cut edges"));
  CHECK_FALSE(contains(plan, "part="));
}

TEST_CASE("Mermaid puts each part in a subgraph and draws cut edges dotted", "[output][parts]") {
  auto chart = to_mermaid(split(), builtin_operators());
  INFO(chart);
  CHECK(block(chart, "  subgraph p0 [\"part front\"]", "  end") ==
        "  subgraph p0 [\"part front\"]\n"
        "    n0([\"ingest<br/>generate(count=100, size=16B)<br/>1 worker\"])\n"
        "    n1[\"validate<br/>delay(10ms)<br/>1 worker\"]\n"
        "  end\n");
  CHECK(contains(block(chart, "  subgraph p1 [\"part middle\"]", "  end"), "    n2[\"process"));
  CHECK(contains(block(chart, "  subgraph p2 [\"part back\"]", "  end"), "    n3[(\"store"));
  CHECK(contains(chart, "\n  n0 -->|\"cap 5, block\"| n1\n"));
  CHECK(contains(chart, "\n  n1 -.->|\"cap 5, block<br/>JetStream\"| n2\n"));
  CHECK(contains(chart, "\n  n2 -.->|\"cap 5, block<br/>JetStream\"| n3\n"));
}

TEST_CASE("Plan lists each part with its nodes and each cut edge with its parts and settings",
          "[output][parts]") {
  auto pipeline = split();
  pipeline.edges[1].overflow = Overflow::DropNewest;
  pipeline.edges[1].max_bytes = 1000;
  auto plan = to_plan(pipeline, builtin_operators());
  INFO(plan);
  CHECK(contains(plan,
                 "\nparts (flow run --part NAME runs one; without --part one process runs them all):\n"
                 "  front   ingest, validate\n"
                 "  middle  process\n"
                 "  back    store\n\n"));
  CHECK(contains(plan,
                 "\ncut edges (each one a NATS JetStream stream with the edge's capacity and overflow):\n"
                 "  validate -> process  front -> middle  [capacity=5, overflow=drop_newest, max_bytes=1KB]\n"
                 "  process -> store     middle -> back   [capacity=5, overflow=block, max_bytes=none]\n\n"));
  CHECK(contains(plan, "[workers=1, ordered=false, fanout=broadcast, on_error=fail, part=middle]\n"));
  // The section sits between the edges and the bounds.
  CHECK(plan.find("\nedges:\n") < plan.find("\nparts ("));
  CHECK(plan.find("\ncut edges (") < plan.find("\nbounds ("));
}

TEST_CASE("Plan lists nodes without a part as (no part) and a file cut nowhere as none", "[output][parts]") {
  auto pipeline = split();
  pipeline.nodes[*pipeline.find_node("store")].part.clear();
  auto plan = to_plan(pipeline, builtin_operators());
  INFO(plan);
  CHECK(contains(plan, "\n  (no part)  store\n"));
  CHECK(contains(plan, "\n  process -> store     middle -> (no part)  [capacity=5"));
  for (auto& node : pipeline.nodes) node.part = "all";
  plan = to_plan(pipeline, builtin_operators());
  CHECK(contains(plan, "\n  all  ingest, validate, process, store\n"));
  CHECK(contains(plan, "stream with the edge's capacity and overflow):\n  none\n"));
}
