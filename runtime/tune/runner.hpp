#pragma once
// Runs the pipeline of a .flow file with one setting of the knobs on one seed,
// and measures what the goals ask about: what the search calls for each try.
#include <memory>
#include <vector>

#include "runtime/check/check.hpp"
#include "flow/run.hpp"
#include "runtime/tune/goals.hpp"
#include "runtime/tune/knobs.hpp"
#include "runtime/tune/trials.hpp"

namespace flow::tune {

struct RunnerSetup {
  std::shared_ptr<const SourceFile> source;
  const OperatorRegistry* registry = nullptr;
  /// Applied before the seed and the knobs: `pipeline.clock=virtual`, then the user's --set.
  std::vector<Override> overrides;
  std::vector<Knob> knobs;
  std::vector<Goal> goals;
  RunOptions options;  ///< --duration; no reports
};

/// Each call loads the file with the overrides, `pipeline.seed=SEED` and the
/// setting's values, runs it, and returns each goal's figure. A run that
/// fails, or a file that no longer checks, comes back with its error.
RunSetting pipeline_runner(RunnerSetup setup);

}  // namespace flow::tune
