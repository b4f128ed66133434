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

/// What an operator reads by name outside its expressions (OperatorSpec::reads):
/// each name of the arguments written `status` or "status,method";
std::vector<FieldRead> listed_fields(const OperatorCall& call, const std::vector<std::string>& arguments);
/// each argument one name (a variadic one's values too);
std::vector<FieldRead> named_fields(const OperatorCall& call, const std::vector<std::string>& arguments);
/// each `{name}` of a format template but `{message}`.
std::vector<FieldRead> template_fields(const OperatorCall& call, const std::string& argument);
/// Sets OperatorSpec::reads of count, aggregate, format and drop, once they are registered.
void declare_field_reads(OperatorRegistry& registry);

}  // namespace fields
}  // namespace flow
