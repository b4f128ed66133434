#include <fmt/format.h>

#include "flow/diagnostic.hpp"
#include "flow/tune.hpp"
#include "runtime/tune/goals.hpp"
#include "runtime/tune/knobs.hpp"

namespace flow::tune {
namespace {

Measurement run_once(const RunnerSetup& setup, const Setting& setting, std::uint64_t seed) {
  auto overrides = setup.overrides;
  overrides.push_back(Override{"pipeline", "seed", fmt::format("{}", seed)});
  for (auto& change : overrides_for(setup.knobs, setting)) overrides.push_back(std::move(change));
  auto loaded = load(setup.source, *setup.registry, overrides);
  Measurement measurement;
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
    return measurement;
  }
  auto metrics = run(*loaded.pipeline, *setup.registry, setup.options);
  for (std::size_t goal = 0; goal < setup.goals.size(); ++goal) {
    measurement.figures[goal] = measure(setup.goals[goal].metric, metrics);
  }
  if (metrics.status != RunStatus::Ok) {
    measurement.failure = metrics.error.value_or(fmt::format("the run ended {}", to_string(metrics.status)));
  }
  return measurement;
}

}  // namespace

RunSetting pipeline_runner(RunnerSetup setup) {
  return [setup = std::move(setup)](const Setting& setting, std::uint64_t seed) {
    return run_once(setup, setting, seed);
  };
}

}  // namespace flow::tune
