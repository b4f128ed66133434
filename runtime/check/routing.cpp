#include "runtime/check/routing.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <string>

#include "runtime/check/arguments.hpp"

namespace flow::checker {
namespace {

const syntax::Attribute* find_attribute(const std::vector<syntax::Attribute>& attributes, const char* key) {
  const syntax::Attribute* found = nullptr;
  for (const auto& attribute : attributes) {
    if (attribute.key.text == key) found = &attribute;
  }
  return found;
}

std::string listed(const std::vector<std::string>& labels, const std::string& node) {
  std::string out;
  for (const auto& label : labels) out += fmt::format("{}{}.{}", out.empty() ? "" : ", ", node, label);
  return out;
}

}  // namespace

void note_output_labels(Reporter& reporter, const OperatorRegistry& registry, const syntax::NodeDecl& decl,
                        Node& node) {
  for (std::size_t index = 0; index < decl.chain.size(); ++index) {
    const auto& call = decl.chain[index];
    const auto* spec = registry.find(call.name.text);
    if (spec == nullptr || !spec->routes) continue;
    if (index + 1 != decl.chain.size() || decl.kind == NodeKind::Sink) {
      // Its labels name the node's outputs: nothing may come after it, and a sink has none.
      reporter.error(
          call.name.location, call.name.text.size(),
          fmt::format(
              "'{}' picks the output each message leaves by, so it must be last in the chain of a stage "
              "or source; move what follows it to a node after {}.LABEL",
              call.name.text, decl.name.text));
      continue;
    }
    std::map<std::string, std::size_t> lines;
    for (const auto& arg : call.args) {
      const auto* expression = std::get_if<Expression>(&arg.value.value);
      if (expression == nullptr) continue;  // not an expression at all: resolve_call said so
      if (expression->label.empty()) {
        reporter.error(
            arg.value.location, arg.value.width,
            fmt::format("expected 'label: condition', such as 'errors: status >= 500' or 'rest: true'; "
                        "each label names an output: {}.LABEL -> NODE",
                        decl.name.text));
        continue;
      }
      auto [first, fresh] = lines.emplace(expression->label, arg.value.location.line);
      if (!fresh) {
        reporter.error(
            arg.value.location, arg.value.width,
            fmt::format("output '{}' is already labeled on line {}", expression->label, first->second));
        continue;
      }
      node.output_labels.push_back(expression->label);
    }
  }
}

namespace {

const syntax::Attribute* partition_attribute(const syntax::NodeDecl& decl,
                                             const std::vector<syntax::Attribute>& defaults) {
  const auto* written = find_attribute(decl.attributes, "partition");
  return written != nullptr ? written : find_attribute(defaults, "partition");
}

}  // namespace

std::optional<syntax::Literal> partition_written(const syntax::NodeDecl& decl,
                                                 const std::vector<syntax::Attribute>& defaults) {
  const auto* written = partition_attribute(decl, defaults);
  if (written == nullptr) return std::nullopt;
  return written->value;
}

void check_partition(Reporter& reporter, const syntax::NodeDecl& decl,
                     const std::vector<syntax::Attribute>& defaults, const Node& node) {
  if (node.partition_by.empty()) return;
  const auto* written = partition_attribute(decl, defaults);
  if (written == nullptr) return;
  auto at = written->key.location;
  auto width = written->value.location.offset + written->value.width - at.offset;
  if (node.kind == NodeKind::Source) {
    reporter.error(
        at, width,
        fmt::format("source '{}' takes no input, so it has nothing to partition; put partition= on the "
                    "stage that does the work",
                    node.name));
  } else if (node.ordered) {
    reporter.error(
        at, width,
        "partition= keeps each key's order and ordered=true the whole node's: choose one (partition= "
        "lets other keys pass a slow one)");
  } else if (node.fanout == Fanout::RoundRobin) {
    reporter.error(
        at, width,
        "partition= keeps each key's order, which fanout=round_robin would deal over several edges; "
        "leave fanout out");
  }
}

void check_labeled_edges(Reporter& reporter, const Pipeline& pipeline) {
  for (const auto& node : pipeline.nodes) {
    if (node.output_labels.empty()) continue;
    std::map<std::string, bool> used;
    for (auto id : node.outputs) {
      const auto& edge = pipeline.edges[id];
      if (!edge.output.empty()) {
        used[edge.output] = true;
        continue;
      }
      reporter.error(edge.location, 2,
                     fmt::format("an edge from '{}' must name the output it leaves by: {}", node.name,
                                 listed(node.output_labels, node.name)));
    }
    if (node.fanout == Fanout::RoundRobin) {
      reporter.error(
          node.location, node.name.size(),
          fmt::format("'{}' sends each message by its label; fanout=round_robin does not apply", node.name));
    }
    for (const auto& label : node.output_labels) {
      if (used.count(label) != 0) continue;
      const auto& route = node.chain.back();
      // A label whose messages would go nowhere is most likely a forgotten edge: the choice
      // (docs/routing.md).
      reporter.error(
          route.location, route.name.size(),
          fmt::format("output '{}' of '{}' has no edge: add `{}.{} -> NODE`, or leave the condition out "
                      "(messages no condition takes are counted filtered)",
                      label, node.name, node.name, label));
    }
  }
}

}  // namespace flow::checker
