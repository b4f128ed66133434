#pragma once
// What `flow tune` prints: one row per knob (edge, now, recommended), the
// goals' figures at the recommendation and with that knob one below it, worst
// over the seeds, and how many runs the search took; then the recommendation
// checked on the real clock beside its simulated figures.
#include <cstdint>
#include <string>
#include <vector>

#include "flow/model.hpp"
#include "flow/tune.hpp"

namespace flow::cli {

/// A figure as the summary prints it: `4`, `48.1 ms`, `1.2 KiB`, `0.10%`.
std::string format_figure(tune::Metric metric, double figure);

/// What the search was given and found.
struct TuneReport {
  const std::vector<tune::Knob>& knobs;
  const std::vector<tune::Knob>& fixed;  ///< pinned by --fix, never changed
  const std::vector<tune::Goal>& goals;
  tune::Seeds seeds;
  ClockKind clock = ClockKind::Virtual;
  bool below_file = true;  ///< knobs could go below the file's values (a memory goal)
  const tune::SearchResult& result;
};

/// The search's table, lines ending in newlines.
std::string render_tune(const TuneReport& report);

/// The real clock's figures beside the simulated ones (worst over the seeds).
std::string render_check(const TuneReport& report, const tune::RealCheckPlan& plan,
                         const tune::RealCheck& check);

}  // namespace flow::cli
