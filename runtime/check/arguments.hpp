#pragma once
// Operator calls: name lookup in the registry, positional and named arguments,
// kinds, defaults and the operator's own validation.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "flow/model.hpp"
#include "flow/registry.hpp"
#include "grammar/syntax_tree.hpp"
#include "runtime/check/reporter.hpp"

namespace flow::checker {

/// Where an argument's value was written, for carets at it or inside it.
struct ArgumentSite {
  SourceLocation at;
  std::size_t width = 1;
  /// Where the value's text starts in what was written: 0 for a word, 1 for
  /// a string past its quote; npos when the bytes differ (a string with
  /// escapes), so a caret can only go under the whole value.
  std::size_t text_at = std::string::npos;

  /// The place of byte `offset` of the value's text, `width` wide, or the
  /// whole value where the text was not written as it reads.
  std::pair<SourceLocation, std::size_t> inside(std::size_t offset, std::size_t width) const;
};

/// A call whose operator is known. `complete` is false when an argument was
/// missing or bad, so the call must not be validated or run.
struct ResolvedCall {
  OperatorCall call;
  const OperatorSpec* spec = nullptr;
  bool complete = true;
  /// Where each argument was written, by its key: the checker compiles the
  /// expressions and checks the field names later (fields_check.cpp), once
  /// it knows the fields upstream.
  std::map<std::string, ArgumentSite> sites;
};

/// Resolves one call, reporting every problem; nullopt when the operator is unknown.
std::optional<ResolvedCall> resolve_call(Reporter& reporter, const OperatorRegistry& registry,
                                         const syntax::OperatorCall& call);

/// Checks `value` against the argument's kind, widening an integer where a
/// decimal is due. Returns "" or "expected a duration, got a size".
/// `written`: the value's text as written, from which an Expression due is
/// made (`0.00001` stays as written, not re-printed as `1e-05`).
std::string convert_argument(const ArgumentSpec& spec, Value& value, std::string_view written = {});

/// The spec's argument called `name`, if any.
const ArgumentSpec* find_argument(const OperatorSpec& spec, const std::string& name);

/// Runs the spec's validator, if any: "" or its message; `argument` names the culprit.
std::string validate_call(const OperatorSpec& spec, const OperatorCall& call, std::string& argument);

}  // namespace flow::checker
