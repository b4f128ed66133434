#include "flow/plan.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "flow/bound.hpp"
#include "flow/parts.hpp"
#include "runtime/output/cost.hpp"
#include "runtime/output/labels.hpp"

namespace flow {
namespace {

std::size_t widest_name(const Pipeline& pipeline) {
  std::size_t width = 0;
  for (const auto& node : pipeline.nodes) width = std::max(width, node.name.size());
  return width;
}

// `on_error=` as the file writes it: fail, skip, or the node a route sends failures to.
std::string on_error_text(const Pipeline& pipeline, const Node& node) {
  if (node.on_error == OnError::DeadLetter && node.errors_to) return pipeline.nodes.at(*node.errors_to).name;
  return to_string(node.on_error);
}

// Settings only some files use (deadlines, the routes of what expires), shown
// where set, like part=: a plan without them reads as it always did.
std::string deadline_text(const std::optional<Duration>& deadline, const std::optional<NodeId>& expired_to,
                          const Pipeline& pipeline) {
  std::string text;
  if (deadline) text += fmt::format(", deadline={}", to_string(Value{*deadline}));
  if (expired_to) text += fmt::format(", expired={}", pipeline.nodes.at(*expired_to).name);
  return text;
}

std::string nodes_part(const Pipeline& pipeline, const OperatorRegistry& registry) {
  std::string out = "nodes:\n";
  auto width = widest_name(pipeline);
  for (const auto& node : pipeline.nodes) {
    out += fmt::format("  {:<6} {:<{}} = {}\n", to_string(node.kind), node.name, width,
                       output::chain_text(node, registry));
    auto part = node.part.empty() ? std::string() : fmt::format(", part={}", node.part);
    out +=
        fmt::format("  {:<6} {:<{}}   [workers={}, ordered={}, fanout={}, on_error={}{}{}]\n", "", "", width,
                    node.workers, node.ordered, to_string(node.fanout), on_error_text(pipeline, node),
                    deadline_text(node.deadline, node.expired_to, pipeline), part);
  }
  return out;
}

// "[capacity=5, overflow=block, max_bytes=none]": an edge's settings, every default shown.
std::string edge_settings(const Edge& edge) {
  auto capacity = edge.capacity ? fmt::format("{}", *edge.capacity) : std::string("unbounded");
  auto bytes = edge.max_bytes ? to_string(Value{Size{*edge.max_bytes}}) : std::string("none");
  return fmt::format("[capacity={}, overflow={}, max_bytes={}]", capacity, to_string(edge.overflow), bytes);
}

// A declared edge's routes and deadline inside its brackets; a dead-letter
// edge (made for those routes) says after them what it carries.
std::string edge_line_settings(const Pipeline& pipeline, EdgeId id) {
  const Edge& edge = pipeline.edges[id];
  auto settings = edge_settings(edge);
  std::string extra = deadline_text(edge.deadline, edge.expired_to, pipeline);
  if (edge.dropped_to) extra = fmt::format(", dropped={}{}", pipeline.nodes.at(*edge.dropped_to).name, extra);
  if (!extra.empty()) settings.insert(settings.size() - 1, extra);
  if (edge.dead_letter)
    settings += fmt::format(" {}, never makes its producer wait", output::route_text(pipeline, id));
  return settings;
}

std::string edges_part(const Pipeline& pipeline) {
  std::string out = "edges:\n";
  std::size_t width = 0;
  for (EdgeId id = 0; id < pipeline.edges.size(); ++id) width = std::max(width, pipeline.edge_name(id).size());
  for (EdgeId id = 0; id < pipeline.edges.size(); ++id)
    out += fmt::format("  {:<{}}  {}\n", pipeline.edge_name(id), width, edge_line_settings(pipeline, id));
  return out;
}

// A node without part= is in no part: a run with --part never runs it.
std::string part_label(const std::string& part) {
  return part.empty() ? std::string("(no part)") : part;
}

// Each part with its nodes; nodes without part= last, as "(no part)".
std::string parts_list(const Pipeline& pipeline, std::vector<std::string> parts) {
  if (std::any_of(pipeline.nodes.begin(), pipeline.nodes.end(),
                  [](const Node& node) { return node.part.empty(); }))
    parts.emplace_back();
  std::size_t width = 0;
  for (const auto& part : parts) width = std::max(width, part_label(part).size());
  std::string out = "parts (flow run --part NAME runs one; without --part one process runs them all):\n";
  for (const auto& part : parts) {
    std::vector<std::string> names;
    for (const auto& node : pipeline.nodes) {
      if (node.part == part) names.push_back(node.name);
    }
    out += fmt::format("  {:<{}}  {}\n", part_label(part), width, fmt::join(names, ", "));
  }
  return out;
}

// Each cut edge with the parts it joins and the settings its stream gets.
std::string cut_list(const Pipeline& pipeline) {
  std::string out = "cut edges (each one a NATS JetStream stream with the edge's capacity and overflow):\n";
  auto cuts = cut_edges(pipeline);
  if (cuts.empty()) return out + "  none\n";
  std::size_t name_width = 0;
  std::size_t join_width = 0;
  std::vector<std::string> joins;
  for (auto id : cuts) {
    const auto& edge = pipeline.edges[id];
    joins.push_back(fmt::format("{} -> {}", part_label(pipeline.nodes[edge.from].part),
                                part_label(pipeline.nodes[edge.to].part)));
    name_width = std::max(name_width, pipeline.edge_name(id).size());
    join_width = std::max(join_width, joins.back().size());
  }
  for (std::size_t i = 0; i < cuts.size(); ++i) {
    out += fmt::format("  {:<{}}  {:<{}}  {}\n", pipeline.edge_name(cuts[i]), name_width, joins[i],
                       join_width, edge_settings(pipeline.edges[cuts[i]]));
  }
  return out;
}

std::string bounds_part(const Pipeline& pipeline, const OperatorRegistry& registry) {
  auto bound = hold_bound(pipeline, registry);
  auto in_flight = pipeline.max_in_flight_explicit
                       ? fmt::format("{}, enforced at the sources", pipeline.max_in_flight)
                       : std::string("not set (nothing is enforced beyond the edges)");
  return fmt::format(
      "bounds (messages alive at once, batch members one by one):\n"
      "  messages alive: {}\n  payload bytes alive: {}\n  max_in_flight: {}\n",
      messages_bound_text(bound), bytes_bound_text(bound), in_flight);
}

std::string rates_part(const Pipeline& pipeline, const PlanPrediction& prediction) {
  std::string out = "rates (workers / per-message time; messages/s):\n";
  auto width = widest_name(pipeline);
  for (const auto& node : prediction.nodes) {
    auto sustain = output::rate_text(node.capacity_per_s);
    auto why = node.capacity_reason.empty() ? std::string() : fmt::format(" ({})", node.capacity_reason);
    auto load = fmt::format("predicted {}", output::rate_text(node.rate_per_s));
    if (std::isfinite(node.capacity_per_s)) load += fmt::format(", {} busy", output::percent(node.utilisation));
    auto mark = node.name == prediction.bottleneck ? "  <- bottleneck" : "";
    out += fmt::format("  {:<{}}  sustains {}{}; {}{}\n", node.name, width, sustain, why, load, mark);
  }
  if (prediction.duration_s)
    out += fmt::format("  predicted run time: about {:.2f} s\n", *prediction.duration_s);
  return out;
}

}  // namespace

std::string bottleneck_line(const PlanPrediction& prediction) {
  auto end_to_end = fmt::format("end-to-end {} messages/s at the sinks", output::rate_text(prediction.throughput_per_s));
  if (prediction.bottleneck.empty())
    return fmt::format("bottleneck: none predicted (no delay, spin, throttle or source rate limits the flow); {}",
                       end_to_end);
  return fmt::format("bottleneck: {} at {} messages/s ({}); {}", prediction.bottleneck,
                     output::rate_text(prediction.rate_per_s), prediction.reason, end_to_end);
}

std::string to_plan(const Pipeline& pipeline, const OperatorRegistry& registry) {
  auto prediction = predict(pipeline, registry);
  auto report = pipeline.report ? to_string(Value{*pipeline.report}) : std::string("none");
  auto in_flight = pipeline.max_in_flight_explicit ? fmt::format("{}", pipeline.max_in_flight) : std::string("none");
  std::string out = fmt::format("pipeline {} [max_in_flight={}, report={}]\n\n", pipeline.name, in_flight, report);
  out += nodes_part(pipeline, registry) + "\n";
  out += edges_part(pipeline) + "\n";
  if (auto parts = parts_of(pipeline); !parts.empty())
    out += parts_list(pipeline, std::move(parts)) + "\n" + cut_list(pipeline) + "\n";
  out += bounds_part(pipeline, registry) + "\n";
  out += rates_part(pipeline, prediction);
  out += bottleneck_line(prediction) + "\n";
  return out;
}

}  // namespace flow
