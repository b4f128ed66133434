#pragma once
// Reading an operator's resolved arguments in its factory. The checker has
// already typed every argument against the operator's ArgumentSpecs, so a
// missing or mistyped one here is a bug in the caller: these throw
// std::invalid_argument, and the run fails naming the node.
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>

#include "flow/model.hpp"

namespace flow {

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

}  // namespace flow
