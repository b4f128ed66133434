#include "cli/summary.hpp"

#include <algorithm>
#include <cstdint>
#include <fmt/format.h>

#include "cli/units.hpp"

namespace flow::cli {
namespace {

// A virtual run's times are simulated: say so, and what it took in real time.
std::string elapsed_text(const RunMetrics& metrics) {
  if (metrics.clock == ClockKind::Real) return format_seconds(metrics.elapsed_s);
  return fmt::format("{} simulated ({} wall)", format_seconds(metrics.elapsed_s), format_seconds(metrics.wall_s));
}

std::string header(const RunMetrics& metrics) {
  auto line = fmt::format("pipeline {}: {} after {}\n", metrics.pipeline, to_string(metrics.status),
                          elapsed_text(metrics));
  if (metrics.error) line += fmt::format("error: {}\n", *metrics.error);
  return line;
}

// A column only some runs have (what deadlines shed): shown when any row has
// one, so the tables of runs without deadlines read as they always did.
std::string optional_cell(bool shown, std::uint64_t count) {
  return shown ? fmt::format(" {:>9}", count) : std::string();
}

std::string optional_head(bool shown, const char* name) {
  return shown ? fmt::format(" {:>9}", name) : std::string();
}

std::string node_table(const RunMetrics& metrics) {
  bool expired =
      std::any_of(metrics.nodes.begin(), metrics.nodes.end(), [](const auto& n) { return n.expired > 0; });
  auto text = fmt::format("\n{:<20} {:<6} {:>7} {:>9} {:>9} {:>7} {:>9}{} {:>6} {:>9} {:>9}\n", "node",
                          "kind", "workers", "in", "out", "errors", "filtered",
                          optional_head(expired, "expired"), "busy", "p50", "p99");
  for (const auto& node : metrics.nodes) {
    text += fmt::format("{:<20} {:<6} {:>7} {:>9} {:>9} {:>7} {:>9}{} {:>6} {:>9} {:>9}\n", node.name,
                        node.remote ? "remote" : to_string(node.kind), node.workers, node.in, node.out,
                        node.errors, node.filtered, optional_cell(expired, node.expired),
                        format_percent(node.busy), format_seconds(node.latency_p50_s),
                        format_seconds(node.latency_p99_s));
  }
  return text;
}

// What sources fed from outside counted of their own (HTTP answers, files
// followed): one line per such node, after the table.
std::string counts_lines(const RunMetrics& metrics) {
  std::string text;
  for (const auto& node : metrics.nodes) {
    if (node.counts.empty()) continue;
    text += fmt::format("{}:", node.name);
    for (const auto& [name, count] : node.counts) text += fmt::format(" {} {}", name, count);
    text += '\n';
  }
  return text;
}

// "a -> b", a cut edge's transport after it; a dead-letter edge (made for a
// route, never declared) drawn with a dashed arrow and said to be one.
std::string edge_label(const EdgeMetrics& edge) {
  if (edge.dead_letter) return fmt::format("{} ⇢ {} (dead letters)", edge.from, edge.to);
  return edge.leaves() + " -> " + edge.to +
         (edge.transport.empty() ? "" : fmt::format(" ({})", edge.transport));
}

std::string edge_table(const RunMetrics& metrics) {
  bool expired =
      std::any_of(metrics.edges.begin(), metrics.edges.end(), [](const auto& e) { return e.expired > 0; });
  auto text = fmt::format("\n{:<30} {:<11} {:>9} {:>9} {:>9}{} {:>10} {:>9}\n", "edge", "overflow", "in",
                          "out", "dropped", optional_head(expired, "expired"), "high/cap", "blocked");
  for (const auto& edge : metrics.edges) {
    auto fill = fmt::format("{}/{}", edge.high_water, format_capacity(edge.capacity));
    text += fmt::format("{:<30} {:<11} {:>9} {:>9} {:>9}{} {:>10} {:>9}\n", edge_label(edge),
                        to_string(edge.policy), edge.in, edge.out, edge.dropped,
                        optional_cell(expired, edge.expired), fill, format_seconds(edge.blocked_s));
  }
  return text;
}

// What the edges into `node` dropped over the run: offered to it, never taken in.
std::uint64_t dropped_in_front(const RunMetrics& metrics, const std::string& node) {
  std::uint64_t dropped = 0;
  for (const auto& edge : metrics.edges) {
    if (edge.to == node) dropped += edge.dropped;
  }
  return dropped;
}

}  // namespace

std::string comparison_line(const RunMetrics& metrics, const PredictedThroughput& predicted) {
  auto node = std::find_if(metrics.nodes.begin(), metrics.nodes.end(),
                           [&](const NodeMetrics& n) { return n.name == predicted.node; });
  if (node == metrics.nodes.end() || metrics.elapsed_s <= 0) return "";
  // The bottleneck's measured pace: what it took in over the whole run.
  double taken = static_cast<double>(node->in) / metrics.elapsed_s;
  double ratio = predicted.messages_per_s > 0 ? taken / predicted.messages_per_s : 0.0;
  auto head = fmt::format("predicted vs measured: {} predicted {}, measured {}", predicted.node,
                          format_rate(predicted.messages_per_s), format_rate(taken));
  // Drops are load offered to the node that it never took: said apart, so a
  // shortfall they explain does not read as a slow node.
  auto dropped = dropped_in_front(metrics, node->name);
  if (dropped == 0) return fmt::format("{} ({})", head, format_percent(ratio));
  return fmt::format("{} taken in ({}), {} dropped in front of it", head, format_percent(ratio),
                     format_rate(static_cast<double>(dropped) / metrics.elapsed_s));
}

std::string balance_line(const SourceBalance& source, bool run_failed) {
  auto accounted = source.delivered + source.dead_lettered + source.dropped + source.expired +
                   source.filtered + source.errors;
  // Dead letters and deadlines only where a run had them: other balances read as before.
  auto routed =
      source.dead_lettered > 0 ? fmt::format(" + dead-lettered {}", source.dead_lettered) : std::string();
  auto expired = source.expired > 0 ? fmt::format(" + expired {}", source.expired) : std::string();
  auto line =
      fmt::format("source {}: produced {} {} delivered {}{} + dropped {}{} + filtered {} + errors {}",
                  source.name, source.produced, accounted == source.produced ? "=" : "!=", source.delivered,
                  routed, source.dropped, expired, source.filtered, source.errors);
  if (accounted == source.produced) return line;
  // A failed run stops where it is: what was still on its way is neither
  // delivered nor lost by any rule. Only a run that ended in order must balance.
  if (run_failed && accounted < source.produced) {
    return line + fmt::format("  ({} still in flight when the run failed)", source.produced - accounted);
  }
  auto gap = accounted < source.produced ? source.produced - accounted : accounted - source.produced;
  return line + fmt::format("  ({} {}: a bug in flow)", gap,
                            accounted < source.produced ? "not accounted for" : "counted more than made");
}

std::string totals_line(const RunMetrics& metrics) {
  return fmt::format(
      "elapsed {}, {} at the sinks, end-to-end latency mean {} p50 {} p99 {} max {}, peak RSS {}",
      elapsed_text(metrics), format_rate(metrics.messages_per_s),
      format_seconds(metrics.latency_mean_s), format_seconds(metrics.latency_p50_s),
      format_seconds(metrics.latency_p99_s), format_seconds(metrics.latency_max_s),
      format_bytes(metrics.peak_rss_bytes));
}

std::string bottleneck_line(const Bottleneck& bottleneck) {
  if (bottleneck.node.empty()) return "bottleneck: none";
  if (bottleneck.reason.empty()) return fmt::format("bottleneck: {}", bottleneck.node);
  return fmt::format("bottleneck: {} — {}", bottleneck.node, bottleneck.reason);
}

std::string peak_line(const RunMetrics& metrics, const HoldBound& bound) {
  auto messages = bound.messages ? fmt::format(" of the plan's {}", count_text(*bound.messages)) : std::string(" (the plan: unbounded)");
  auto bytes = bound.payload_bytes ? fmt::format(" of {}", format_bytes(*bound.payload_bytes)) : std::string();
  return fmt::format("held at once: peak {} messages{}, {} of payload{}", metrics.peak_messages, messages,
                     format_bytes(metrics.peak_payload_bytes), bytes);
}

std::string render_summary(const RunMetrics& metrics, const std::optional<PredictedThroughput>& predicted,
                           const HoldBound& bound) {
  auto text = header(metrics) + node_table(metrics) + counts_lines(metrics) + edge_table(metrics) + "\n";
  for (const auto& source : metrics.sources) {
    text += balance_line(source, metrics.status == RunStatus::Failed) + "\n";
  }
  text += totals_line(metrics) + "\n";
  text += peak_line(metrics, bound) + "\n";
  text += bottleneck_line(metrics.bottleneck) + "\n";
  if (predicted) {
    auto line = comparison_line(metrics, *predicted);
    if (!line.empty()) text += line + "\n";
  }
  return text;
}

}  // namespace flow::cli
