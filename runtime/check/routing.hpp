#pragma once
// Routing by content and keyed partitions (docs/routing.md): a node whose
// chain ends in route(label: condition, ...) has labeled outputs, and its
// edges leave from `node.label`; `partition=by(field, ...)` keys a node's workers.
#include <optional>
#include <vector>

#include "flow/model.hpp"
#include "flow/registry.hpp"
#include "grammar/syntax_tree.hpp"
#include "runtime/check/reporter.hpp"

namespace flow::checker {

/// Sets Node::output_labels from a routing operator (OperatorSpec::routes)
/// that ends the chain; reports one that does not end it, a node that cannot
/// have outputs, a label given twice and a condition without a label.
void note_output_labels(Reporter& reporter, const OperatorRegistry& registry, const syntax::NodeDecl& decl,
                        Node& node);

/// What partition= cannot go with: a source (it takes no input), ordered=true
/// (the whole node's order or each key's: choose), fanout=round_robin (it
/// deals a key's messages over several edges). Caret on the attribute.
void check_partition(Reporter& reporter, const syntax::NodeDecl& decl,
                     const std::vector<syntax::Attribute>& defaults, const Node& node);

/// The value of the node's partition= as written (its own, else a
/// default's), for carets at the key's fields.
std::optional<syntax::Literal> partition_written(const syntax::NodeDecl& decl,
                                                 const std::vector<syntax::Attribute>& defaults);

/// Once every edge is known: each edge from a node with labeled outputs names
/// one, and each label has an edge.
void check_labeled_edges(Reporter& reporter, const Pipeline& pipeline);

}  // namespace flow::checker
