// `--set NODE.KEY=VALUE` overrides.
#include <catch2/catch.hpp>

#include "support.hpp"

using namespace flow;
using flow::test::diagnostics_of;
using flow::test::pipeline_of;

namespace {

const char* const pipeline_text =
    "source ingest = generate(count=10)\n"
    "stage work = delay(1ms) | delay(2ms)\n"
    "sink store = discard()\n"
    "ingest -> work -> store\n";

}  // namespace

TEST_CASE("an override sets a node attribute, and edge defaults follow it", "[check]") {
  auto pipeline = pipeline_of(pipeline_text, {Override{"work", "workers", "140"}});
  CHECK(pipeline.nodes[1].workers == 140);
  CHECK(pipeline.edges[0].capacity == std::optional<std::uint64_t>(280));
}

TEST_CASE("an override sets the argument of the first operator that has it", "[check]") {
  auto pipeline = pipeline_of(pipeline_text, {Override{"work", "duration", "7ms"}, Override{"ingest", "count", "5"}});
  CHECK(pipeline.nodes[1].chain[0].args.at("duration") == Value{Duration{std::chrono::milliseconds(7)}});
  CHECK(pipeline.nodes[1].chain[1].args.at("duration") == Value{Duration{std::chrono::milliseconds(2)}});
  CHECK(pipeline.nodes[0].chain[0].args.at("count") == Value{std::int64_t{5}});
}

TEST_CASE("pipeline.KEY overrides a pipeline attribute", "[check]") {
  auto pipeline = pipeline_of(pipeline_text, {Override{"pipeline", "max_in_flight", "3"}});
  CHECK(pipeline.max_in_flight == 3);
  CHECK(pipeline.max_in_flight_explicit);
}

TEST_CASE("an override of an unknown key suggests the close one", "[check]") {
  CHECK(diagnostics_of(pipeline_text, {Override{"ingest", "cout", "5"}}) ==
        "t.flow: error: --set ingest.cout=5: node 'ingest' has no attribute or operator argument 'cout'; "
        "did you mean 'count'?\n");
}

TEST_CASE("an override of an unknown node suggests the close one", "[check]") {
  CHECK(diagnostics_of(pipeline_text, {Override{"ingset", "count", "5"}}) ==
        "t.flow: error: --set ingset.count=5: unknown node 'ingset'; did you mean 'ingest'?\n");
}

TEST_CASE("an override value is checked like a value in the file", "[check]") {
  CHECK(diagnostics_of(pipeline_text, {Override{"work", "workers", "0"}, Override{"work", "duration", "16B"},
                                       Override{"ingest", "count", "-2"}}) ==
        "t.flow: error: --set work.workers=0: workers must be at least 1, got 0\n"
        "t.flow: error: --set work.duration=16B: expected a duration, got a size\n"
        "t.flow: error: --set ingest.count=-2: count must be at least 0, got -2\n");
}

TEST_CASE("override errors come after the file's own errors", "[check]") {
  CHECK(diagnostics_of("source ingest = generate(count=10) [workers=0]\n"
                       "sink store = discard()\n"
                       "ingest -> store\n",
                       {Override{"store", "nope", "1"}}) ==
        "t.flow:1:45: error: workers must be at least 1, got 0\n"
        "    source ingest = generate(count=10) [workers=0]\n"
        "                                                ^\n"
        "t.flow: error: --set store.nope=1: node 'store' has no attribute or operator argument 'nope'\n");
}
