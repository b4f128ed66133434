#include "flow/mermaid.hpp"

#include <catch2/catch.hpp>

#include "pipelines.hpp"

using namespace flow;
using namespace flow::test;

namespace {
bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos;
}
}  // namespace

TEST_CASE("Mermaid draws the pipeline as a left-to-right flowchart with one shape per kind", "[output][mermaid]") {
  auto chart = to_mermaid(end_to_end(), builtin_operators());
  INFO(chart);
  CHECK(chart.rfind("flowchart LR\n", 0) == 0);
  CHECK(has_line(chart, "  n0([\"ingest<br/>generate(count=100, size=16B)<br/>1 worker\"])"));
  CHECK(has_line(chart, "  n2[\"process<br/>delay(50ms)<br/>1 worker\"]"));
  CHECK(has_line(chart, "  n3[(\"store<br/>delay(20ms) | discard()<br/>1 worker\")]"));
  CHECK(has_line(chart, "  n1 -->|\"cap 5, block\"| n2"));
  CHECK(chart.find("style ") == std::string::npos);
}

TEST_CASE("Mermaid draws dropping edges dotted and fail edges thick", "[output][mermaid]") {
  PipelineBuilder b("edges");
  auto src = b.node("src", NodeKind::Source, {call("generate")});
  auto a = b.node("a", NodeKind::Sink, {call("discard")});
  auto c = b.node("c", NodeKind::Sink, {call("discard")});
  b.edge(src, a, 4, Overflow::DropOldest);
  b.edge(src, c, std::nullopt, Overflow::Fail);
  auto chart = to_mermaid(b.build(), builtin_operators());
  INFO(chart);
  CHECK(has_line(chart, "  n0 -.->|\"cap 4, drop_oldest\"| n1"));
  CHECK(has_line(chart, "  n0 ==>|\"cap ∞, fail\"| n2"));
}

TEST_CASE("Mermaid labels escape quotes, markup and comment signs", "[output][mermaid]") {
  CHECK(mermaid_escape("say \"hi\" <b> & #1") == "say #quot;hi#quot; #lt;b#gt; #amp; #35;1");
  CHECK(mermaid_escape("a\nb") == "a<br/>b");
  CHECK(mermaid_escape(std::string("\x01\xff", 2)) == "\\x01\\xff");
  PipelineBuilder b("escapes");
  auto in = b.node("in", NodeKind::Source, {call("read", {{"path", std::string("x\"]) --> evil")}})});
  auto out = b.node("end", NodeKind::Sink, {call("discard")});
  b.edge(in, out);
  auto chart = to_mermaid(b.build(), builtin_operators());
  INFO(chart);
  CHECK(chart.find("read(#quot;x\\#quot;]) --#gt; evil#quot;)") != std::string::npos);
  // `end` is a Mermaid keyword: the node id is n1, the name only in the label.
  CHECK(has_line(chart, "  n1[(\"end<br/>discard()<br/>1 worker\")]"));
}

TEST_CASE("Mermaid with a run adds style lines for busy nodes, the bottleneck and edge occupancy",
          "[output][mermaid]") {
  auto run = end_to_end_run();
  auto chart = to_mermaid(end_to_end(), builtin_operators(), &run);
  INFO(chart);
  CHECK(chart.find("n2[\"bottleneck: process<br/>delay(50ms)<br/>1 worker<br/>busy 98 %") != std::string::npos);
  CHECK(has_line(chart, "  style n2 fill:#ff8480,stroke:#d62728,stroke-width:4px"));
  CHECK(chart.find("style n1 fill:") != std::string::npos);
  CHECK(chart.find("style n1 fill:#ff8480") == std::string::npos);
  CHECK(has_line(chart, "  linkStyle 1 stroke:#ff0000,stroke-width:5px"));
  CHECK(has_line(chart, "  linkStyle 2 stroke:#66cc00,stroke-width:3px"));
  CHECK(chart.find("peak 5/5, full 92 %") != std::string::npos);
}
