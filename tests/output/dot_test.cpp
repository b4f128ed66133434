#include "flow/dot.hpp"

#include <catch2/catch.hpp>

#include "graphviz.hpp"
#include "pipelines.hpp"

using namespace flow;
using namespace flow::test;

namespace {

// The statement that declares node `name`: its whole line.
std::string node_line(const std::string& dot, const std::string& name) {
  auto start = dot.find("\n  \"" + name + "\" [");
  REQUIRE(start != std::string::npos);
  return dot.substr(start + 1, dot.find('\n', start + 1) - start - 1);
}

std::string edge_line(const std::string& dot, const std::string& from, const std::string& to) {
  auto start = dot.find("\n  \"" + from + "\" -> \"" + to + "\" [");
  REQUIRE(start != std::string::npos);
  return dot.substr(start + 1, dot.find('\n', start + 1) - start - 1);
}

void require_renders(const std::string& dot) {
  auto svg = render_svg(dot);
  INFO(dot << svg.err);
  REQUIRE(svg.exit_code == 0);
  CHECK(svg.err.empty());
  CHECK(svg.out.find("<svg") != std::string::npos);
}

}  // namespace

TEST_CASE("DOT draws sources, stages and sinks as distinct shapes", "[output][dot]") {
  auto dot = to_dot(end_to_end(), builtin_operators());
  CHECK(dot.rfind("digraph \"end_to_end\" {", 0) == 0);
  CHECK(node_line(dot, "ingest").find("shape=invhouse") != std::string::npos);
  CHECK(node_line(dot, "validate").find("shape=box, style=\"rounded\"") != std::string::npos);
  CHECK(node_line(dot, "store").find("shape=house") != std::string::npos);
  require_renders(dot);
}

TEST_CASE("DOT node labels show the operator chain with every argument and the workers", "[output][dot]") {
  PipelineBuilder b("labels");
  auto in = b.node("in", NodeKind::Source, {call("generate", {{"count", std::int64_t{100}}, {"size", bytes(16)}})});
  auto work = b.node("work", NodeKind::Stage, {call("delay", {{"duration", ms(20)}}), call("upper")}, 5);
  auto out = b.node("out", NodeKind::Sink, {call("discard")});
  b.at(work).ordered = true;
  b.at(work).on_error = OnError::Skip;
  b.edge(in, work, 10);
  b.edge(work, out, 4);
  auto dot = to_dot(b.build(), builtin_operators());
  CHECK(node_line(dot, "in").find("label=\"in\\ngenerate(count=100, size=16B)\\n1 worker\"") != std::string::npos);
  CHECK(node_line(dot, "work").find("delay(20ms) | upper()\\n5 workers, ordered, on_error=skip") != std::string::npos);
  require_renders(dot);
}

TEST_CASE("DOT edge labels show capacity and policy, dropping edges are dashed, fail edges bold", "[output][dot]") {
  PipelineBuilder b("edges");
  auto src = b.node("src", NodeKind::Source, {call("generate")});
  auto a = b.node("a", NodeKind::Sink, {call("discard")});
  auto c = b.node("c", NodeKind::Sink, {call("discard")});
  auto d = b.node("d", NodeKind::Sink, {call("discard")});
  auto e = b.node("e", NodeKind::Sink, {call("discard")});
  b.edge(src, a, 5, Overflow::Block);
  b.edge(src, c, 100, Overflow::DropNewest);
  b.edge(src, d, std::nullopt, Overflow::Block);
  b.edge(src, e, 3, Overflow::Fail);
  auto pipeline = b.build();
  pipeline.edges[0].max_bytes = 1'000'000;
  auto dot = to_dot(pipeline, builtin_operators());
  CHECK(edge_line(dot, "src", "a").find("label=\"cap 5, max 1MB, block\"") != std::string::npos);
  CHECK(edge_line(dot, "src", "a").find("style=solid") != std::string::npos);
  CHECK(edge_line(dot, "src", "c").find("style=dashed") != std::string::npos);
  CHECK(edge_line(dot, "src", "c").find("drop_newest") != std::string::npos);
  CHECK(edge_line(dot, "src", "d").find("label=\"cap ∞, block\"") != std::string::npos);
  CHECK(edge_line(dot, "src", "e").find("style=bold, arrowhead=tee") != std::string::npos);
  require_renders(dot);
}

