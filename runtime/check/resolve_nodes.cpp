#include "runtime/check/resolve_nodes.hpp"

#include <fmt/format.h>

#include "runtime/check/arguments.hpp"
#include "runtime/check/attributes.hpp"
#include "runtime/check/routing.hpp"

namespace flow::checker {
namespace {

// A source produces with its first operator and only there; a sink consumes
// with its last and only there; every other place takes a stage operator.
void check_role(Reporter& reporter, const syntax::NodeDecl& decl, std::size_t index,
                const OperatorSpec& spec) {
  const auto& op = decl.chain[index].name;
  // A stage operator that may also end a sink (exec, http) counts as a sink operator there.
  Role role = spec.role;
  if (decl.kind == NodeKind::Sink && index + 1 == decl.chain.size() && spec.make_sink) role = Role::Sink;
  bool starts_source = decl.kind == NodeKind::Source && index == 0;
  bool ends_sink = decl.kind == NodeKind::Sink && index + 1 == decl.chain.size();
  std::string message;
  if (starts_source && role != Role::Source) {
    message = fmt::format("source '{}' must start with a source operator, not {} operator '{}'",
                          decl.name.text, to_string(role), op.text);
  } else if (ends_sink && role != Role::Sink) {
    message = fmt::format("sink '{}' must end with a sink operator, not {} operator '{}'", decl.name.text,
                          to_string(role), op.text);
  } else if (!starts_source && role == Role::Source) {
    message = fmt::format("'{}' is a source operator; it can only come first in a source", op.text);
  } else if (!ends_sink && role == Role::Sink) {
    message = fmt::format("'{}' is a sink operator; it can only come last in a sink", op.text);
  }
  if (!message.empty()) reporter.error(op.location, op.text.size(), std::move(message));
}

}  // namespace

Node resolve_node(Reporter& reporter, const OperatorRegistry& registry, const syntax::NodeDecl& decl,
                  const std::vector<syntax::Attribute>& defaults, NodeRoutes* routes, NodeSites* sites) {
  Node node;
  node.name = decl.name.text;
  node.kind = decl.kind;
  node.location = decl.name.location;
  for (std::size_t index = 0; index < decl.chain.size(); ++index) {
    auto resolved = resolve_call(reporter, registry, decl.chain[index]);
    if (!resolved) continue;
    check_role(reporter, decl, index, *resolved->spec);
    resolved->call.node = node.name;
    if (sites != nullptr && !resolved->complete) sites->rejected.insert(node.chain.size());
    if (sites != nullptr && !resolved->sites.empty())
      sites->calls[node.chain.size()] = std::move(resolved->sites);
    node.chain.push_back(std::move(resolved->call));
  }
  note_output_labels(reporter, registry, decl, node);
  // Defaults were checked where they were written; only what is valid got this far.
  for (const auto& attribute : defaults) set_node_attribute(node, attribute.key.text, attribute.value.value);
  auto applied = apply_attributes(
      reporter, "node attribute", node_attribute_names(), decl.attributes,
      [&node](const std::string& key, const Value& value) { return set_node_attribute(node, key, value); });
  check_partition(reporter, decl, defaults, node);
  if (sites != nullptr && !node.partition_by.empty()) sites->partition = partition_written(decl, defaults);
  if (routes != nullptr) {
    note_node_routes(*routes, defaults);
    note_node_routes(*routes, applied);
  }
  return node;
}

}  // namespace flow::checker
