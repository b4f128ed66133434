#pragma once
// Checks of the pipeline's limits against what its operators hold back.
#include "runtime/check/reporter.hpp"
#include "flow/model.hpp"

namespace flow::checker {

/// Warns at every `batch` without `within` whose `max` is more than an
/// explicit `max_in_flight`: once that many wait in it, the sources stop and
/// the batch never fills, so the run hangs unless input ends first.
void check_limits(Reporter& reporter, const Pipeline& pipeline);

}  // namespace flow::checker
