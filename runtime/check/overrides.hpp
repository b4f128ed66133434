#pragma once
// `--set NODE.KEY=VALUE`: command-line changes applied after the file's own
// attributes and before edge defaults (which depend on workers) are computed.
#include <vector>

#include "runtime/check/check.hpp"
#include "runtime/check/reporter.hpp"

namespace flow::checker {

/// Applies each override to a node attribute, else to the first operator of
/// the node's chain with an argument KEY. `pipeline.KEY` sets a pipeline
/// attribute. Errors carry no location and start with `--set NODE.KEY=VALUE: `.
void apply_overrides(Reporter& reporter, const OperatorRegistry& registry, Pipeline& pipeline,
                     const std::vector<Override>& overrides);

}  // namespace flow::checker
