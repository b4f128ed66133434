#pragma once
// What `flow tune` prints: one row per knob (edge, now, recommended), the
// goals' figures at the recommendation and with that knob one below it, worst
// over the seeds, and how many runs the search took.
#include <cstdint>
#include <string>
#include <vector>

#include "flow/model.hpp"
#include "flow/tune.hpp"

namespace flow::cli {

/// A figure as the summary prints it: `4`, `48.1 ms`, `1.2 KiB`.
std::string format_figure(tune::Metric metric, double figure);

/// The whole report, lines ending in newlines.
std::string render_tune(const std::vector<tune::Knob>& knobs, const std::vector<tune::Goal>& goals,
                        tune::Seeds seeds, ClockKind clock, const tune::SearchResult& result);

}  // namespace flow::cli
