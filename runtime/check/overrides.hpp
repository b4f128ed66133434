#pragma once
// `--set NODE.KEY=VALUE`: command-line changes applied after the file's own
// attributes and before edge defaults (which depend on workers) are computed.
#include <vector>

#include "runtime/check/check.hpp"
#include "runtime/check/dead_letters.hpp"
#include "runtime/check/reporter.hpp"

namespace flow::checker {

/// Applies each override to a node attribute, else to the first operator of
/// the node's chain with an argument KEY. `pipeline.KEY` sets a pipeline
/// attribute. Errors carry no location and start with `--set NODE.KEY=VALUE: `.
/// Edge overrides (FROM->TO) are left for apply_edge_overrides. A route
/// (`on_error=NODE`, `expired=NODE`) replaces the file's in `routes`.
void apply_overrides(Reporter& reporter, const OperatorRegistry& registry, Pipeline& pipeline,
                     const std::vector<Override>& overrides, Routes& routes);

/// Gives every operator call its random stream's seed from the pipeline's
/// (OperatorCall::seed), once overrides have set it.
void derive_seeds(Pipeline& pipeline);

/// Applies the overrides whose target is an edge, `FROM->TO.KEY=VALUE`, once
/// the edges exist and have their defaults: the value replaces the file's or
/// the default, as an attribute written on the edge would.
void apply_edge_overrides(Reporter& reporter, Pipeline& pipeline, const std::vector<Override>& overrides,
                          Routes& routes);

}  // namespace flow::checker
