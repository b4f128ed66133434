// Statement forms of language.md, and the end-to-end example's whole tree.
#include <catch2/catch.hpp>

#include <chrono>

#include "helpers.hpp"

using namespace flow;
using namespace std::chrono_literals;
using flow::test::only_statement;
using flow::test::parse_text;

namespace {

std::vector<std::string> names_of(const syntax::EdgeStep& step) {
  std::vector<std::string> names;
  for (const auto& node : step.nodes) names.push_back(node.text);
  return names;
}

void check_location(const SourceLocation& at, std::size_t line, std::size_t column) {
  CHECK(at.line == line);
  CHECK(at.column == column);
}

}  // namespace

TEST_CASE("a pipeline header has a name and optional attributes", "[grammar]") {
  auto bare = only_statement<syntax::Header>("pipeline demo");
  CHECK(bare.name.text == "demo");
  CHECK(bare.attributes.empty());

  auto header = only_statement<syntax::Header>("pipeline demo [report=1s, max_in_flight=50]");
  REQUIRE(header.attributes.size() == 2);
  CHECK(header.attributes[0].key.text == "report");
  CHECK(header.attributes[0].value.value == Value{Duration{1s}});
  CHECK(header.attributes[1].key.text == "max_in_flight");
  CHECK(header.attributes[1].value.value == Value{std::int64_t{50}});
}

TEST_CASE("source, stage and sink declare nodes with a fused operator chain", "[grammar]") {
  auto source = only_statement<syntax::NodeDecl>("source ingest = generate(count=100, size=16B)");
  CHECK(source.kind == NodeKind::Source);
  CHECK(source.name.text == "ingest");
  REQUIRE(source.chain.size() == 1);
  CHECK(source.chain[0].name.text == "generate");
  REQUIRE(source.chain[0].args.size() == 2);
  CHECK(source.chain[0].args[0].name->text == "count");
  CHECK(source.chain[0].args[1].value.value == Value{Size{16}});

  auto stage = only_statement<syntax::NodeDecl>("stage s = delay(10ms) [workers=5, ordered=true]");
  CHECK(stage.kind == NodeKind::Stage);
  REQUIRE(stage.chain[0].args.size() == 1);
  CHECK_FALSE(stage.chain[0].args[0].name);
  CHECK(stage.chain[0].args[0].value.value == Value{Duration{10ms}});
  REQUIRE(stage.attributes.size() == 2);
  CHECK(stage.attributes[1].value.value == Value{true});

  auto sink = only_statement<syntax::NodeDecl>("sink store = batch(max=100, within=1s) | delay(20ms) | discard()");
  CHECK(sink.kind == NodeKind::Sink);
  REQUIRE(sink.chain.size() == 3);
  CHECK(sink.chain[2].name.text == "discard");
  CHECK(sink.chain[2].args.empty());
}

TEST_CASE("operator arguments may mix positions and names, and end with a comma", "[grammar]") {
  auto node = only_statement<syntax::NodeDecl>("stage r = replace(\"a\", with = \"b\",)");
  REQUIRE(node.chain[0].args.size() == 2);
  CHECK_FALSE(node.chain[0].args[0].name);
  CHECK(node.chain[0].args[1].name->text == "with");
  check_location(node.chain[0].args[1].name->location, 1, 24);
  CHECK(node.chain[0].args[1].value.value == Value{std::string("b")});
}

TEST_CASE("attribute lists may be empty or end with a comma", "[grammar]") {
  CHECK(only_statement<syntax::Defaults>("edge []").attributes.empty());
  CHECK(only_statement<syntax::Defaults>("edge [capacity=5,]").attributes.size() == 1);
  CHECK(only_statement<syntax::EdgeChain>("a -> b [ ]").attributes.empty());
}

TEST_CASE("edge chains record each step and each arrow", "[grammar]") {
  auto chain = only_statement<syntax::EdgeChain>("a -> b->c [capacity=unbounded, overflow=drop_oldest]");
  REQUIRE(chain.steps.size() == 3);
  CHECK(names_of(chain.steps[2]) == std::vector<std::string>{"c"});
  REQUIRE(chain.arrows.size() == 2);
  check_location(chain.arrows[0], 1, 3);
  check_location(chain.arrows[1], 1, 7);
  REQUIRE(chain.attributes.size() == 2);
  CHECK(chain.attributes[0].value.value == Value{Unbounded{}});
  CHECK(chain.attributes[1].value.value == Value{Identifier{"drop_oldest"}});
}

