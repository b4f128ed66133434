#include <fmt/format.h>
#include <chrono>

#include "flow/diagnostic.hpp"
#include "flow/tune.hpp"
#include "runtime/tune/goals.hpp"
#include "runtime/tune/knobs.hpp"

namespace flow::tune {
namespace {

struct Ran {
  Measurement measurement;
  double elapsed_s = 0;
};

Ran run_once(const RunnerSetup& setup, const Setting& setting, std::uint64_t seed) {
  auto overrides = setup.overrides;
  overrides.push_back(Override{"pipeline", "seed", fmt::format("{}", seed)});
  for (auto& change : overrides_for(setup.knobs, setting)) overrides.push_back(std::move(change));
  auto loaded = load(setup.source, *setup.registry, overrides);
  Ran ran;
  auto& measurement = ran.measurement;
  measurement.figures.assign(setup.goals.size(), 0.0);
  if (!loaded.pipeline) {
    // Every value tried is within the language's limits; should one not be,
    // the setting fails with the checker's words rather than stopping the search.
    for (const auto& diagnostic : loaded.diagnostics) {
      if (diagnostic.severity == Severity::Error) {
        measurement.failure = diagnostic.message;
        break;
      }
    }
    return ran;
  }
  auto metrics = run(*loaded.pipeline, *setup.registry, setup.options);
  for (std::size_t goal = 0; goal < setup.goals.size(); ++goal) {
    measurement.figures[goal] = measure(setup.goals[goal].metric, metrics);
  }
  if (metrics.status != RunStatus::Ok) {
    measurement.failure = metrics.error.value_or(fmt::format("the run ended {}", to_string(metrics.status)));
  }
  ran.elapsed_s = metrics.elapsed_s;
  return ran;
}

std::chrono::nanoseconds to_duration(double seconds) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(seconds));
}

}  // namespace

RunSetting pipeline_runner(RunnerSetup setup) {
  return [setup = std::move(setup)](const Setting& setting, std::uint64_t seed) {
    return run_once(setup, setting, seed).measurement;
  };
}

RealCheckPlan plan_real_check(const RunnerSetup& setup, const Setting& setting, std::uint64_t seed,
                              double limit_s) {
  RealCheckPlan plan;
  plan.seed = seed;
  plan.limit_s = limit_s;
  plan.simulated_s = run_once(setup, setting, seed).elapsed_s;
  plan.cut = plan.simulated_s > limit_s;
  return plan;
}

RealCheck check_on_real_clock(const RunnerSetup& setup, const Setting& setting, const RealCheckPlan& plan) {
  auto real = setup;
  // After the user's overrides: a `--set pipeline.clock=virtual` is what the search ran on, not the check.
  real.overrides.push_back(Override{"pipeline", "clock", "real"});
  auto limit = to_duration(plan.limit_s);
  bool limited = !real.options.duration || *real.options.duration > limit;
  if (limited) real.options.duration = limit;
  auto ran = run_once(real, setting, plan.seed);
  RealCheck check;
  check.measured = std::move(ran.measurement);
  check.elapsed_s = ran.elapsed_s;
  // The sources ran until the limit stopped them: what came after it was never made.
  check.cut = limited && ran.elapsed_s >= plan.limit_s;
  check.meets = !check.measured.failure;
  for (std::size_t goal = 0; goal < setup.goals.size(); ++goal) {
    if (!meets(setup.goals[goal], check.measured.figures[goal])) check.meets = false;
  }
  return check;
}

}  // namespace flow::tune
