// Dead-letter routes and deadlines in the pictures (issue 24, items 3 and 4):
// which reasons a route carries, DOT (checked by Graphviz) and Mermaid, with
// and without a run's metrics. Inputs are hand-built (pipelines.hpp).
#include <catch2/catch.hpp>

#include "flow/dot.hpp"
#include "flow/mermaid.hpp"
#include "graphviz.hpp"
#include "pipelines.hpp"

using namespace flow;
using namespace flow::test;

namespace {

// The statement of edge from -> to: the n-th one with those ends, as a whole line.
std::string dot_edge(const std::string& dot, const std::string& from, const std::string& to, int nth = 0) {
  auto needle = "\n  \"" + from + "\" -> \"" + to + "\" [";
  auto start = dot.find(needle);
  for (int i = 0; i < nth && start != std::string::npos; ++i) start = dot.find(needle, start + 1);
  REQUIRE(start != std::string::npos);
  return dot.substr(start + 1, dot.find('\n', start + 1) - start - 1);
}

std::string dot_node(const std::string& dot, const std::string& name) {
  auto start = dot.find("\n  \"" + name + "\" [");
  REQUIRE(start != std::string::npos);
  return dot.substr(start + 1, dot.find('\n', start + 1) - start - 1);
}

// The <g class="edge"> group Graphviz drew for from -> to (its <title> is "from->to").
std::string svg_edge(const std::string& svg, const std::string& from, const std::string& to) {
  auto title = svg.find("<title>" + from + "&#45;&gt;" + to + "</title>");
  REQUIRE(title != std::string::npos);
  return svg.substr(title, svg.find("</g>", title) - title);
}

using Reasons = std::vector<std::string>;

}  // namespace

TEST_CASE("a dead-letter edge carries the reasons of the routes from its producer to its consumer",
          "[output][routes]") {
  auto pipeline = dead_letters();
  // Edges 0 and 1 are declared; 2, 3, 4 are ingest ⇢ dlq, work ⇢ dlq, store ⇢ dlq.
  CHECK(dead_letter_reasons(pipeline, 0).empty());
  CHECK(dead_letter_reasons(pipeline, 1).empty());
  CHECK(dead_letter_reasons(pipeline, 2) == Reasons{"dropped"});  // ingest -> work [dropped=dlq]
  CHECK(dead_letter_reasons(pipeline, 3) ==
        Reasons{"errors", "expired"});                            // work [on_error=dlq, expired=dlq]
  CHECK(dead_letter_reasons(pipeline, 4) == Reasons{"expired"});  // work -> store [expired=dlq]: store sheds
}

TEST_CASE("a route counts only for the edge to the node it names", "[output][routes]") {
  PipelineBuilder b("two_targets");
  auto src = b.node("src", NodeKind::Source, {call("generate")});
  auto work = b.node("work", NodeKind::Stage, {call("upper")});
  auto out = b.node("out", NodeKind::Sink, {call("discard")});
  auto audit = b.node("audit", NodeKind::Sink, {call("discard")});
  auto dlq = b.node("dlq", NodeKind::Sink, {call("discard")});
  b.edge(src, work);
  auto e = b.edge(work, out, 2, Overflow::DropNewest);
  b.edge_at(e).dropped_to = audit;
  b.at(work).on_error = OnError::DeadLetter;
  b.at(work).errors_to = dlq;
  b.at(work).expired_to = audit;
  b.at(work).deadline = Duration{std::chrono::milliseconds(50)};
  auto to_audit = b.dead_letter(work, audit);
  auto to_dlq = b.dead_letter(work, dlq);
  auto pipeline = b.build();
  CHECK(dead_letter_reasons(pipeline, to_audit) == Reasons{"dropped", "expired"});
  CHECK(dead_letter_reasons(pipeline, to_dlq) == Reasons{"errors"});
}

TEST_CASE("DOT draws dead-letter edges dashed with a hollow head, labelled with their reasons",
          "[output][dot][routes]") {
  auto dot = to_dot(dead_letters(), builtin_operators());
  INFO(dot);
  CHECK(
      dot_edge(dot, "ingest", "dlq") ==
      R"(  "ingest" -> "dlq" [style=dashed, arrowhead=onormal, label="dead letters: dropped\ncap 256, drop_newest"];)");
  CHECK(
      dot_edge(dot, "work", "dlq") ==
      R"(  "work" -> "dlq" [style=dashed, arrowhead=onormal, label="dead letters: errors, expired\ncap 256, drop_newest"];)");
  CHECK(dot_edge(dot, "store", "dlq").find("label=\"dead letters: expired\\n") != std::string::npos);
  // A declared edge keeps its own style: solid for block, and its deadline in the label.
  CHECK(dot_edge(dot, "work", "store") ==
        R"(  "work" -> "store" [style=solid, label="cap 5, block, deadline=100ms"];)");
  CHECK(
      dot_node(dot, "work").find("label=\"work\\ndelay(10ms)\\n2 workers, on_error=dlq, deadline=200ms\"") !=
      std::string::npos);

  // Graphviz accepts it, and the dashes reach the SVG (the live page draws this SVG).
  auto svg = render_svg(dot);
  INFO(svg.err);
  REQUIRE(svg.exit_code == 0);
  CHECK(svg.err.empty());
  CHECK(svg_edge(svg.out, "work", "dlq").find("stroke-dasharray") != std::string::npos);
  CHECK(svg_edge(svg.out, "work", "store").find("stroke-dasharray") == std::string::npos);
}

