#pragma once
// The operators of runtime/fields (docs/fields.md), registered among the
// built-ins by register_builtin_operators (runtime/ops/registry.cpp).
#include "flow/registry.hpp"

namespace flow::fields {

/// parse(format=...), parse_json(), parse_regex(pattern) and drop(field, ...).
void register_parsers(OperatorRegistry& registry);

}  // namespace flow::fields
