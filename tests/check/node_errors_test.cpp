// Errors in node declarations: operators, arguments, roles, attributes, names.
#include <catch2/catch.hpp>
#include <stdexcept>

#include "support.hpp"

using namespace flow;
using flow::test::diagnostics_of;
using flow::test::load_text;

namespace {

// A valid pipeline around one stage `work` declared on line 2 by `stage_line`.
std::string with_stage(const std::string& stage_line) {
  return "source ingest = generate(count=10)\n" + stage_line +
         "\n"
         "sink store = discard()\n"
         "ingest -> work -> store\n";
}

}  // namespace

TEST_CASE("an unknown operator is named with a suggestion", "[check]") {
  CHECK(diagnostics_of(with_stage("stage work = dely(10ms)")) ==
        "t.flow:2:14: error: unknown operator 'dely'; did you mean 'delay'?\n"
        "    stage work = dely(10ms)\n"
        "                 ^^^^\n");
}

TEST_CASE("an unknown operator far from every name gets no suggestion", "[check]") {
  CHECK(diagnostics_of(with_stage("stage work = frobnicate()")) ==
        "t.flow:2:14: error: unknown operator 'frobnicate'\n"
        "    stage work = frobnicate()\n"
        "                 ^^^^^^^^^^\n");
}

TEST_CASE("an unknown argument name is named with a suggestion", "[check]") {
  CHECK(diagnostics_of(with_stage("stage work = delay(duraton=10ms)")) ==
        "t.flow:2:20: error: operator 'delay' has no argument 'duraton'; did you mean 'duration'?\n"
        "    stage work = delay(duraton=10ms)\n"
        "                       ^^^^^^^\n");
}

TEST_CASE("a missing required argument points at the operator", "[check]") {
  CHECK(diagnostics_of(with_stage("stage work = delay()")) ==
        "t.flow:2:14: error: operator 'delay' is missing its required argument 'duration'\n"
        "    stage work = delay()\n"
        "                 ^^^^^\n");
}

TEST_CASE("a size where a duration is due is a wrong kind", "[check]") {
  CHECK(diagnostics_of(with_stage("stage work = delay(16B)")) ==
        "t.flow:2:20: error: expected a duration or a distribution such as 'exponential(10ms)', got a size\n"
        "    stage work = delay(16B)\n"
        "                       ^^^\n");
}

TEST_CASE("too many positional arguments point at the first extra one", "[check]") {
  CHECK(diagnostics_of(with_stage("stage work = delay(1ms, 2ms)")) ==
        "t.flow:2:25: error: operator 'delay' takes 1 positional argument\n"
        "    stage work = delay(1ms, 2ms)\n"
        "                            ^^^\n");
}

TEST_CASE("an argument given both by position and by name is given twice", "[check]") {
  CHECK(diagnostics_of(with_stage("stage work = delay(1ms, duration=2ms)")) ==
        "t.flow:2:25: error: argument 'duration' of 'delay' is given twice\n"
        "    stage work = delay(1ms, duration=2ms)\n"
        "                            ^^^^^^^^\n");
}

TEST_CASE("the operator's own validation points at the argument it rejects", "[check]") {
  CHECK(diagnostics_of("source ingest = generate(count=-1)\n"
                       "sink store = discard()\n"
                       "ingest -> store\n") ==
        "t.flow:1:32: error: count must be at least 0, got -1\n"
        "    source ingest = generate(count=-1)\n"
        "                                   ^^\n");
}

TEST_CASE("workers=0 is rejected under the value", "[check]") {
  CHECK(diagnostics_of(with_stage("stage work = delay(1ms) [workers=0]")) ==
        "t.flow:2:34: error: workers must be at least 1, got 0\n"
        "    stage work = delay(1ms) [workers=0]\n"
        "                                     ^\n");
}

