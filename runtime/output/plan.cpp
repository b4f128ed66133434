#include "flow/plan.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "flow/bound.hpp"
#include "runtime/output/cost.hpp"
#include "runtime/output/labels.hpp"

namespace flow {
namespace {

std::size_t widest_name(const Pipeline& pipeline) {
  std::size_t width = 0;
  for (const auto& node : pipeline.nodes) width = std::max(width, node.name.size());
  return width;
}

std::string nodes_part(const Pipeline& pipeline, const OperatorRegistry& registry) {
  std::string out = "nodes:\n";
  auto width = widest_name(pipeline);
  for (const auto& node : pipeline.nodes) {
    out += fmt::format("  {:<6} {:<{}} = {}\n", to_string(node.kind), node.name, width,
                       output::chain_text(node, registry));
    out += fmt::format("  {:<6} {:<{}}   [workers={}, ordered={}, fanout={}, on_error={}]\n", "", "", width,
                       node.workers, node.ordered, to_string(node.fanout), to_string(node.on_error));
  }
  return out;
}

std::string edges_part(const Pipeline& pipeline) {
  std::string out = "edges:\n";
  std::size_t width = 0;
  for (EdgeId id = 0; id < pipeline.edges.size(); ++id) width = std::max(width, pipeline.edge_name(id).size());
  for (EdgeId id = 0; id < pipeline.edges.size(); ++id) {
    const auto& edge = pipeline.edges[id];
    auto capacity = edge.capacity ? fmt::format("{}", *edge.capacity) : std::string("unbounded");
    auto bytes = edge.max_bytes ? to_string(Value{Size{*edge.max_bytes}}) : std::string("none");
    out += fmt::format("  {:<{}}  [capacity={}, overflow={}, max_bytes={}]\n", pipeline.edge_name(id), width, capacity,
                       to_string(edge.overflow), bytes);
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
  out += bounds_part(pipeline, registry) + "\n";
  out += rates_part(pipeline, prediction);
  out += bottleneck_line(prediction) + "\n";
  return out;
}

}  // namespace flow
