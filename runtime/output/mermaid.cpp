#include "flow/mermaid.hpp"

#include <fmt/format.h>

#include "flow/bottleneck.hpp"
#include "flow/parts.hpp"
#include "runtime/output/labels.hpp"
#include "runtime/output/text.hpp"

namespace flow {
namespace {

std::string entity(const std::string& character) {
  if (character == "\"") return "#quot;";
  if (character == "#") return "#35;";
  if (character == "<") return "#lt;";
  if (character == ">") return "#gt;";
  if (character == "&") return "#amp;";
  return "";
}

std::string node_shape(NodeKind kind, const std::string& label) {
  switch (kind) {
    case NodeKind::Source: return fmt::format("([\"{}\"])", label);
    case NodeKind::Stage: return fmt::format("[\"{}\"]", label);
    case NodeKind::Sink: return fmt::format("[(\"{}\")]", label);
  }
  return fmt::format("[\"{}\"]", label);
}

std::string node_line(const Pipeline& pipeline, NodeId id, const OperatorRegistry& registry,
                      const RunMetrics* run, bool bottleneck) {
  const Node& node = pipeline.nodes[id];
  auto label = mermaid_escape(node.name);
  if (bottleneck) label = "bottleneck: " + label;
  if (!node.chain.empty()) label += "<br/>" + mermaid_escape(output::chain_text(node, registry));
  label += "<br/>" + mermaid_escape(output::attribute_text(pipeline, node));
  const auto* measured = run ? output::find_node_metrics(*run, node.name) : nullptr;
  if (measured != nullptr) label += "<br/>" + mermaid_escape(output::node_run_text(*measured));
  return fmt::format("  n{}{}\n", id, node_shape(node.kind, label));
}

std::string arrow(Overflow overflow) {
  switch (overflow) {
    case Overflow::DropNewest:
    case Overflow::DropOldest: return "-.->";
    case Overflow::Fail: return "==>";
    case Overflow::Block: return "-->";
  }
  return "-->";
}

// A cut edge (between two parts, carried by JetStream) and a dead-letter edge
// (a route) are dotted whatever their policy; a route says what it carries first.
std::string edge_line(const Pipeline& pipeline, EdgeId id, const RunMetrics* run) {
  const auto& edge = pipeline.edges[id];
  bool cut = is_cut(pipeline, id);
  auto label = mermaid_escape(output::edge_text(edge));
  if (edge.dead_letter) label = mermaid_escape(output::route_text(pipeline, id)) + "<br/>" + label;
  if (!edge.output.empty()) label = mermaid_escape(output::output_text(pipeline, id)) + "<br/>" + label;
  if (cut) label += "<br/>JetStream";
  const auto* measured = run ? output::find_edge_metrics(pipeline, *run, id) : nullptr;
  if (measured != nullptr) label += "<br/>" + mermaid_escape(output::edge_run_text(*measured, run->elapsed_s));
  return fmt::format("  n{} {}|\"{}\"| n{}\n", edge.from,
                     cut || edge.dead_letter ? "-.->" : arrow(edge.overflow), label, edge.to);
}

// The colouring of a finished run, as `style` / `linkStyle` lines after the graph.
std::string run_styles(const Pipeline& pipeline, const RunMetrics& run, const std::string& bottleneck) {
  std::string out;
  for (NodeId id = 0; id < pipeline.nodes.size(); ++id) {
    const auto& node = pipeline.nodes[id];
    const auto* measured = output::find_node_metrics(run, node.name);
    if (measured == nullptr) continue;
    auto fill = output::heat_colour(busy_fraction(*measured, run.elapsed_s), true);
    auto border = node.name == bottleneck ? ",stroke:#d62728,stroke-width:4px" : "";
    out += fmt::format("  style n{} fill:{}{}\n", id, fill, border);
  }
  for (EdgeId id = 0; id < pipeline.edges.size(); ++id) {
    const auto& edge = pipeline.edges[id];
    const auto& to = pipeline.nodes.at(edge.to);
    const auto* measured = output::find_edge_metrics(pipeline, run, id);
    if (measured == nullptr) continue;
    auto fill = fill_ratio(*measured, to.workers);
    out += fmt::format("  linkStyle {} stroke:{},stroke-width:{:.0f}px\n", id, output::heat_colour(fill),
                       2.0 + 3.0 * fill);
  }
  return out;
}

// The nodes: those of each part in a subgraph of its own (ids p0, p1, …: a part
// may be called `end`), then those in no part. Edges follow outside every
// subgraph, so that linking never moves a node into one.
std::string node_lines(const Pipeline& pipeline, const OperatorRegistry& registry, const RunMetrics* run,
                       const std::string& bottleneck) {
  auto line = [&](NodeId id) {
    return node_line(pipeline, id, registry, run,
                     !bottleneck.empty() && pipeline.nodes[id].name == bottleneck);
  };
  std::string out;
  auto parts = parts_of(pipeline);
  for (std::size_t index = 0; index < parts.size(); ++index) {
    out += fmt::format("  subgraph p{} [\"part {}\"]\n", index, mermaid_escape(parts[index]));
    for (NodeId id = 0; id < pipeline.nodes.size(); ++id) {
      if (pipeline.nodes[id].part == parts[index]) out += "  " + line(id);
    }
    out += "  end\n";
  }
  for (NodeId id = 0; id < pipeline.nodes.size(); ++id) {
    if (pipeline.nodes[id].part.empty()) out += line(id);
  }
  return out;
}

}  // namespace

std::string mermaid_escape(const std::string& text) {
  std::string out;
  for (const auto& piece : output::utf8_pieces(text)) {
    auto code = entity(piece.bytes);
    if (!code.empty()) {
      out += code;
    } else if (piece.bytes == "\n") {
      out += "<br/>";
    } else if (piece.invalid || (piece.bytes.size() == 1 && static_cast<unsigned char>(piece.bytes[0]) < 0x20)) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(piece.bytes[0]));
    } else {
      out += piece.bytes;
    }
  }
  return out;
}

std::string to_mermaid(const Pipeline& pipeline, const OperatorRegistry& registry, const RunMetrics* run) {
  auto bottleneck = run ? output::bottleneck_of(pipeline, *run) : std::string();
  std::string out = "flowchart LR\n";
  out += node_lines(pipeline, registry, run, bottleneck);
  for (EdgeId id = 0; id < pipeline.edges.size(); ++id) out += edge_line(pipeline, id, run);
  if (run != nullptr) out += run_styles(pipeline, *run, bottleneck);
  return out;
}

}  // namespace flow
