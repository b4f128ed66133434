#pragma once
// Expressions checked against the fields known where they run
// (docs/expressions.md): what each node's input carries, from the chain of
// the node that feeds it, changed by each operator's OperatorSpec::fields.
#include <cstddef>
#include <map>
#include <string>

#include "flow/expression.hpp"
#include "flow/model.hpp"
#include "flow/registry.hpp"
#include "runtime/check/reporter.hpp"

namespace flow::checker {

/// Where the expression arguments of one node's chain were written:
/// chain index → argument key → location.
using ChainExpressions = std::map<std::size_t, std::map<std::string, SourceLocation>>;
/// The same for every node, by name.
using ExpressionSites = std::map<std::string, ChainExpressions>;

/// `known` after `call`, by its operator's FieldChange (unchanged when it has none).
void apply_field_change(KnownFields& known, const OperatorRegistry& registry, const OperatorCall& call);

/// What the checker knows of the fields at the start of node `id`'s chain. A
/// source's messages carry none (complete: a name is an error), unless its
/// own operators set some. A node fed by edges knows what its producers'
/// chains end with, together (complete only when each is); fed by a
/// dead-letter route (messages that failed midway) or by nothing, it knows
/// nothing (not complete). Call only on a pipeline whose edges are resolved.
KnownFields known_fields_at_start(const Pipeline& pipeline, const OperatorRegistry& registry, NodeId id);

/// Compiles every expression argument where it was written (`sites`), with
/// the fields known there, and reports what it finds. `file_complete` false:
/// edges may be missing, so nothing is known of the fields.
void check_expressions(Reporter& reporter, const Pipeline& pipeline, const OperatorRegistry& registry,
                       const ExpressionSites& sites, bool file_complete);

}  // namespace flow::checker