TEST_CASE("an unknown node attribute is named with a suggestion", "[check]") {
  CHECK(diagnostics_of(with_stage("stage work = delay(1ms) [wokers=2]")) ==
        "t.flow:2:26: error: unknown node attribute 'wokers'; did you mean 'workers'?\n"
        "    stage work = delay(1ms) [wokers=2]\n"
        "                             ^^^^^^\n");
}

TEST_CASE("a node attribute another tool's word for workers suggests workers", "[check]") {
  CHECK(diagnostics_of(with_stage("stage work = delay(1ms) [threads=2]")) ==
        "t.flow:2:26: error: unknown node attribute 'threads'; did you mean 'workers'?\n"
        "    stage work = delay(1ms) [threads=2]\n"
        "                             ^^^^^^^\n");
}

TEST_CASE("an unknown fanout lists the choices and suggests the close one", "[check]") {
  CHECK(diagnostics_of(with_stage("stage work = delay(1ms) [fanout=roundrobin]")) ==
        "t.flow:2:33: error: unknown fanout 'roundrobin'; expected one of broadcast, round_robin; "
        "did you mean 'round_robin'?\n"
        "    stage work = delay(1ms) [fanout=roundrobin]\n"
        "                                    ^^^^^^^^^^\n");
}

TEST_CASE("ordered takes a boolean", "[check]") {
  CHECK(diagnostics_of(with_stage("stage work = delay(1ms) [ordered=1]")) ==
        "t.flow:2:34: error: expected a boolean, got an integer\n"
        "    stage work = delay(1ms) [ordered=1]\n"
        "                                     ^\n");
}

TEST_CASE("an attribute given twice points at the second", "[check]") {
  CHECK(diagnostics_of(with_stage("stage work = delay(1ms) [workers=2, workers=3]")) ==
        "t.flow:2:37: error: attribute 'workers' is given twice\n"
        "    stage work = delay(1ms) [workers=2, workers=3]\n"
        "                                        ^^^^^^^\n");
}

TEST_CASE("a sink operator cannot start a source", "[check]") {
  CHECK(diagnostics_of("source ingest = discard()\n"
                       "sink store = discard()\n"
                       "ingest -> store\n") ==
        "t.flow:1:17: error: source 'ingest' must start with a source operator, not sink operator 'discard'\n"
        "    source ingest = discard()\n"
        "                    ^^^^^^^\n");
}

TEST_CASE("a source operator cannot be used in a stage", "[check]") {
  CHECK(diagnostics_of(with_stage("stage work = generate()")) ==
        "t.flow:2:14: error: 'generate' is a source operator; it can only come first in a source\n"
        "    stage work = generate()\n"
        "                 ^^^^^^^^\n");
}

TEST_CASE("a sink must end with a sink operator", "[check]") {
  CHECK(diagnostics_of("source ingest = generate()\n"
                       "sink store = delay(1ms)\n"
                       "ingest -> store\n") ==
        "t.flow:2:14: error: sink 'store' must end with a sink operator, not stage operator 'delay'\n"
        "    sink store = delay(1ms)\n"
        "                 ^^^^^\n");
}

TEST_CASE("a sink operator cannot come before the end of a sink", "[check]") {
  CHECK(diagnostics_of("source ingest = generate()\n"
                       "sink store = discard() | discard()\n"
                       "ingest -> store\n") ==
        "t.flow:2:14: error: 'discard' is a sink operator; it can only come last in a sink\n"
        "    sink store = discard() | discard()\n"
        "                 ^^^^^^^\n");
}

TEST_CASE("a node declared twice points at the second and names the first's line", "[check]") {
  CHECK(diagnostics_of(std::string(flow::test::base_pipeline) + "stage ingest = delay(1ms)\n") ==
        "t.flow:4:7: error: node 'ingest' is already declared on line 1\n"
        "    stage ingest = delay(1ms)\n"
        "          ^^^^^^\n");
}

