// Random durations and seeds in the checker (issue 10, items 1 and 2).
#include <catch2/catch.hpp>

#include <set>

#include "support.hpp"

using namespace flow;
using flow::test::diagnostics_of;
using flow::test::pipeline_of;

namespace {

const char* const random_pipeline =
    "source ingest = generate(count=10)\n"
    "stage work = delay(exponential(10ms)) | spin(uniform(1us, 3us))\n"
    "sink store = discard()\n"
    "ingest -> work -> store\n";

}  // namespace

TEST_CASE("delay and spin take a distribution where a duration is due", "[check]") {
  auto pipeline = pipeline_of(random_pipeline);
  const auto& chain = pipeline.nodes[1].chain;
  CHECK(std::holds_alternative<Distribution>(chain[0].args.at("duration")));
  CHECK(std::holds_alternative<Distribution>(chain[1].args.at("duration")));
}

TEST_CASE("a distribution where only a constant duration is accepted is a wrong kind", "[check]") {
  CHECK(diagnostics_of("pipeline p [report=exponential(1s)]\n"
                       "source s = generate(count=1)\n"
                       "sink k = discard()\n"
                       "s -> k\n") ==
        "t.flow:1:20: error: expected a duration, got a distribution\n"
        "    pipeline p [report=exponential(1s)]\n"
        "                       ^^^^^^^^^^^^^^^\n");
}

TEST_CASE("an unknown distribution where a random duration is due is named under its name", "[check]") {
  CHECK(diagnostics_of("source s = generate(count=1)\n"
                       "stage w = delay(poisson(10ms))\n"
                       "sink k = discard()\n"
                       "s -> w -> k\n") ==
        "t.flow:2:17: error: unknown distribution 'poisson'; expected exponential, uniform, normal or "
        "lognormal\n"
        "    stage w = delay(poisson(10ms))\n"
        "                    ^^^^^^^\n");
}

TEST_CASE("generate's every and batch's within take a distribution too", "[check]") {
  auto pipeline = pipeline_of(
      "source s = generate(count=10, burst=5, every=uniform(1ms, 3ms))\n"
      "sink k = batch(max=4, within=exponential(2ms)) | discard()\n"
      "s -> k\n");
  CHECK(std::holds_alternative<Distribution>(pipeline.nodes[0].chain[0].args.at("every")));
  CHECK(std::holds_alternative<Distribution>(pipeline.nodes[1].chain[0].args.at("within")));
  CHECK(diagnostics_of("source s = generate(count=10, every=uniform(1ms, 3ms))\n"
                       "sink k = discard()\n"
                       "s -> k\n") ==
        "t.flow:1:37: error: every needs burst (the messages per burst)\n"
        "    source s = generate(count=10, every=uniform(1ms, 3ms))\n"
        "                                        ^^^^^^^^^^^^^^^^^\n");
}

TEST_CASE("the pipeline's seed gives every operator a stream of its own", "[check]") {
  auto seeds = [](const Pipeline& p) {
    std::vector<std::uint64_t> out;
    for (const auto& node : p.nodes) {
      for (const auto& call : node.chain) out.push_back(call.seed);
    }
    return out;
  };
  auto first = seeds(pipeline_of(random_pipeline));
  CHECK(first == seeds(pipeline_of(random_pipeline)));  // the default seed, 1, both times
  std::set<std::uint64_t> distinct(first.begin(), first.end());
  CHECK(distinct.size() == first.size());
  auto other = seeds(pipeline_of(random_pipeline, {Override{"pipeline", "seed", "2"}}));
  CHECK(other != first);
  CHECK(seeds(pipeline_of(std::string("pipeline p [seed=2]\n") + random_pipeline)) == other);
}

TEST_CASE("a node's stream depends on its name, not on the nodes declared before it", "[check]") {
  auto work_seed = [](const std::string& text) {
    auto pipeline = pipeline_of(text);
    return pipeline.nodes[*pipeline.find_node("work")].chain[0].seed;
  };
  auto alone = work_seed(random_pipeline);
  auto with_another = work_seed(std::string("stage extra = delay(exponential(1ms))\n") + random_pipeline +
                                "work -> extra -> store\n");
  CHECK(alone == with_another);
}

TEST_CASE("a seed is a whole number of at least 0", "[check]") {
  CHECK(diagnostics_of(random_pipeline, {Override{"pipeline", "seed", "-1"}}) ==
        "t.flow: error: --set pipeline.seed=-1: seed must not be negative, got -1\n");
  CHECK(diagnostics_of(random_pipeline, {Override{"pipeline", "seed", "1.5"}}) ==
        "t.flow: error: --set pipeline.seed=1.5: expected an integer, got a decimal number\n");
}

TEST_CASE("the clock attribute is real or virtual", "[check]") {
  CHECK(pipeline_of("pipeline p [clock=virtual]\nsource s = generate(count=1)\nsink k = discard()\ns -> k\n")
            .clock == ClockKind::Virtual);
  CHECK(pipeline_of("source s = generate(count=1)\nsink k = discard()\ns -> k\n").clock == ClockKind::Real);
  CHECK(diagnostics_of(
            "pipeline p [clock=simulated]\nsource s = generate(count=1)\nsink k = discard()\ns -> k\n") ==
        "t.flow:1:19: error: unknown clock 'simulated'; expected one of real, virtual\n"
        "    pipeline p [clock=simulated]\n"
        "                      ^^^^^^^^^\n");
}

TEST_CASE("reading standard input under the virtual clock says what it means", "[check]") {
  const char* const from_stdin = "source lines = read(\"-\")\nsink out = stdout()\nlines -> out\n";
  CHECK(diagnostics_of(from_stdin).empty());
  CHECK(diagnostics_of(std::string("pipeline p [clock=virtual]\n") + from_stdin) ==
        "t.flow:2:16: warning: source lines reads standard input under the virtual clock: waiting for input "
        "takes no simulated time, so every line arrives at the simulated instant it is read\n"
        "    source lines = read(\"-\")\n"
        "                   ^^^^\n");
}

TEST_CASE("a random burst is refused saying what burst takes and what distributions are for", "[check]") {
  // Numbers in a distribution: the user meant a random count.
  CHECK(diagnostics_of("source s = generate(count=9, burst=uniform(1, 10), every=10ms)\n"
                       "sink k = discard()\n"
                       "s -> k\n") ==
        "t.flow:1:44: error: expected a duration such as '5ms', got an integer: uniform(...) draws random "
        "durations, for delay, spin, generate's every and batch's within; a count such as generate's burst "
        "takes one integer\n"
        "    source s = generate(count=9, burst=uniform(1, 10), every=10ms)\n"
        "                                               ^\n");
  // Durations in it: a well-formed distribution where an integer is due.
  CHECK(diagnostics_of("source s = generate(count=9, burst=uniform(1ms, 9ms), every=10ms)\n"
                       "sink k = discard()\n"
                       "s -> k\n") ==
        "t.flow:1:36: error: expected an integer, got a distribution: 'burst' takes one fixed value; a "
        "distribution draws random durations, for delay, spin, generate's every and batch's within\n"
        "    source s = generate(count=9, burst=uniform(1ms, 9ms), every=10ms)\n"
        "                                       ^^^^^^^^^^^^^^^^^\n");
}