TEST_CASE("DOT with a run puts a route's counts on it, and deadlines' on edges and nodes",
          "[output][dot][routes]") {
  auto run = dead_letters_run();
  auto dot = to_dot(dead_letters(), builtin_operators(), &run);
  INFO(dot);
  // ingest ⇢ dlq carried the 10 ingest -> work dropped; work ⇢ dlq the 5 + 3 work failed and shed.
  CHECK(dot_edge(dot, "ingest", "dlq").find("\\n10 carried, peak 10/256\"") != std::string::npos);
  CHECK(dot_edge(dot, "work", "dlq").find("\\n8 carried, peak 8/256\"") != std::string::npos);
  CHECK(dot_edge(dot, "ingest", "work").find("\\npeak 5/5, dropped 10 (10 routed)\"") != std::string::npos);
  CHECK(dot_edge(dot, "work", "store").find("\\npeak 5/5, expired 2 (2 routed)\"") != std::string::npos);
  CHECK(dot_node(dot, "work").find("90 in / 82 out, 5 errors, 3 expired (8 routed)") != std::string::npos);
  CHECK(render_svg(dot).exit_code == 0);
}

TEST_CASE("DOT with a run tells a route a -> b from a declared edge a -> b", "[output][dot][routes]") {
  PipelineBuilder b("both");
  auto src = b.node("src", NodeKind::Source, {call("generate")});
  auto dlq = b.node("dlq", NodeKind::Sink, {call("discard")});
  b.edge(src, dlq, 7);
  b.at(src).on_error = OnError::DeadLetter;
  b.at(src).errors_to = dlq;
  b.dead_letter(src, dlq);
  auto pipeline = b.build();
  auto run = unstarted_metrics(pipeline);
  run.edges[0].in = run.edges[0].out = run.edges[0].high_water = 7;
  run.edges[1].in = run.edges[1].out = run.edges[1].high_water = 3;
  auto dot = to_dot(pipeline, builtin_operators(), &run);
  INFO(dot);
  CHECK(dot_edge(dot, "src", "dlq", 0).find("style=solid") != std::string::npos);
  CHECK(dot_edge(dot, "src", "dlq", 0).find("\\npeak 7/7\"") != std::string::npos);
  CHECK(dot_edge(dot, "src", "dlq", 1).find("style=dashed, arrowhead=onormal") != std::string::npos);
  CHECK(dot_edge(dot, "src", "dlq", 1).find("\\n3 carried, peak 3/256\"") != std::string::npos);

  // Metrics that do not mark the route (written before dead_letter was a key)
  // but list edges in the pipeline's order: the place tells them apart.
  auto unmarked = run;
  unmarked.edges[1].dead_letter = false;
  auto by_place = to_dot(pipeline, builtin_operators(), &unmarked);
  CHECK(dot_edge(by_place, "src", "dlq", 0).find("\\npeak 7/7\"") != std::string::npos);
  CHECK(dot_edge(by_place, "src", "dlq", 1).find("\\npeak 3/256\"") != std::string::npos);

  // Read back from a file that lists the route first, the kinds still match them up.
  std::swap(run.edges[0], run.edges[1]);
  run.edges.push_back(run.edges[0]);  // no longer in the pipeline's order: found by ends and kind
  run.edges.back().in = 0;
  dot = to_dot(pipeline, builtin_operators(), &run);
  CHECK(dot_edge(dot, "src", "dlq", 0).find("\\npeak 7/7\"") != std::string::npos);
  CHECK(dot_edge(dot, "src", "dlq", 1).find("\\n3 carried, peak 3/256\"") != std::string::npos);
}

TEST_CASE("Mermaid draws dead-letter edges dotted with their reasons, deadlines on edges and nodes",
          "[output][mermaid][routes]") {
  auto mermaid = to_mermaid(dead_letters(), builtin_operators());
  INFO(mermaid);
  // Nodes n0 ingest, n1 work, n2 store, n3 dlq, in declaration order.
  CHECK(mermaid.find("\n  n0 -.->|\"dead letters: dropped<br/>cap 256, drop_newest\"| n3\n") !=
        std::string::npos);
  CHECK(mermaid.find("\n  n1 -.->|\"dead letters: errors, expired<br/>cap 256, drop_newest\"| n3\n") !=
        std::string::npos);
  CHECK(mermaid.find("\n  n2 -.->|\"dead letters: expired<br/>cap 256, drop_newest\"| n3\n") !=
        std::string::npos);
  CHECK(mermaid.find("\n  n1 -->|\"cap 5, block, deadline=100ms\"| n2\n") != std::string::npos);
  CHECK(mermaid.find("\n  n1[\"work<br/>delay(10ms)<br/>2 workers, on_error=dlq, deadline=200ms\"]\n") !=
        std::string::npos);

  // Dotted as a route whatever its overflow says, as a cut edge is.
  auto blocking = dead_letters();
  blocking.edges[3].overflow = Overflow::Block;
  CHECK(to_mermaid(blocking, builtin_operators())
            .find("\n  n1 -.->|\"dead letters: errors, expired<br/>cap 256, block\"| n3\n") !=
        std::string::npos);
  CHECK(to_dot(blocking, builtin_operators())
            .find("\n  \"work\" -> \"dlq\" [style=dashed, arrowhead=onormal,") != std::string::npos);

  auto run = dead_letters_run();
  auto measured = to_mermaid(dead_letters(), builtin_operators(), &run);
  INFO(measured);
  CHECK(measured.find("\n  n1 -.->|\"dead letters: errors, expired<br/>cap 256, drop_newest<br/>8 carried, "
                      "peak 8/256\"| n3\n") != std::string::npos);
  // linkStyle numbers links in the order drawn: the route work ⇢ dlq is link 3.
  CHECK(measured.find("\n  linkStyle 3 stroke:") != std::string::npos);
}
