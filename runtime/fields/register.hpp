#pragma once
// The operators of structured messages (docs/fields.md), registered by
// register_builtin_operators (runtime/ops/registry.cpp): one function per part.
#include "flow/registry.hpp"

namespace flow::fields {

/// route(label: condition, ...): each message leaves by the first label whose condition holds
/// (docs/routing.md).
void register_route(OperatorRegistry& registry);

}  // namespace flow::fields
