#pragma once
// `flow tune`'s last step before writing: the recommendation run once on the
// real clock, its figures printed beside the simulated ones.
#include <optional>
#include <string>

#include "cli/tune_table.hpp"
#include "flow/tune.hpp"

namespace flow::cli {

/// Runs the recommendation on the real clock, its sources stopped after at
/// most `limit_s` (none: --no-check, which is said instead), and prints what
/// it measured. False when it misses a goal there, after an error saying so
/// and that `write` (when given) was not written.
bool check_real_clock(const TuneReport& report, const tune::RunnerSetup& setup, std::optional<double> limit_s,
                      const std::string& write);

}  // namespace flow::cli
