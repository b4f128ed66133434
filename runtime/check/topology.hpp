#pragma once
// Whole-graph checks: every node fed by a source and draining into a sink, no
// output left dangling, no cycle.
#include "runtime/check/reporter.hpp"
#include "flow/model.hpp"

namespace flow::checker {

/// Reports unreached nodes, nodes that reach no sink, outputs that go nowhere
/// and every elementary cycle (once each, named from its earliest-declared node).
void check_topology(Reporter& reporter, const Pipeline& pipeline);

}  // namespace flow::checker
