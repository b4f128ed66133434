#include "runtime/check/overrides.hpp"

#include <fmt/format.h>
#include <algorithm>

#include "grammar/parser.hpp"
#include "runtime/check/arguments.hpp"
#include "runtime/check/attributes.hpp"
#include "runtime/model/value_limits.hpp"

namespace flow::checker {
namespace {

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Sets argument `key` of the first operator in the chain that has one; nullopt
// when none has, else "" or the error.
std::optional<std::string> set_argument(const OperatorRegistry& registry, Node& node, const std::string& key,
                                        const Value& value) {
  for (auto& call : node.chain) {
    const auto* spec = registry.find(call.name);
    const auto* argument = spec == nullptr ? nullptr : find_argument(*spec, key);
    if (argument == nullptr) continue;
    if (argument->variadic) return fmt::format("'{}' of '{}' is given by position in the file only", key, call.name);
    Value converted = value;
    auto error = convert_argument(*argument, converted);
    if (!error.empty()) return error;
    call.args[key] = std::move(converted);
    std::string culprit;
    return validate_call(*spec, call, culprit);
  }
  return std::nullopt;
}

std::vector<std::string> settable_names(const OperatorRegistry& registry, const Node& node) {
  auto names = node_attribute_names();
  for (const auto& call : node.chain) {
    if (const auto* spec = registry.find(call.name)) {
      for (const auto& arg : spec->args) names.push_back(arg.name);
    }
  }
  return names;
}

std::string apply_to_node(const OperatorRegistry& registry, Node& node, const std::string& key, const Value& value) {
  if (contains(node_attribute_names(), key)) return set_node_attribute(node, key, value);
  if (auto result = set_argument(registry, node, key, value)) return *result;
  return fmt::format("node '{}' has no attribute or operator argument '{}'{}", node.name, key,
                     did_you_mean(key, settable_names(registry, node)));
}

std::string apply_one(const OperatorRegistry& registry, Pipeline& pipeline, const Override& change) {
  std::string parse_error;
  auto literal = parse_value(change.value, parse_error);
  if (!literal) return parse_error;
  if (auto error = limits::out_of_range(literal->value); !error.empty()) return error;
  // `pipeline` is a keyword, so no node can be called that.
  if (change.node == "pipeline") {
    if (!contains(pipeline_attribute_names(), change.key)) {
      return unknown_name("pipeline attribute", change.key, pipeline_attribute_names());
    }
    return set_pipeline_attribute(pipeline, change.key, literal->value);
  }
  auto id = pipeline.find_node(change.node);
  if (!id) {
    std::vector<std::string> names;
    for (const auto& node : pipeline.nodes) names.push_back(node.name);
    return unknown_name("node", change.node, names);
  }
  return apply_to_node(registry, pipeline.nodes[*id], change.key, literal->value);
}

constexpr std::string_view kArrow = "->";

bool names_edge(const Override& change) {
  return change.node.find(kArrow) != std::string::npos;
}

/// Where the edge leaves, as the file writes it: `r.errors` from a labeled
/// output (route), so that `r.a -> k` and `r.b -> k` are two targets.
std::string leaves(const Pipeline& pipeline, const Edge& edge) {
  const auto& from = pipeline.nodes[edge.from].name;
  return edge.output.empty() ? from : from + "." + edge.output;
}

std::string target_of(const Pipeline& pipeline, const Edge& edge) {
  return leaves(pipeline, edge) + std::string(kArrow) + pipeline.nodes[edge.to].name;
}

std::optional<EdgeId> find_edge(const Pipeline& pipeline, const std::string& target) {
  for (EdgeId id = 0; id < pipeline.edges.size(); ++id) {
    if (target_of(pipeline, pipeline.edges[id]) == target) return id;
  }
  return std::nullopt;
}

/// "unknown edge 'a->c'", with the close name or, failing that, the edges of
/// the nodes it names: `ingest->process` is most likely one hop of a chain.
std::string unknown_edge(const Pipeline& pipeline, const std::string& target) {
  std::vector<std::string> names, touching;
  auto arrow = target.find(kArrow);
  auto from = target.substr(0, arrow), to = target.substr(arrow + kArrow.size());
  for (const auto& edge : pipeline.edges) {
    names.push_back(target_of(pipeline, edge));
    if (leaves(pipeline, edge) == from || pipeline.nodes[edge.from].name == from ||
        pipeline.nodes[edge.to].name == to)
      touching.push_back(names.back());
  }
  auto message = unknown_name("edge", target, names);
  if (message.find("did you mean") != std::string::npos || touching.empty()) return message;
  std::string list;
  for (const auto& name : touching) list += (list.empty() ? "" : ", ") + name;
  return fmt::format("{}; the edges of those nodes are {}", message, list);
}

/// The edge's attributes as settings, so the file's own setter checks the value.
EdgeSettings settings_of(const Edge& edge) {
  EdgeSettings settings;
  settings.capacity_set = true;
  settings.capacity = edge.capacity;
  settings.overflow = edge.overflow;
  settings.max_bytes = edge.max_bytes;
  settings.deadline = edge.deadline;
  return settings;
}

std::string apply_to_edge(Pipeline& pipeline, const Override& change, std::string& warning, Routes& routes) {
  std::string parse_error;
  auto literal = parse_value(change.value, parse_error);
  if (!literal) return parse_error;
  if (auto error = limits::out_of_range(literal->value); !error.empty()) return error;
  auto id = find_edge(pipeline, change.node);
  if (!id) return unknown_edge(pipeline, change.node);
  if (!contains(edge_attribute_names(), change.key)) {
    return unknown_attribute("edge attribute", change.key, edge_attribute_names());
  }
  auto settings = settings_of(pipeline.edges[*id]);
  if (auto error = set_edge_attribute(settings, change.key, literal->value); !error.empty()) return error;
  auto& edge = pipeline.edges[*id];
  edge.capacity = settings.capacity;
  edge.overflow = settings.overflow;
  edge.max_bytes = settings.max_bytes;
  edge.deadline = settings.deadline;
  if (settings.dropped) routes.edges[*id].dropped = settings.dropped;
  if (settings.expired) routes.edges[*id].expired = settings.expired;
  if (!edge.capacity) {
    warning = fmt::format("edge {} is unbounded; its memory use has no limit", pipeline.edge_name(*id));
  }
  return "";
}

// The shell takes the quotes of `--set w.path="a.log"` for its own, so flow
// gets a bare a.log. When the quoted value would do, the message shows the
// spelling that keeps them.
std::string quoting_hint(const OperatorRegistry& registry, const Pipeline& pipeline, const Override& change) {
  const auto& value = change.value;
  bool quoted_already = !value.empty() && value.front() == '"';
  if (quoted_already || value.find_first_of("\"\\'\n") != std::string::npos) return "";
  Override quoted = change;
  quoted.value = fmt::format("\"{}\"", value);
  Pipeline trial = pipeline;
  if (!apply_one(registry, trial, quoted).empty()) return "";
  return fmt::format("; a string needs quotes that the shell passes on: --set '{}.{}=\"{}\"'", change.node,
                     change.key, value);
}

// `--set b.on_error=dlq` replaces the route the file wrote (on_error=skip takes it back).
void note_route(const Override& change, Routes& routes) {
  if (change.key != "on_error" && change.key != "expired") return;
  std::string parse_error;
  auto literal = parse_value(change.value, parse_error);
  if (!literal) return;
  auto target = node_route_target(change.key, literal->value);
  auto& node = routes.nodes[change.node];
  auto& route = change.key == "on_error" ? node.errors : node.expired;
  route = target ? std::optional<RouteName>(RouteName{*target, {}, 0}) : std::nullopt;
}

}  // namespace

void apply_overrides(Reporter& reporter, const OperatorRegistry& registry, Pipeline& pipeline,
                     const std::vector<Override>& overrides, Routes& routes) {
  for (const auto& change : overrides) {
    if (names_edge(change)) continue;
    auto error = apply_one(registry, pipeline, change);
    if (error.empty()) note_route(change, routes);
    if (!error.empty()) {
      reporter.error(SourceLocation{}, 0,
                     fmt::format("--set {}.{}={}: {}{}", change.node, change.key, change.value, error,
                                 quoting_hint(registry, pipeline, change)));
    }
  }
}

namespace {

// splitmix64's finaliser: nearby inputs give unrelated seeds.
std::uint64_t mix(std::uint64_t z) {
  z += 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// FNV-1a: the same name gives the same number on every platform.
std::uint64_t hash_name(const std::string& name) {
  std::uint64_t h = 0xCBF29CE484222325ULL;
  for (unsigned char c : name) h = (h ^ c) * 0x100000001B3ULL;
  return h;
}

}  // namespace

void derive_seeds(Pipeline& pipeline) {
  for (auto& node : pipeline.nodes) {
    for (std::size_t k = 0; k < node.chain.size(); ++k) {
      node.chain[k].seed = mix(mix(pipeline.seed ^ hash_name(node.name)) + k);
    }
  }
}

void apply_edge_overrides(Reporter& reporter, Pipeline& pipeline, const std::vector<Override>& overrides,
                          Routes& routes) {
  for (const auto& change : overrides) {
    if (!names_edge(change)) continue;
    std::string warning;
    auto error = apply_to_edge(pipeline, change, warning, routes);
    auto what = fmt::format("--set {}.{}={}: ", change.node, change.key, change.value);
    if (!error.empty()) reporter.error(SourceLocation{}, 0, what + error);
    if (!warning.empty()) reporter.warning(SourceLocation{}, 0, what + warning);
  }
}

}  // namespace flow::checker
