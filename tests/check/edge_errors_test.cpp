// Errors in edge chains and in the pipeline header.
#include <catch2/catch.hpp>

#include "support.hpp"

using namespace flow;
using flow::test::diagnostics_of;

namespace {

// The base pipeline (ingest -> store on line 3) plus `extra` on line 4.
std::string with_line(const std::string& extra) { return std::string(flow::test::base_pipeline) + extra + "\n"; }

}  // namespace

TEST_CASE("the unknown overflow policy message reads as in the language design", "[check]") {
  auto source = flow::test::source_of(
      "pipeline end_to_end\n"
      "source ingest   = generate(count=100, size=16B)\n"
      "stage  validate = delay(10ms)\n"
      "sink   store    = delay(20ms) | discard()\n"
      "validate -> store\n"
      "\n"
      "ingest -> validate [overflow=drop]\n",
      "end_to_end.flow");
  auto result = load(source, builtin_operators());
  CHECK(render_all(*source, result.diagnostics) ==
        "end_to_end.flow:7:30: error: unknown overflow policy 'drop'; expected one of block, drop_newest, "
        "drop_oldest, fail\n"
        "    ingest -> validate [overflow=drop]\n"
        "                                 ^^^^\n");
}

TEST_CASE("an unknown node in an edge is named with a suggestion", "[check]") {
  CHECK(diagnostics_of(with_line("ingest -> stor")) ==
        "t.flow:4:11: error: unknown node 'stor'; did you mean 'store'?\n"
        "    ingest -> stor\n"
        "              ^^^^\n");
}

TEST_CASE("an edge declared twice points at the second arrow", "[check]") {
  CHECK(diagnostics_of(with_line("ingest -> store")) ==
        "t.flow:4:8: error: edge ingest -> store is already declared on line 3\n"
        "    ingest -> store\n"
        "           ^^\n");
}

TEST_CASE("a negative capacity is rejected", "[check]") {
  CHECK(diagnostics_of("source ingest = generate(count=10)\n"
                       "sink store = discard()\n"
                       "ingest -> store [capacity=-3]\n") ==
        "t.flow:3:27: error: capacity must be at least 1, got -3\n"
        "    ingest -> store [capacity=-3]\n"
        "                              ^^\n");
}

TEST_CASE("a capacity must be an integer or unbounded", "[check]") {
  CHECK(diagnostics_of("source ingest = generate(count=10)\n"
                       "sink store = discard()\n"
                       "ingest -> store [capacity=5ms]\n") ==
        "t.flow:3:27: error: expected an integer or unbounded, got a duration\n"
        "    ingest -> store [capacity=5ms]\n"
        "                              ^^^\n");
}

TEST_CASE("max_bytes must be a size", "[check]") {
  CHECK(diagnostics_of("source ingest = generate(count=10)\n"
                       "sink store = discard()\n"
                       "ingest -> store [max_bytes=10]\n") ==
        "t.flow:3:28: error: expected a size, got an integer\n"
        "    ingest -> store [max_bytes=10]\n"
        "                               ^^\n");
}

TEST_CASE("an unknown edge attribute is named with a suggestion", "[check]") {
  CHECK(diagnostics_of("source ingest = generate(count=10)\n"
                       "sink store = discard()\n"
                       "ingest -> store [capcity=5]\n") ==
        "t.flow:3:18: error: unknown edge attribute 'capcity'; did you mean 'capacity'?\n"
        "    ingest -> store [capcity=5]\n"
        "                     ^^^^^^^\n");
}

TEST_CASE("policy= on an edge suggests overflow, the language's word for it", "[check]") {
  // Too far from `overflow` in spelling for the closest-name suggestion: a synonym table finds it.
  CHECK(diagnostics_of("source ingest = generate(count=10)\n"
                       "sink store = discard()\n"
                       "ingest -> store [policy=drop_newest]\n") ==
        "t.flow:3:18: error: unknown edge attribute 'policy'; did you mean 'overflow'?\n"
        "    ingest -> store [policy=drop_newest]\n"
        "                     ^^^^^^\n");
  // Only where the attribute exists: `threads` suggests `workers` on a node, nothing on an edge.
  CHECK(diagnostics_of("source ingest = generate(count=10)\n"
                       "sink store = discard()\n"
                       "ingest -> store [threads=2]\n") ==
        "t.flow:3:18: error: unknown edge attribute 'threads'\n"
        "    ingest -> store [threads=2]\n"
        "                     ^^^^^^^\n");
}

