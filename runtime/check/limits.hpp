#pragma once
// Checks of the pipeline's limits against what its operators hold back.
#include "runtime/check/reporter.hpp"
#include "flow/model.hpp"
#include "flow/registry.hpp"

namespace flow::checker {

/// Warns at every operator that holds messages back without a deadline (a
/// `batch` without `within`, per its plan in `registry`) until more than an
/// explicit `max_in_flight` have come: once that many wait in it, the sources
/// stop and it never lets go, so the run hangs unless input ends first.
void check_limits(Reporter& reporter, const Pipeline& pipeline, const OperatorRegistry& registry);

}  // namespace flow::checker
