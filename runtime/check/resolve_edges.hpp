#pragma once
// Edge chains → model edges, once every node is known (edges may name nodes
// declared later in the file).
#include <vector>

#include "flow/model.hpp"
#include "grammar/syntax_tree.hpp"
#include "runtime/check/attributes.hpp"
#include "runtime/check/dead_letters.hpp"
#include "runtime/check/reporter.hpp"

namespace flow::checker {

/// An edge chain with the attributes it gets (defaults in force where it was
/// written, then its own).
struct PendingChain {
  const syntax::EdgeChain* chain = nullptr;
  EdgeSettings settings;
};

/// Adds one edge per pair of consecutive steps of each chain, in declaration
/// order, and fills the nodes' inputs and outputs. With `report_unknown` false
/// (the file had syntax errors, so a name may be missing only because its
/// declaration did not parse) unknown names are skipped silently.
/// The routes an edge's attributes name (`dropped=`, `expired=`) go into `routes`.
void resolve_edges(Reporter& reporter, Pipeline& pipeline, const std::vector<PendingChain>& chains,
                   bool report_unknown, Routes& routes);

}  // namespace flow::checker
