// `--set NODE.KEY=VALUE` and `--set FROM->TO.KEY=VALUE` overrides.
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
        "t.flow: error: --set work.duration=16B: expected a duration or a distribution such as 'exponential(10ms)', got a size\n"
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

// `--set FROM->TO.KEY=VALUE`: an edge's attributes (issue 10, item 6).
TEST_CASE("an edge override replaces the default capacity, the overflow policy and max_bytes", "[check]") {
  auto pipeline = pipeline_of(pipeline_text, {Override{"ingest->work", "capacity", "12"},
                                              Override{"work->store", "overflow", "drop_newest"},
                                              Override{"work->store", "max_bytes", "1KiB"}});
  CHECK(pipeline.edges[0].capacity == std::optional<std::uint64_t>(12));
  CHECK(pipeline.edges[0].overflow == Overflow::Block);
  CHECK(pipeline.edges[1].capacity == std::optional<std::uint64_t>(default_capacity(1)));
  CHECK(pipeline.edges[1].overflow == Overflow::DropNewest);
  CHECK(pipeline.edges[1].max_bytes == std::optional<std::uint64_t>(1024));
}

TEST_CASE("an edge override wins over the attribute written on the edge and the edge defaults", "[check]") {
  auto pipeline = pipeline_of(
      "edge [capacity=9]\n"
      "source ingest = generate(count=10)\n"
      "sink store = discard()\n"
      "ingest -> store [capacity=5, overflow=fail]\n",
      {Override{"ingest->store", "capacity", "3"}});
  CHECK(pipeline.edges[0].capacity == std::optional<std::uint64_t>(3));
  CHECK(pipeline.edges[0].overflow == Overflow::Fail);
}

TEST_CASE("an edge override to unbounded warns as the file would", "[check]") {
  CHECK(diagnostics_of(pipeline_text, {Override{"ingest->work", "capacity", "unbounded"}}) ==
        "t.flow: warning: --set ingest->work.capacity=unbounded: edge ingest -> work is unbounded; its memory use "
        "has no limit\n");
}

TEST_CASE("an edge override of an unknown edge, an unknown key or a bad value says which", "[check]") {
  CHECK(diagnostics_of(pipeline_text, {Override{"ingest->store", "capacity", "3"},
                                       Override{"work->store", "capcity", "3"},
                                       Override{"work->store", "capacity", "0"},
                                       Override{"work->store", "overflow", "wait"}}) ==
        "t.flow: error: --set ingest->store.capacity=3: unknown edge 'ingest->store'; did you mean 'ingest->work'?\n"
        "t.flow: error: --set work->store.capcity=3: unknown edge attribute 'capcity'; did you mean 'capacity'?\n"
        "t.flow: error: --set work->store.capacity=0: capacity must be at least 1, got 0\n"
        "t.flow: error: --set work->store.overflow=wait: unknown overflow policy 'wait'; expected one of block, "
        "drop_newest, drop_oldest, fail\n");
}

TEST_CASE("an edge override of policy suggests overflow", "[check]") {
  CHECK(diagnostics_of(pipeline_text, {Override{"work->store", "policy", "drop_newest"}}) ==
        "t.flow: error: --set work->store.policy=drop_newest: unknown edge attribute 'policy'; did you mean "
        "'overflow'?\n");
}

TEST_CASE("an edge override that skips a hop lists the edges of the nodes it names", "[check]") {
  CHECK(diagnostics_of("source ingest = generate(count=10)\n"
                       "stage validate = delay(1ms)\n"
                       "stage process = delay(2ms)\n"
                       "sink store = discard()\n"
                       "ingest -> validate -> process -> store\n",
                       {Override{"ingest->process", "capacity", "3"}}) ==
        "t.flow: error: --set ingest->process.capacity=3: unknown edge 'ingest->process'; the edges of those nodes "
        "are ingest->validate, validate->process\n");
}

TEST_CASE("a string override whose quotes the shell removed shows how to keep them", "[check]") {
  const char* text =
      "source ingest = generate(count=10)\n"
      "sink logs = write(\"out.log\")\n"
      "ingest -> logs\n";
  // `--set logs.path="a.log"` in a shell: flow sees logs.path=a.log.
  CHECK(diagnostics_of(text, {Override{"logs", "path", "a.log"}}) ==
        "t.flow: error: --set logs.path=a.log: unexpected text after the value; a string needs quotes that "
        "the shell passes on: --set 'logs.path=\"a.log\"'\n");
  CHECK(diagnostics_of(text, {Override{"logs", "path", "alog"}}) ==
        "t.flow: error: --set logs.path=alog: expected a string, got a name; a string needs quotes that the "
        "shell passes on: --set 'logs.path=\"alog\"'\n");
}

TEST_CASE("an override that quoting would not mend gets no quoting hint", "[check]") {
  // A count is not a string: quoting 5x would not make it one.
  auto message = diagnostics_of(pipeline_text, {Override{"ingest", "count", "5x"}});
  CHECK(message.find("--set 'ingest.count") == std::string::npos);
  CHECK(message.find("t.flow: error: --set ingest.count=5x: ") == 0);
}

// Two edges from one route node to one consumer differ only by their labels:
// `r.a->k` names one, `r->k` neither.
TEST_CASE("an edge override names an edge from a labeled output by its label", "[check]") {
  const char* routed =
      "source s = generate(count=10) | set(n = 1)\n"
      "stage r = route(a: n == 1, b: true)\n"
      "sink k = discard()\n"
      "s -> r\n"
      "r.a -> k\n"
      "r.b -> k [capacity=4]\n";
  auto pipeline = pipeline_of(
      routed, {Override{"r.b->k", "capacity", "9"}, Override{"r.a->k", "overflow", "drop_newest"}});
  REQUIRE(pipeline.edges.size() == 3);
  CHECK(pipeline.edges[1].output == "a");
  CHECK(pipeline.edges[1].overflow == Overflow::DropNewest);
  CHECK(pipeline.edges[2].output == "b");
  CHECK(pipeline.edges[2].capacity == std::optional<std::uint64_t>(9));
  CHECK(pipeline.edges[2].overflow == Overflow::Block);
  CHECK(diagnostics_of(routed, {Override{"r->k", "capacity", "3"}}) ==
        "t.flow: error: --set r->k.capacity=3: unknown edge 'r->k'; the edges of those nodes are r.a->k, "
        "r.b->k\n");
}
