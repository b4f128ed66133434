// Syntax errors pass through; the header's place is checked.
#include <catch2/catch.hpp>

#include "support.hpp"

using namespace flow;
using flow::test::diagnostics_of;
using flow::test::load_text;

TEST_CASE("a syntax error passes through, without follow-on errors about the lost statement", "[check]") {
  const std::string text =
      "source ingest = generate(count=10\n"
      "stage work = delay(16B)\n"
      "sink store = discard()\n"
      "ingest -> work -> store\n";
  CHECK_FALSE(load_text(text).pipeline.has_value());
  CHECK(diagnostics_of(text) ==
        "t.flow:1:34: error: expected ',' or ')' after the argument\n"
        "    source ingest = generate(count=10\n"
        "                                     ^\n"
        "t.flow:2:20: error: expected a duration or a distribution such as 'exponential(10ms)', got a size\n"
        "    stage work = delay(16B)\n"
        "                       ^^^\n");
}

TEST_CASE("the pipeline header must come first", "[check]") {
  CHECK(diagnostics_of(std::string(flow::test::base_pipeline) + "pipeline late\n") ==
        "t.flow:4:10: error: the pipeline header must come before every other statement\n"
        "    pipeline late\n"
        "             ^^^^\n");
}

TEST_CASE("only one pipeline header is allowed", "[check]") {
  CHECK(diagnostics_of("pipeline first\npipeline second\n" + std::string(flow::test::base_pipeline)) ==
        "t.flow:2:10: error: only one pipeline header is allowed; the first is on line 1\n"
        "    pipeline second\n"
        "             ^^^^^^\n");
}
