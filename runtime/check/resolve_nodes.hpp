#pragma once
// Node declarations → model nodes: operator chain, roles, attributes.
#include <vector>

#include "flow/model.hpp"
#include "flow/registry.hpp"
#include "grammar/syntax_tree.hpp"
#include "runtime/check/attributes.hpp"
#include "runtime/check/fields_check.hpp"
#include "runtime/check/reporter.hpp"

namespace flow::checker {

/// Builds the node `decl` declares. `defaults` are the already-checked
/// attributes of earlier `source|stage|sink [...]` statements for its kind;
/// the declaration's own attributes win over them. Its dead-letter routes
/// as written go into `routes`; where its arguments and partition= were
/// written, into `sites` (fields_check.hpp).
Node resolve_node(Reporter& reporter, const OperatorRegistry& registry, const syntax::NodeDecl& decl,
                  const std::vector<syntax::Attribute>& defaults, NodeRoutes* routes = nullptr,
                  NodeSites* sites = nullptr);

}  // namespace flow::checker