TEST_CASE("DOT escapes quotes, backslashes and odd bytes in string arguments", "[output][dot]") {
  PipelineBuilder b("escapes");
  auto in = b.node("in", NodeKind::Source, {call("read", {{"path", std::string("a \"quoted\" \\ path\nline\x01\xff")}})});
  auto out = b.node("out", NodeKind::Sink, {call("write", {{"path", std::string("}; digraph x { \\\"")}})});
  b.edge(in, out);
  auto dot = to_dot(b.build(), builtin_operators());
  // The value as the user wrote it ("a \"quoted\" \\ path\nline"), then escaped once more for DOT.
  CHECK(dot.find(R"(read(\"a \\\"quoted\\\" \\\\ path\\nline\\x01\\xff\"))") != std::string::npos);
  require_renders(dot);
}

TEST_CASE("DOT escapes every kind of text a string argument can hold and still renders", "[output][dot]") {
  const std::string nasty[] = {"\\", "\"", "\\\"", "end\\", "<b>html</b>", "{record|shape}", "\\N \\G \\l",
                               std::string("\0zero", 5), "\xc3\xa9t\xc3\xa9", "\xe2\x82", "\t\r\n", "-> ;"};
  for (const auto& text : nasty) {
    PipelineBuilder b("nasty");
    auto in = b.node("in", NodeKind::Source, {call("read", {{"path", text}})});
    auto out = b.node("out", NodeKind::Sink, {call("stdout")});
    b.edge(in, out);
    INFO("argument: " << text);
    require_renders(to_dot(b.build(), builtin_operators()));
  }
}

TEST_CASE("DOT quotes node names that are Graphviz keywords", "[output][dot]") {
  PipelineBuilder b("graph");
  auto node = b.node("node", NodeKind::Source, {call("generate")});
  auto edge = b.node("edge", NodeKind::Stage, {});
  auto strict = b.node("strict", NodeKind::Sink, {call("discard")});
  b.edge(node, edge);
  b.edge(edge, strict);
  require_renders(to_dot(b.build(), builtin_operators()));
}

TEST_CASE("DOT with a run colours edges by occupancy, fills nodes by busy fraction and marks the bottleneck",
          "[output][dot]") {
  auto run = end_to_end_run();
  run.edges[2].dropped = 7;
  auto dot = to_dot(end_to_end(), builtin_operators(), &run);
  auto process = node_line(dot, "process");
  CHECK(process.find("label=\"bottleneck: process") != std::string::npos);
  CHECK(process.find("color=\"#d62728\", penwidth=4") != std::string::npos);
  CHECK(process.find("busy 98 %") != std::string::npos);
  CHECK(node_line(dot, "validate").find("penwidth=4") == std::string::npos);
  // Full edges are red, the almost empty one green.
  CHECK(edge_line(dot, "validate", "process").find("color=\"#ff0000\"") != std::string::npos);
  CHECK(edge_line(dot, "validate", "process").find("peak 5/5, full 92 %") != std::string::npos);
  CHECK(edge_line(dot, "process", "store").find("color=\"#66cc00\"") != std::string::npos);
  CHECK(edge_line(dot, "process", "store").find("dropped 7") != std::string::npos);
  // Busier nodes get a redder fill than idle ones.
  CHECK(process.find("fillcolor=\"#ff8480\"") != std::string::npos);
  CHECK(node_line(dot, "ingest").find("style=\"filled\"") != std::string::npos);
  require_renders(dot);
}

TEST_CASE("DOT with a run that names no bottleneck finds one itself", "[output][dot]") {
  auto run = end_to_end_run();
  run.bottleneck = {};
  auto dot = to_dot(end_to_end(), builtin_operators(), &run);
  CHECK(node_line(dot, "process").find("bottleneck: process") != std::string::npos);
  CHECK(dot.find("bottleneck: validate") == std::string::npos);
}

TEST_CASE("DOT with a run leaves elements the run did not measure uncoloured", "[output][dot]") {
  auto run = end_to_end_run();
  run.edges.pop_back();
  run.nodes.erase(run.nodes.begin());
  auto dot = to_dot(end_to_end(), builtin_operators(), &run);
  CHECK(node_line(dot, "ingest").find("filled") == std::string::npos);
  CHECK(edge_line(dot, "process", "store").find("color=") == std::string::npos);
  require_renders(dot);
}
