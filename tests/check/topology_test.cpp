// Whole-graph checks: reachability, dangling outputs, cycles.
#include <catch2/catch.hpp>

#include "support.hpp"

using namespace flow;
using flow::test::diagnostics_of;
using flow::test::load_text;

TEST_CASE("a stage that no source reaches is an error", "[check]") {
  CHECK(diagnostics_of("source s = generate()\n"
                       "stage orphan = delay(1ms)\n"
                       "sink k = discard()\n"
                       "s -> k\n"
                       "orphan -> k\n") ==
        "t.flow:2:7: error: no source reaches stage 'orphan'\n"
        "    stage orphan = delay(1ms)\n"
        "          ^^^^^^\n");
}

TEST_CASE("a sink that no source reaches is an error", "[check]") {
  CHECK(diagnostics_of("source s = generate()\n"
                       "sink k = discard()\n"
                       "sink m = discard()\n"
                       "s -> k\n") ==
        "t.flow:3:6: error: no source reaches sink 'm'\n"
        "    sink m = discard()\n"
        "         ^\n");
}

TEST_CASE("a source whose output goes nowhere is an error", "[check]") {
  CHECK(diagnostics_of("source s = generate()\n"
                       "source t = generate()\n"
                       "sink k = discard()\n"
                       "s -> k\n") ==
        "t.flow:2:8: error: the output of source 't' goes nowhere\n"
        "    source t = generate()\n"
        "           ^\n");
}

TEST_CASE("a stage that reaches no sink and one whose output goes nowhere are both reported", "[check]") {
  CHECK(diagnostics_of("source s = generate()\n"
                       "stage a = delay(1ms)\n"
                       "stage b = delay(1ms)\n"
                       "sink k = discard()\n"
                       "s -> k\n"
                       "s -> a -> b\n") ==
        "t.flow:2:7: error: stage 'a' reaches no sink\n"
        "    stage a = delay(1ms)\n"
        "          ^\n"
        "t.flow:3:7: error: the output of stage 'b' goes nowhere\n"
        "    stage b = delay(1ms)\n"
        "          ^\n");
}

TEST_CASE("a cycle is named from its earliest-declared node", "[check]") {
  auto text =
      "source s = generate()\n"
      "stage a = delay(1ms)\n"
      "stage b = delay(1ms)\n"
      "sink k = discard()\n"
      "s -> a -> b -> k\n"
      "b -> a\n";
  CHECK_FALSE(load_text(text).pipeline.has_value());
  CHECK(diagnostics_of(text) ==
        "t.flow:5:8: error: cycle: a -> b -> a\n"
        "    s -> a -> b -> k\n"
        "           ^^\n");
}

TEST_CASE("each cycle is reported once, even when cycles share nodes", "[check]") {
  CHECK(diagnostics_of("source s = generate()\n"
                       "stage a = delay(1ms)\n"
                       "stage b = delay(1ms)\n"
                       "stage c = delay(1ms)\n"
                       "sink k = discard()\n"
                       "s -> a -> b -> c -> k\n"
                       "c -> a\n"
                       "b -> a\n") ==
        "t.flow:6:8: error: cycle: a -> b -> c -> a\n"
        "    s -> a -> b -> c -> k\n"
        "           ^^\n"
        "t.flow:6:8: error: cycle: a -> b -> a\n"
        "    s -> a -> b -> c -> k\n"
        "           ^^\n");
}

TEST_CASE("an edge from a node to itself is a cycle", "[check]") {
  CHECK(diagnostics_of("source s = generate()\n"
                       "stage a = delay(1ms)\n"
                       "sink k = discard()\n"
                       "s -> a -> k\n"
                       "a -> a\n") ==
        "t.flow:5:3: error: cycle: a -> a\n"
        "    a -> a\n"
        "      ^^\n");
}

TEST_CASE("a diamond is not a cycle", "[check]") {
  CHECK(diagnostics_of("source s = generate()\n"
                       "stage a = delay(1ms)\n"
                       "stage b = delay(1ms)\n"
                       "sink k = discard()\n"
                       "s -> {a, b} -> k\n")
            .empty());
}
