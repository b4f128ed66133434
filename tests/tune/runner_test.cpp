// The runner on tiny real pipelines: each call loads the file with the
// setting's values and measures the goals' figures.
#include <catch2/catch.hpp>

#include <chrono>
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

TEST_CASE("the check runs the setting once on the real clock, however the search's runs were clocked",
          "[tune]") {
  // Five messages 40 ms apart: 160 ms from the first to the last, on any clock.
  auto [source, knobs] = setup_for(
      "pipeline paced [clock=virtual]\n"
      "source s = generate(count=5, rate=25/s)\n"
      "sink   k = discard()\n"
      "s -> k [capacity=4, overflow=drop_newest]\n");
  RunnerSetup setup{source, &builtin_operators(), {}, knobs, {goal("dropped=0")}, {}};
  auto plan = plan_real_check(setup, {4}, 1, 10.0);
  CHECK(plan.seed == 1);
  CHECK(plan.simulated_s >= 0.16);
  CHECK_FALSE(plan.cut);
  auto start = std::chrono::steady_clock::now();
  auto check = check_on_real_clock(setup, {4}, plan);
  std::chrono::duration<double> wall = std::chrono::steady_clock::now() - start;
  // Real time passed: a virtual run of it takes well under a millisecond.
  CHECK(wall.count() >= 0.16);
  CHECK(check.elapsed_s >= 0.16);
  CHECK(check.meets);
  CHECK_FALSE(check.cut);
  REQUIRE(check.measured.figures.size() == 1);
  CHECK(check.measured.figures[0] == 0);
}

TEST_CASE("a run longer than the check's limit is checked on its first part only", "[tune]") {
  // 100 messages 20 ms apart last about 2 s; the check stops the source at 100 ms.
  auto [source, knobs] = setup_for(
      "source s = generate(count=100, rate=50/s)\n"
      "sink   k = discard()\n"
      "s -> k [capacity=4, overflow=drop_newest]\n");
  RunnerSetup setup{source, &builtin_operators(), {{"pipeline", "clock", "virtual"}},
                    knobs,  {goal("dropped<1%")}, {}};
  auto plan = plan_real_check(setup, {4}, 1, 0.1);
  CHECK(plan.simulated_s >= 1.98);
  CHECK(plan.cut);
  auto start = std::chrono::steady_clock::now();
  auto check = check_on_real_clock(setup, {4}, plan);
  std::chrono::duration<double> wall = std::chrono::steady_clock::now() - start;
  CHECK(check.cut);
  CHECK(check.elapsed_s >= 0.1);
  CHECK(wall.count() < 1.5);  // not the whole 2 s
  CHECK(check.meets);
}

TEST_CASE("a check that misses a goal says so, with the real clock's figure", "[tune]") {
  // delay(20ms) takes exactly 20 ms on the virtual clock and at least that
  // on the real one; a pool of one thread running a spin of 30 ms per
  // message, two workers, makes the second message wait for the first.
  auto [source, knobs] = setup_for(
      "source s = generate(count=2, burst=2, every=1s)\n"
      "sink   k = spin(30ms) | discard() [workers=2]\n"
      "s -> k [capacity=4]\n");
  RunnerSetup setup{source, &builtin_operators(),       {{"pipeline", "clock", "virtual"}},
                    knobs,  {goal("latency_max<50ms")}, {}};
  setup.options.threads = 1;
  Trials trials(setup.goals, Seeds{1, 1}, pipeline_runner(setup));
  CHECK(trials.judge({4}).meets);  // in simulated time the two spins overlap: 30 ms
  auto check = check_on_real_clock(setup, {4}, plan_real_check(setup, {4}, 1, 10.0));
  CHECK_FALSE(check.meets);
  CHECK(check.measured.figures[0] >= 0.06);  // one spin after the other on the one thread
}
