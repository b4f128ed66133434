#include "flow/mermaid.hpp"

#include <fmt/format.h>

#include "flow/bottleneck.hpp"
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

std::string node_line(NodeId id, const Node& node, const OperatorRegistry& registry, const RunMetrics* run,
                      bool bottleneck) {
  auto label = mermaid_escape(node.name);
  if (bottleneck) label = "bottleneck: " + label;
  if (!node.chain.empty()) label += "<br/>" + mermaid_escape(output::chain_text(node, registry));
  label += "<br/>" + mermaid_escape(output::attribute_text(node));
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

std::string edge_line(const Pipeline& pipeline, const Edge& edge, const RunMetrics* run) {
  auto label = mermaid_escape(output::edge_text(edge));
  const auto* measured =
      run ? output::find_edge_metrics(*run, pipeline.nodes.at(edge.from).name, pipeline.nodes.at(edge.to).name)
          : nullptr;
  if (measured != nullptr) label += "<br/>" + mermaid_escape(output::edge_run_text(*measured, run->elapsed_s));
  return fmt::format("  n{} {}|\"{}\"| n{}\n", edge.from, arrow(edge.overflow), label, edge.to);
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
    const auto* measured = output::find_edge_metrics(run, pipeline.nodes.at(edge.from).name, to.name);
    if (measured == nullptr) continue;
    auto fill = fill_ratio(*measured, to.workers);
    out += fmt::format("  linkStyle {} stroke:{},stroke-width:{:.0f}px\n", id, output::heat_colour(fill),
                       2.0 + 3.0 * fill);
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
  for (NodeId id = 0; id < pipeline.nodes.size(); ++id)
    out += node_line(id, pipeline.nodes[id], registry, run,
                     !bottleneck.empty() && pipeline.nodes[id].name == bottleneck);
  for (const auto& edge : pipeline.edges) out += edge_line(pipeline, edge, run);
  if (run != nullptr) out += run_styles(pipeline, *run, bottleneck);
  return out;
}

}  // namespace flow
