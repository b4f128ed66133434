#pragma once
// Dead-letter routes (`on_error=NODE`, `dropped=NODE`, `expired=NODE`):
// their targets looked up once every node and edge is known, checked, and
// made into the model's dead-letter edges (docs/dead_letters.md).
#include <map>
#include <optional>
#include <string>

#include "flow/model.hpp"
#include "runtime/check/attributes.hpp"
#include "runtime/check/reporter.hpp"

namespace flow::checker {

/// An edge's routes as written.
struct EdgeRoutes {
  std::optional<RouteName> dropped, expired;
};

/// Every route the file (and `--set`) wrote, by node name and by edge.
struct Routes {
  std::map<std::string, NodeRoutes> nodes;
  std::map<EdgeId, EdgeRoutes> edges;
};

/// Resolves and checks every route: the target exists, is a stage or a sink,
/// is not the producer, is in its part and is not already fed by the
/// producer; `dropped=` needs a dropping policy, `expired=` a deadline. Adds
/// one dead-letter edge per (producer, target) pair, in the producer's
/// dead_letter_outputs and the target's inputs.
void resolve_dead_letters(Reporter& reporter, Pipeline& pipeline, const Routes& routes);

}  // namespace flow::checker
