#include "flow/dot.hpp"

#include <fmt/format.h>

#include "flow/bottleneck.hpp"
#include "flow/parts.hpp"
#include "runtime/output/labels.hpp"
#include "runtime/output/text.hpp"

namespace flow {
namespace {

const char* shape_of(NodeKind kind) {
  switch (kind) {
    case NodeKind::Source: return "invhouse";
    case NodeKind::Stage: return "box";
    case NodeKind::Sink: return "house";
  }
  return "box";
}

std::string node_statement(const Pipeline& pipeline, const Node& node, const OperatorRegistry& registry,
                           const RunMetrics* run, const std::string& bottleneck) {
  auto label = dot_escape(node.name);
  if (!node.chain.empty()) label += "\\n" + dot_escape(output::chain_text(node, registry));
  label += "\\n" + dot_escape(output::attribute_text(pipeline, node));
  std::string styles = node.kind == NodeKind::Stage ? "rounded" : "";
  std::string extra;
  const auto* measured = run ? output::find_node_metrics(*run, node.name) : nullptr;
  if (measured != nullptr) {
    label += "\\n" + dot_escape(output::node_run_text(*measured));
    styles += styles.empty() ? "filled" : ",filled";
    extra += fmt::format(", fillcolor=\"{}\"", output::heat_colour(busy_fraction(*measured, run->elapsed_s), true));
  }
  if (!bottleneck.empty() && node.name == bottleneck) {
    label = "bottleneck: " + label;
    extra += ", color=\"#d62728\", penwidth=4";
  }
  auto style = styles.empty() ? std::string() : fmt::format(", style=\"{}\"", styles);
  return fmt::format("  \"{}\" [shape={}{}{}, label=\"{}\"];\n", dot_escape(node.name), shape_of(node.kind), style,
                     extra, label);
}

// A cut edge (between two parts, carried by JetStream) is dashed whatever its
// policy; a fail edge keeps its bold line and tee head. A dead-letter edge is
// dashed with a hollow head: a route, never a declared edge.
std::string edge_style(const Edge& edge, bool cut) {
  if (edge.dead_letter) return "style=dashed, arrowhead=onormal";
  switch (edge.overflow) {
    case Overflow::DropNewest:
    case Overflow::DropOldest: return "style=dashed";
    case Overflow::Fail:
      return cut ? "style=\"bold,dashed\", arrowhead=tee" : "style=bold, arrowhead=tee";
    case Overflow::Block:
      return cut ? "style=dashed" : "style=solid";
  }
  return "style=solid";
}

std::string edge_statement(const Pipeline& pipeline, EdgeId id, const RunMetrics* run) {
  const auto& edge = pipeline.edges[id];
  const auto& from = pipeline.nodes.at(edge.from);
  const auto& to = pipeline.nodes.at(edge.to);
  bool cut = is_cut(pipeline, id);
  auto label = dot_escape(output::edge_text(edge));
  if (edge.dead_letter) label = dot_escape(output::route_text(pipeline, id)) + "\\n" + label;
  if (!edge.output.empty()) label = dot_escape(output::output_text(pipeline, id)) + "\\n" + label;
  if (cut) label += "\\nJetStream";
  auto style = edge_style(edge, cut);
  const auto* measured = run ? output::find_edge_metrics(pipeline, *run, id) : nullptr;
  if (measured != nullptr) {
    auto fill = fill_ratio(*measured, to.workers);
    label += "\\n" + dot_escape(output::edge_run_text(*measured, run->elapsed_s));
    auto colour = output::heat_colour(fill);
    style += fmt::format(", color=\"{}\", fontcolor=\"{}\", penwidth={:.1f}", colour, colour, 1.0 + 2.0 * fill);
  }
  return fmt::format("  \"{}\" -> \"{}\" [{}, label=\"{}\"];\n", dot_escape(from.name), dot_escape(to.name), style,
                     label);
}

// The nodes: those of each part in a cluster of its own, then those in no part.
std::string node_statements(const Pipeline& pipeline, const OperatorRegistry& registry, const RunMetrics* run,
                            const std::string& bottleneck) {
  std::string out;
  for (const auto& part : parts_of(pipeline)) {
    out += fmt::format("  subgraph \"cluster_{}\" {{\n", dot_escape(part));
    out += fmt::format("    label=\"part {}\";\n    style=\"rounded\";\n    color=\"#888888\";\n",
                       dot_escape(part));
    for (const auto& node : pipeline.nodes) {
      if (node.part == part) out += "  " + node_statement(pipeline, node, registry, run, bottleneck);
    }
    out += "  }\n";
  }
  for (const auto& node : pipeline.nodes) {
    if (node.part.empty()) out += node_statement(pipeline, node, registry, run, bottleneck);
  }
  return out;
}

}  // namespace

std::string dot_escape(const std::string& text) {
  std::string out;
  for (const auto& piece : output::utf8_pieces(text)) {
    if (piece.invalid || (piece.bytes.size() == 1 && static_cast<unsigned char>(piece.bytes[0]) < 0x20 &&
                          piece.bytes[0] != '\n')) {
      // `\\x` so Graphviz shows a backslash rather than reading an escape.
      out += fmt::format("\\\\x{:02x}", static_cast<unsigned char>(piece.bytes[0]));
    } else if (piece.bytes == "\n") {
      out += "\\n";
    } else if (piece.bytes == "\"" || piece.bytes == "\\") {
      out += "\\" + piece.bytes;
    } else {
      out += piece.bytes;
    }
  }
  return out;
}

std::string to_dot(const Pipeline& pipeline, const OperatorRegistry& registry, const RunMetrics* run) {
  auto bottleneck = run ? output::bottleneck_of(pipeline, *run) : std::string();
  std::string out = fmt::format("digraph \"{}\" {{\n", dot_escape(pipeline.name));
  out += "  rankdir=LR;\n";
  out += "  fontname=\"Helvetica\";\n";
  out += "  node [fontname=\"Helvetica\", fontsize=11];\n";
  out += "  edge [fontname=\"Helvetica\", fontsize=10];\n";
  if (run != nullptr) {
    out += fmt::format("  label=\"{}\";\n  labelloc=t;\n",
                       dot_escape(fmt::format("{}: {}, {:.2f} s", pipeline.name, to_string(run->status), run->elapsed_s)));
  }
  out += node_statements(pipeline, registry, run, bottleneck);
  for (EdgeId id = 0; id < pipeline.edges.size(); ++id) out += edge_statement(pipeline, id, run);
  out += "}\n";
  return out;
}

}  // namespace flow