TEST_CASE("every error of a file is reported, in source order, and no pipeline is built", "[check]") {
  const std::string text =
      "source ingest = generate(count=10, size=5ms)\n"
      "stage work = dely(1ms) [workers=0]\n"
      "sink store = discard()\n"
      "ingest -> work -> store [overflow=drop]\n";
  auto result = load_text(text);
  CHECK_FALSE(result.pipeline.has_value());
  CHECK(diagnostics_of(text) ==
        "t.flow:1:41: error: expected a size, got a duration\n"
        "    source ingest = generate(count=10, size=5ms)\n"
        "                                            ^^^\n"
        "t.flow:2:14: error: unknown operator 'dely'; did you mean 'delay'?\n"
        "    stage work = dely(1ms) [workers=0]\n"
        "                 ^^^^\n"
        "t.flow:2:33: error: workers must be at least 1, got 0\n"
        "    stage work = dely(1ms) [workers=0]\n"
        "                                    ^\n"
        "t.flow:4:35: error: unknown overflow policy 'drop'; expected one of block, drop_newest, drop_oldest, fail\n"
        "    ingest -> work -> store [overflow=drop]\n"
        "                                      ^^^^\n");
}

TEST_CASE("a validator that throws rejects the call instead of crashing the checker", "[check]") {
  OperatorRegistry registry;
  register_builtin_operators(registry);
  OperatorSpec spec;
  spec.name = "fussy";
  spec.role = Role::Stage;
  spec.args = {ArgumentSpec{"level", ValueKind::Decimal, true, std::nullopt, true}};
  spec.validate = [](const OperatorCall& call, std::string& argument) -> std::string {
    argument = "level";
    if (std::get<double>(call.args.at("level")) > 1) throw std::runtime_error("level too high");
    return "";
  };
  registry.add(spec);
  auto source = flow::test::source_of(with_stage("stage work = fussy(2)"));
  CHECK(render_all(*source, load(source, registry).diagnostics) ==
        "t.flow:2:20: error: operator 'fussy' rejected its arguments: level too high\n"
        "    stage work = fussy(2)\n"
        "                       ^\n");
  // The integer 1 is widened to the decimal the spec asks for.
  auto fine = flow::test::source_of(with_stage("stage work = fussy(1)"));
  auto result = load(fine, registry);
  REQUIRE(result.pipeline.has_value());
  CHECK(result.pipeline->nodes[1].chain[0].args.at("level") == Value{1.0});
}

TEST_CASE("an operator without positional arguments says so", "[check]") {
  CHECK(diagnostics_of(with_stage("stage work = upper(1)")) ==
        "t.flow:2:20: error: operator 'upper' takes no positional arguments\n"
        "    stage work = upper(1)\n"
        "                       ^\n");
}

TEST_CASE("a report interval must be longer than zero", "[check]") {
  CHECK(diagnostics_of("pipeline p [report=0s]\n" + std::string(flow::test::base_pipeline)) ==
        "t.flow:1:20: error: report must be longer than 0s\n"
        "    pipeline p [report=0s]\n"
        "                       ^^\n");
}

TEST_CASE("read's max_line is a size, and more than nothing", "[check]") {
  CHECK(diagnostics_of("source ingest = read(\"in.txt\", max_line=10ms)\n"
                       "sink store = discard()\n"
                       "ingest -> store\n") ==
        "t.flow:1:41: error: expected a size, got a duration\n"
        "    source ingest = read(\"in.txt\", max_line=10ms)\n"
        "                                            ^^^^\n");
  CHECK(diagnostics_of("source ingest = read(\"in.txt\", max_line=0B)\n"
                       "sink store = discard()\n"
                       "ingest -> store\n") ==
        "t.flow:1:41: error: max_line must be more than 0B\n"
        "    source ingest = read(\"in.txt\", max_line=0B)\n"
        "                                            ^^\n");
  CHECK(diagnostics_of("source ingest = read(\"in.txt\", max_line=64KiB)\n"
                       "sink store = discard()\n"
                       "ingest -> store\n") == "");
}
