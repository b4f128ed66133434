#pragma once
// Expressions and field names checked against the fields known where they
// run (docs/expressions.md): what each node's input carries, from the chain
// of the node that feeds it, changed by each operator's OperatorSpec::fields.
#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "flow/expression.hpp"
#include "flow/model.hpp"
#include "flow/registry.hpp"
#include "grammar/syntax_tree.hpp"
#include "runtime/check/arguments.hpp"
#include "runtime/check/reporter.hpp"

namespace flow::checker {

/// Where one node's arguments were written: chain index → argument key →
/// site; and its `partition=by(...)` as written, when it has one.
struct NodeSites {
  std::map<std::size_t, std::map<std::string, ArgumentSite>> calls;
  std::set<std::size_t> rejected;  ///< calls whose arguments were refused: what they name is not read
  std::optional<syntax::Literal> partition;
};
/// The same for every node, by name.
using FieldSites = std::map<std::string, NodeSites>;

/// `known` after `call`, by its operator's FieldChange (unchanged when it has none).
void apply_field_change(KnownFields& known, const OperatorRegistry& registry, const OperatorCall& call);

/// What the checker knows of the fields at the start of node `id`'s chain. A
/// source's messages carry none (complete: a name is an error), unless its
/// own operators set some. A node fed by edges knows what its producers'
/// chains end with, together (complete only when each is); fed by a
/// dead-letter route (messages that failed midway) or by nothing, it knows
/// nothing (not complete). Call only on a pipeline whose edges are resolved.
KnownFields known_fields_at_start(const Pipeline& pipeline, const OperatorRegistry& registry, NodeId id);

/// Checks what each node reads of the fields where it was written (`sites`),
/// with the fields known there: compiles every expression argument, and,
/// where every field is known, finds the names that cannot be there in its
/// operators' OperatorSpec::reads and its partition=by(...). `file_complete`
/// false: edges may be missing, so nothing is known of the fields.
void check_fields(Reporter& reporter, const Pipeline& pipeline, const OperatorRegistry& registry,
                  const FieldSites& sites, bool file_complete);

}  // namespace flow::checker
