#pragma once
// The operators of runtime/fields, each part registering its own from
// register_builtin_operators (runtime/ops/registry.cpp).
namespace flow {

class OperatorRegistry;

/// where(expr) and set(name = expr, ...): docs/expressions.md.
void register_expressions(OperatorRegistry& registry);

/// route(label: condition, ...): each message leaves by the first label whose condition holds (docs/routing.md).
void register_route(OperatorRegistry& registry);

}  // namespace flow
