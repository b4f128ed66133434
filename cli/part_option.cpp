#include "cli/part_option.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <algorithm>

#include "flow/diagnostic.hpp"
#include "flow/parts.hpp"

namespace flow::cli {
namespace {

std::string file_of(const Pipeline& pipeline) {
  return pipeline.file ? pipeline.file->name : pipeline.name;
}

std::string part_label(const std::string& part) {
  return part.empty() ? std::string("no part") : part;
}

// "front (ingest, validate)": a part and its nodes, in declaration order.
std::string part_with_nodes(const Pipeline& pipeline, const std::string& part) {
  std::vector<std::string> names;
  for (const auto& node : pipeline.nodes) {
    if (node.part == part) names.push_back(node.name);
  }
  return fmt::format("{} ({})", part_label(part), fmt::join(names, ", "));
}

}  // namespace

void add_part_option(CLI::App& app, std::optional<std::string>& part, const char* description) {
  app.add_option("--part", part, description)->type_name("NAME");
}

std::optional<std::string> part_error(const Pipeline& pipeline, const std::string& part) {
  auto parts = parts_of(pipeline);
  if (parts.empty())
    return fmt::format("--part {}: {} names no parts (part=NAME on its nodes, docs/language.md)", part,
                       file_of(pipeline));
  if (std::find(parts.begin(), parts.end(), part) != parts.end()) return std::nullopt;
  auto close = closest_match(part, parts);
  auto hint = close.empty() ? std::string() : fmt::format("; did you mean '{}'?", close);
  return fmt::format("--part {}: unknown part '{}' in {}; expected one of {}{}", part, part,
                     file_of(pipeline), fmt::join(parts, ", "), hint);
}

std::string parts_line(const Pipeline& pipeline) {
  auto parts = parts_of(pipeline);
  if (parts.empty()) return "";
  if (std::any_of(pipeline.nodes.begin(), pipeline.nodes.end(),
                  [](const Node& node) { return node.part.empty(); }))
    parts.emplace_back();  // listed as "no part (...)"
  std::vector<std::string> groups;
  groups.reserve(parts.size());
  for (const auto& part : parts) groups.push_back(part_with_nodes(pipeline, part));
  std::vector<std::string> cuts;
  for (auto id : cut_edges(pipeline)) {
    const auto& edge = pipeline.edges[id];
    cuts.push_back(fmt::format("{} ({} -> {})", pipeline.edge_name(id),
                               part_label(pipeline.nodes[edge.from].part),
                               part_label(pipeline.nodes[edge.to].part)));
  }
  return fmt::format("{}: parts {}; cut edges {}", file_of(pipeline), fmt::join(groups, ", "),
                     cuts.empty() ? std::string("none") : fmt::format("{}", fmt::join(cuts, ", ")));
}

}  // namespace flow::cli
