#include "flow/model.hpp"

#include <fmt/format.h>

namespace flow {

const char* to_string(NodeKind kind) {
  switch (kind) {
    case NodeKind::Source: return "source";
    case NodeKind::Stage: return "stage";
    case NodeKind::Sink: return "sink";
  }
  return "?";
}

const char* to_string(Overflow policy) {
  switch (policy) {
    case Overflow::Block: return "block";
    case Overflow::DropNewest: return "drop_newest";
    case Overflow::DropOldest: return "drop_oldest";
    case Overflow::Fail: return "fail";
  }
  return "?";
}

const char* to_string(Fanout fanout) { return fanout == Fanout::Broadcast ? "broadcast" : "round_robin"; }

const char* to_string(OnError on_error) {
  switch (on_error) {
    case OnError::Fail: return "fail";
    case OnError::Skip: return "skip";
    case OnError::DeadLetter: return "dead_letter";
  }
  return "?";
}

const char* to_string(ClockKind clock) { return clock == ClockKind::Real ? "real" : "virtual"; }

std::optional<NodeId> Pipeline::find_node(const std::string& wanted) const {
  for (NodeId id = 0; id < nodes.size(); ++id) {
    if (nodes[id].name == wanted) return id;
  }
  return std::nullopt;
}

std::string Pipeline::edge_name(EdgeId id) const {
  const auto& edge = edges.at(id);
  if (!edge.output.empty()) return fmt::format("{}.{} -> {}", nodes.at(edge.from).name, edge.output, nodes.at(edge.to).name);
  return fmt::format("{} -> {}", nodes.at(edge.from).name, nodes.at(edge.to).name);
}

std::vector<std::string> dead_letter_reasons(const Pipeline& pipeline, EdgeId id) {
  const auto& edge = pipeline.edges.at(id);
  if (!edge.dead_letter) return {};
  const auto& from = pipeline.nodes.at(edge.from);
  auto routed = [&](const std::optional<NodeId>& target) { return target && *target == edge.to; };
  auto any_edge = [&](const std::vector<EdgeId>& ids, std::optional<NodeId> Edge::*route) {
    for (auto e : ids)
      if (routed(pipeline.edges.at(e).*route)) return true;
    return false;
  };
  std::vector<std::string> reasons;
  if (any_edge(from.outputs, &Edge::dropped_to)) reasons.emplace_back("dropped");
  if (routed(from.errors_to)) reasons.emplace_back("errors");
  if (routed(from.expired_to) || any_edge(from.inputs, &Edge::expired_to)) reasons.emplace_back("expired");
  return reasons;
}

}  // namespace flow

namespace flow {

std::string output_condition(const Node& node, const std::string& label) {
  if (node.chain.empty()) return "";
  // route's conditions are its variadic values ("outputs.1", ...), each an Expression with its label.
  for (const auto& [key, value] : node.chain.back().args) {
    const auto* expression = std::get_if<Expression>(&value);
    if (expression != nullptr && expression->label == label) return expression->text;
  }
  return "";
}

}  // namespace flow
