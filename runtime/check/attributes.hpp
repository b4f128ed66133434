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

/// An edge's attributes as written; what is left unset takes its default once
/// the consumer (and so its workers) is known.
struct EdgeSettings {
  bool capacity_set = false;
  std::optional<std::uint64_t> capacity;  ///< nullopt with capacity_set: unbounded
  Overflow overflow = Overflow::Block;
  std::optional<std::uint64_t> max_bytes;
};

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
