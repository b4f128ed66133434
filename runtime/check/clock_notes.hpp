#pragma once
// What the virtual clock means for a pipeline that reads from outside it.
#include "runtime/check/reporter.hpp"
#include "flow/model.hpp"
#include "flow/registry.hpp"

namespace flow::checker {

/// Under clock=virtual, warns at every source that reads from outside the
/// pipeline (standard input, per its operator's plan in `registry`): the clock
/// stands still while flow waits for a line, so lines that come a minute apart
/// arrive at the same simulated instant.
void note_virtual_clock(Reporter& reporter, const Pipeline& pipeline, const OperatorRegistry& registry);

}  // namespace flow::checker