TEST_CASE("a source cannot have an incoming edge", "[check]") {
  CHECK(diagnostics_of("source a = generate()\n"
                       "source b = generate()\n"
                       "sink k = discard()\n"
                       "a -> b -> k\n") ==
        "t.flow:4:6: error: source 'b' cannot have an incoming edge\n"
        "    a -> b -> k\n"
        "         ^\n");
}

TEST_CASE("a sink cannot have an outgoing edge", "[check]") {
  CHECK(diagnostics_of("source a = generate()\n"
                       "sink k = discard()\n"
                       "sink m = discard()\n"
                       "a -> k -> m\n") ==
        "t.flow:4:6: error: sink 'k' cannot have an outgoing edge\n"
        "    a -> k -> m\n"
        "         ^\n");
}

TEST_CASE("pipeline attributes are typed", "[check]") {
  CHECK(diagnostics_of("pipeline p [report=16B, max_in_flight=0, reprot=1s]\n" +
                       std::string(flow::test::base_pipeline)) ==
        "t.flow:1:20: error: expected a duration, got a size\n"
        "    pipeline p [report=16B, max_in_flight=0, reprot=1s]\n"
        "                       ^^^\n"
        "t.flow:1:39: error: max_in_flight must be at least 1, got 0\n"
        "    pipeline p [report=16B, max_in_flight=0, reprot=1s]\n"
        "                                          ^\n"
        "t.flow:1:42: error: unknown pipeline attribute 'reprot'; did you mean 'report'?\n"
        "    pipeline p [report=16B, max_in_flight=0, reprot=1s]\n"
        "                                             ^^^^^^\n");
}

TEST_CASE("an enum written as a string lists the choices", "[check]") {
  CHECK(diagnostics_of("source ingest = generate(count=10)\n"
                       "sink store = discard()\n"
                       "ingest -> store [overflow=\"block\", max_bytes=0B]\n") ==
        "t.flow:3:27: error: expected one of block, drop_newest, drop_oldest, fail, got a string\n"
        "    ingest -> store [overflow=\"block\", max_bytes=0B]\n"
        "                              ^^^^^^^\n"
        "t.flow:3:46: error: max_bytes must be at least 1B\n"
        "    ingest -> store [overflow=\"block\", max_bytes=0B]\n"
        "                                                 ^^\n");
}

TEST_CASE("unbounded from edge defaults warns at every edge it reaches", "[check]") {
  CHECK(diagnostics_of("source s = generate()\n"
                       "stage a = delay(1ms)\n"
                       "sink k = discard()\n"
                       "edge [capacity=unbounded]\n"
                       "s -> a -> k\n") ==
        "t.flow:5:3: warning: edge s -> a is unbounded; its memory use has no limit\n"
        "    s -> a -> k\n"
        "      ^^\n"
        "t.flow:5:8: warning: edge a -> k is unbounded; its memory use has no limit\n"
        "    s -> a -> k\n"
        "           ^^\n");
}

TEST_CASE("a batch without within that max_in_flight keeps from filling is warned about", "[check]") {
  CHECK(diagnostics_of("pipeline p [max_in_flight=10]\n"
                       "source s = generate()\n"
                       "sink k = batch(max=100) | discard()\n"
                       "s -> k\n") ==
        "t.flow:3:10: warning: batch(max=100) in k has no `within` and max_in_flight is 10: once 10 messages wait "
        "in it the sources stop and it never fills; give it a `within`\n"
        "    sink k = batch(max=100) | discard()\n"
        "             ^^^^^\n");
  // With `within`, a max within the limit, or no max_in_flight set, the batch always empties.
  CHECK(diagnostics_of("pipeline p [max_in_flight=10]\n"
                       "source s = generate()\n"
                       "stage a = batch(max=100, within=10ms)\n"
                       "sink k = unbatch() | batch(max=10) | discard()\n"
                       "s -> a -> k\n")
            .empty());
  CHECK(diagnostics_of("source s = generate()\n"
                       "sink k = batch(max=1000) | discard()\n"
                       "s -> k\n")
            .empty());
}
