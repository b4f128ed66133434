// The runner on tiny real pipelines: each call loads the file with the
// setting's values and measures the goals' figures.
#include <catch2/catch.hpp>

#include <memory>

#include "flow/diagnostic.hpp"
#include "flow/load.hpp"
#include "flow/tune.hpp"

using namespace flow;
using namespace flow::tune;

namespace {

// One burst of 12 offered at once to an edge that drops the newest: the edge
// keeps `capacity` of them (the sink takes only after the offer).
const char* const kBurst =
    "source s = generate(count=12, burst=12, every=10ms)\n"
    "sink   k = discard()\n"
    "s -> k [capacity=4, overflow=drop_newest]\n";

struct Setup {
  std::shared_ptr<SourceFile> source;
  std::vector<Knob> knobs;
};

Setup setup_for(const std::string& text) {
  auto source = std::make_shared<SourceFile>(SourceFile{"t.flow", text});
  auto loaded = load(source, builtin_operators());
  INFO(render_all(*source, loaded.diagnostics));
  REQUIRE(loaded.pipeline);
  return {source, knobs_of(*loaded.pipeline, Vary{})};
}

Goal goal(const std::string& text) {
  auto read = parse_goal(text);
  REQUIRE(read.goal);
  return *read.goal;
}

}  // namespace

TEST_CASE("the runner runs the file with the setting's capacity and measures its drops", "[tune]") {
  auto [source, knobs] = setup_for(kBurst);
  REQUIRE(knobs.size() == 1);
  CHECK(knobs[0].now == 4);
  auto run = pipeline_runner(
      {source, &builtin_operators(), {}, knobs, {goal("dropped=0"), goal("peak_messages<=100")}, {}});
  for (std::uint64_t capacity : {4, 11, 12}) {
    INFO("capacity " << capacity);
    auto measured = run({capacity}, 1);
    CHECK_FALSE(measured.failure);
    REQUIRE(measured.figures.size() == 2);
    CHECK(measured.figures[0] == static_cast<double>(12 - capacity));
    CHECK(measured.figures[1] <= 12);
  }
}

TEST_CASE("the runner reports a run that failed, with its error", "[tune]") {
  // overflow=fail: a burst of 12 into room for 4 stops the run.
  auto [source, knobs] = setup_for(
      "source s = generate(count=12, burst=12, every=10ms)\n"
      "sink   k = discard()\n"
      "s -> k [capacity=4, overflow=fail]\n");
  auto run = pipeline_runner({source, &builtin_operators(), {}, knobs, {goal("dropped=0")}, {}});
  auto failed = run({4}, 1);
  REQUIRE(failed.failure);
  CHECK(failed.failure->find("edge s -> k overflowed") != std::string::npos);
  CHECK_FALSE(run({12}, 1).failure);
}

TEST_CASE("the runner applies the overrides it is given before the setting", "[tune]") {
  auto [source, knobs] = setup_for(kBurst);
  // A burst of 20 (count and burst set from outside) into capacity 12 drops 8.
  std::vector<Override> overrides{{"s", "count", "20"}, {"s", "burst", "20"}};
  auto run = pipeline_runner({source, &builtin_operators(), overrides, knobs, {goal("dropped=0")}, {}});
  CHECK(run({12}, 1).figures[0] == 8);
}