TEST_CASE("DOT-style groups fan out and fan in at any step", "[grammar]") {
  auto chain = only_statement<syntax::EdgeChain>("{a, b} -> {c,d,} -> e -> {f}");
  REQUIRE(chain.steps.size() == 4);
  CHECK(names_of(chain.steps[0]) == std::vector<std::string>{"a", "b"});
  CHECK(names_of(chain.steps[1]) == std::vector<std::string>{"c", "d"});
  CHECK(names_of(chain.steps[2]) == std::vector<std::string>{"e"});
  CHECK(names_of(chain.steps[3]) == std::vector<std::string>{"f"});
  check_location(chain.steps[1].nodes[1].location, 1, 14);
}

TEST_CASE("defaults statements name what they apply to", "[grammar]") {
  using Target = syntax::Defaults::Target;
  auto edge = only_statement<syntax::Defaults>("edge [capacity=5]");
  CHECK(edge.target == Target::Edge);
  CHECK(only_statement<syntax::Defaults>("source [workers=1]").target == Target::Source);
  CHECK(only_statement<syntax::Defaults>("stage [workers=2]").target == Target::Stage);
  auto sink = only_statement<syntax::Defaults>("  sink [on_error=skip]");
  CHECK(sink.target == Target::Sink);
  check_location(sink.location, 1, 3);
}

TEST_CASE("the end-to-end example of language.md parses to the expected tree", "[grammar]") {
  const std::string text =
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
  auto result = parse_text(text);
  REQUIRE(result.diagnostics.empty());
  const auto& statements = result.file.statements;
  REQUIRE(statements.size() == 7);

  const auto& header = std::get<syntax::Header>(statements[0]);
  CHECK(header.name.text == "end_to_end");
  check_location(header.name.location, 2, 10);

  const auto& ingest = std::get<syntax::NodeDecl>(statements[1]);
  CHECK(ingest.kind == NodeKind::Source);
  check_location(ingest.keyword_location, 4, 1);
  CHECK(ingest.name.text == "ingest");
  check_location(ingest.name.location, 4, 8);
  CHECK(ingest.chain[0].args[0].value.value == Value{std::int64_t{100}});
  check_location(ingest.chain[0].args[0].value.location, 4, 34);
  CHECK(ingest.chain[0].args[0].value.width == 3);

  const auto& validate = std::get<syntax::NodeDecl>(statements[2]);
  CHECK(validate.name.text == "validate");
  CHECK(validate.chain[0].args[0].value.value == Value{Duration{10ms}});
  const auto& process = std::get<syntax::NodeDecl>(statements[3]);
  CHECK(process.chain[0].args[0].value.value == Value{Duration{50ms}});

  const auto& store = std::get<syntax::NodeDecl>(statements[4]);
  CHECK(store.kind == NodeKind::Sink);
  REQUIRE(store.chain.size() == 2);
  CHECK(store.chain[1].name.text == "discard");
  check_location(store.chain[1].name.location, 7, 33);

  const auto& defaults = std::get<syntax::Defaults>(statements[5]);
  CHECK(defaults.target == syntax::Defaults::Target::Edge);
  REQUIRE(defaults.attributes.size() == 2);
  CHECK(defaults.attributes[0].value.value == Value{std::int64_t{5}});
  CHECK(defaults.attributes[1].value.value == Value{Identifier{"block"}});
  check_location(defaults.attributes[1].key.location, 9, 19);

  const auto& chain = std::get<syntax::EdgeChain>(statements[6]);
  REQUIRE(chain.steps.size() == 4);
  CHECK(names_of(chain.steps[3]) == std::vector<std::string>{"store"});
  check_location(chain.arrows[2], 10, 31);
  CHECK(chain.arrows[2].offset == text.find("-> store"));
}

TEST_CASE("an empty file or one with only comments has no statements", "[grammar]") {
  for (const std::string text : {"", "\n\n", "# nothing\n// here", " ; ;\n;"}) {
    auto result = parse_text(text);
    CHECK(result.diagnostics.empty());
    CHECK(result.file.statements.empty());
  }
}

TEST_CASE("value keywords may name pipelines and nodes", "[grammar]") {
  CHECK(only_statement<syntax::Header>("pipeline unbounded").name.text == "unbounded");
  CHECK(only_statement<syntax::NodeDecl>("stage true = delay(1s)").name.text == "true");
  auto chain = only_statement<syntax::EdgeChain>("false -> {unbounded, x}");
  CHECK(chain.steps[0].nodes[0].text == "false");
  CHECK(chain.steps[1].nodes[0].text == "unbounded");
}
