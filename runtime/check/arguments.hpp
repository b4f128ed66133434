#pragma once
// Operator calls: name lookup in the registry, positional and named arguments,
// kinds, defaults and the operator's own validation.
#include <map>
#include <optional>
#include <string>

#include "grammar/syntax_tree.hpp"
#include "runtime/check/reporter.hpp"
#include "flow/model.hpp"
#include "flow/registry.hpp"

namespace flow::checker {

/// A call whose operator is known. `complete` is false when an argument was
/// missing or bad, so the call must not be validated or run.
struct ResolvedCall {
  OperatorCall call;
  const OperatorSpec* spec = nullptr;
  bool complete = true;
  /// Where each Expression argument was written, by its key: the checker
  /// compiles them later (fields_check.cpp), once it knows the fields upstream.
  std::map<std::string, SourceLocation> expressions;
};

/// Resolves one call, reporting every problem; nullopt when the operator is unknown.
std::optional<ResolvedCall> resolve_call(Reporter& reporter, const OperatorRegistry& registry,
                                         const syntax::OperatorCall& call);

/// Checks `value` against the argument's kind, widening an integer where a
/// decimal is due. Returns "" or "expected a duration, got a size".
std::string convert_argument(const ArgumentSpec& spec, Value& value);

/// The spec's argument called `name`, if any.
const ArgumentSpec* find_argument(const OperatorSpec& spec, const std::string& name);

/// Runs the spec's validator, if any: "" or its message; `argument` names the culprit.
std::string validate_call(const OperatorSpec& spec, const OperatorCall& call, std::string& argument);

}  // namespace flow::checker
