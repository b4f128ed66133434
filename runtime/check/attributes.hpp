#pragma once
// Typed attribute reading for pipelines, nodes and edges. Each setter checks one
// value and returns "" or the message to show under that value.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "grammar/syntax_tree.hpp"
#include "runtime/check/reporter.hpp"
#include "flow/model.hpp"

namespace flow::checker {

/// A dead-letter route's target as written (`dropped=dlq`): the node is
/// looked up once every node is known (dead_letters.hpp); `at`/`width` point
/// at the value (empty for a `--set`).
struct RouteName {
  std::string target;
  SourceLocation at;
  std::size_t width = 0;
};

/// An edge's attributes as written; what is left unset takes its default once
/// the consumer (and so its workers) is known.
struct EdgeSettings {
  bool capacity_set = false;
  std::optional<std::uint64_t> capacity;  ///< nullopt with capacity_set: unbounded
  Overflow overflow = Overflow::Block;
  std::optional<std::uint64_t> max_bytes;
  std::optional<Duration> deadline;
  std::optional<RouteName> dropped, expired;  ///< `dropped=NODE`, `expired=NODE`
};

/// A node's routes as written: `on_error=NODE` and `expired=NODE`.
struct NodeRoutes {
  std::optional<RouteName> errors, expired;
};

/// Where each route attribute among `attributes` (already applied) was
/// written: fills `at`/`width` of the matching route of `edge` or `routes`.
void locate_routes(EdgeSettings& edge, const std::vector<syntax::Attribute>& attributes);
/// The routes among a node's applied `attributes` (defaults first, then its
/// own: a later one wins), with where they were written.
void note_node_routes(NodeRoutes& routes, const std::vector<syntax::Attribute>& attributes);
/// The route a node attribute names (`on_error=dlq`, `expired=late`), if `key`/`value` is one.
std::optional<std::string> node_route_target(const std::string& key, const Value& value);

const std::vector<std::string>& pipeline_attribute_names();
const std::vector<std::string>& node_attribute_names();
const std::vector<std::string>& edge_attribute_names();

/// Set one attribute from a typed value. `key` must be one of the names above.
std::string set_pipeline_attribute(Pipeline& pipeline, const std::string& key, const Value& value);
std::string set_node_attribute(Node& node, const std::string& key, const Value& value);
std::string set_edge_attribute(EdgeSettings& edge, const std::string& key, const Value& value);

/// "unknown edge attribute 'policy'; did you mean 'overflow'?": a word another
/// tool uses for one of `names` suggests it, else the closest in spelling.
std::string unknown_attribute(std::string_view what, const std::string& key, const std::vector<std::string>& names);

/// "expected a duration, got a size".
std::string kind_error(std::string_view expected, const Value& got);

using AttributeSetter = std::function<std::string(const std::string& key, const Value& value)>;

/// Applies a `[...]` list: an unknown key is reported under the key, a bad
/// value under the value, a key given twice under its second occurrence.
/// Returns the attributes that were applied.
std::vector<syntax::Attribute> apply_attributes(Reporter& reporter, std::string_view what,
                                                const std::vector<std::string>& names,
                                                const std::vector<syntax::Attribute>& attributes,
                                                const AttributeSetter& set);

}  // namespace flow::checker
