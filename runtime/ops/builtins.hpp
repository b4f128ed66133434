#pragma once
// Internal to runtime/ops: the factories of the built-in operators (one .cpp
// per family) and helpers that read resolved arguments from an OperatorCall.
// The checker has already typed every argument, so a missing or mistyped one
// here is a bug in the caller: the helpers throw std::invalid_argument.
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>

#include "runtime/model/model.hpp"
#include "runtime/ops/operator.hpp"

namespace flow::ops {

/// The argument `name` as a T, or nullopt when it was not given.
template <typename T>
std::optional<T> optional_arg(const OperatorCall& call, const std::string& name) {
  auto found = call.args.find(name);
  if (found == call.args.end()) return std::nullopt;
  if (const T* value = std::get_if<T>(&found->second)) return *value;
  throw std::invalid_argument(call.name + ": argument '" + name + "' has the wrong kind");
}

/// The argument `name` as a T; throws std::invalid_argument when absent.
template <typename T>
T required_arg(const OperatorCall& call, const std::string& name) {
  if (auto value = optional_arg<T>(call, name)) return *value;
  throw std::invalid_argument(call.name + ": missing argument '" + name + "'");
}

/// A Decimal argument, also accepting an Integer (as the checker does).
std::optional<double> optional_decimal(const OperatorCall& call, const std::string& name);

/// "" when `pattern` compiles as an RE2 regex, else RE2's error message.
std::string regex_error(const std::string& pattern);
/// "" when `rewrite` is a valid replacement for `pattern`, else why not.
std::string rewrite_error(const std::string& pattern, const std::string& rewrite);

// sources.cpp
std::unique_ptr<SourceOperator> make_generate(const OperatorCall& call);
// read.cpp
std::unique_ptr<SourceOperator> make_read(const OperatorCall& call);

// timing.cpp
std::unique_ptr<Operator> make_delay(const OperatorCall& call);
std::unique_ptr<Operator> make_spin(const OperatorCall& call);
std::unique_ptr<Operator> make_throttle(const OperatorCall& call);

// batching.cpp
std::unique_ptr<Operator> make_batch(const OperatorCall& call);
std::unique_ptr<Operator> make_unbatch(const OperatorCall& call);

// text.cpp
std::unique_ptr<Operator> make_grep(const OperatorCall& call);
std::unique_ptr<Operator> make_replace(const OperatorCall& call);
std::unique_ptr<Operator> make_upper(const OperatorCall& call);
std::unique_ptr<Operator> make_lower(const OperatorCall& call);
std::unique_ptr<Operator> make_prefix(const OperatorCall& call);
std::unique_ptr<Operator> make_sample(const OperatorCall& call);

// sinks.cpp
std::unique_ptr<Operator> make_discard(const OperatorCall& call);
std::unique_ptr<Operator> make_stdout(const OperatorCall& call);
std::unique_ptr<Operator> make_write(const OperatorCall& call);

}  // namespace flow::ops
