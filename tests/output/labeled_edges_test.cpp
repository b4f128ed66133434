// flow dot and flow mermaid label each edge of a route node with its output
// and the condition as written (docs/routing.md).
#include <catch2/catch.hpp>

#include "flow/dot.hpp"
#include "flow/mermaid.hpp"
#include "graphviz.hpp"
#include "pipelines.hpp"

using namespace flow;
using namespace flow::test;

namespace {

// s -> r = route(errors: status >= 500 && path =~ "^/api", rest: true); r.errors -> bad, r.rest -> good.
Pipeline routed() {
  PipelineBuilder b("routed");
  auto s = b.node("s", NodeKind::Source, {call("generate")});
  auto r = b.node("r", NodeKind::Stage,
                  {call("route", {{"outputs.1", Expression{"status >= 500 && path =~ \"^/api\"", "errors"}},
                                  {"outputs.2", Expression{"true", "rest"}}})});
  auto bad = b.node("bad", NodeKind::Sink, {call("discard")});
  auto good = b.node("good", NodeKind::Sink, {call("discard")});
  b.at(r).output_labels = {"errors", "rest"};
  b.edge(s, r);
  b.edge_at(b.edge(r, bad)).output = "errors";
  b.edge_at(b.edge(r, good, 4, Overflow::DropNewest)).output = "rest";
  return b.build();
}

}  // namespace

TEST_CASE("DOT labels each route edge with its output and condition", "[output][dot][route]") {
  auto dot = to_dot(routed(), builtin_operators());
  INFO(dot);
  CHECK(
      dot.find(
          "  \"r\" -> \"bad\" [style=solid, label=\"errors: status >= 500 && path =~ \\\"^/api\\\"\\ncap 2, "
          "block\"];\n") != std::string::npos);
  CHECK(dot.find("label=\"rest: true\\ncap 4, drop_newest\"") != std::string::npos);
  // An edge without a label keeps its plain label.
  CHECK(dot.find("  \"s\" -> \"r\" [style=solid, label=\"cap 2, block\"];\n") != std::string::npos);
  auto svg = render_svg(dot);
  CHECK(svg.exit_code == 0);
}

TEST_CASE("Mermaid labels each route edge with its output and condition", "[output][mermaid][route]") {
  auto chart = to_mermaid(routed(), builtin_operators());
  INFO(chart);
  CHECK(chart.find("  n1 -->|\"errors: status #gt;= 500 #amp;#amp; path =~ #quot;^/api#quot;<br/>cap 2, "
                   "block\"| n2\n") != std::string::npos);
  CHECK(chart.find("|\"rest: true<br/>cap 4, drop_newest\"| n3\n") != std::string::npos);
}
