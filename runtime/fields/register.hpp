#pragma once
// Internal: the operators of runtime/fields, registered among the built-ins
// by register_builtin_operators (runtime/ops/registry.cpp), one function per part.
#include "flow/registry.hpp"

namespace flow::fields {

/// format(json | logfmt | "template") (docs/formats.md).
void register_formats(OperatorRegistry& registry);
/// count() and aggregate(): counting by key over tumbling windows (docs/windows.md).
void register_counting(OperatorRegistry& registry);

}  // namespace flow::fields
