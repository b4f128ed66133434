#pragma once
// The operators of runtime/fields (docs/fields.md), each part registering its
// own from register_builtin_operators (runtime/ops/registry.cpp).
#include "flow/registry.hpp"

namespace flow {

/// where(expr) and set(name = expr, ...): docs/expressions.md.
void register_expressions(OperatorRegistry& registry);

/// route(label: condition, ...): each message leaves by the first label whose condition holds
/// (docs/routing.md).
void register_route(OperatorRegistry& registry);

namespace fields {

/// parse(format=...), parse_json(), parse_regex(pattern) and drop(field, ...).
void register_parsers(OperatorRegistry& registry);
/// format(json | logfmt | "template") (docs/formats.md).
void register_formats(OperatorRegistry& registry);
/// count() and aggregate(): counting by key over tumbling windows (docs/windows.md).
void register_counting(OperatorRegistry& registry);

}  // namespace fields
}  // namespace flow
