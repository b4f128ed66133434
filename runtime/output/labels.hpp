#pragma once
// Text shared by the DOT and Mermaid writers: how a node, an edge and a
// measured run read in a picture. Internal to runtime/output.
#include <string>

#include "flow/metrics.hpp"
#include "flow/model.hpp"
#include "flow/registry.hpp"

namespace flow::output {

/// One operator call as the user would write it: `delay(20ms)` when every
/// argument is a required positional one (per its spec in `registry`), else
/// `generate(count=100, size=16B)`, arguments in the operator's declared order.
std::string call_text(const OperatorCall& call, const OperatorRegistry& registry);

/// The operator chain as the user would write it: `generate(count=100, size=16B) | delay(20ms)`.
std::string chain_text(const Node& node, const OperatorRegistry& registry);

/// "1 worker", "5 workers", plus any non-default attribute: "5 workers, ordered, round_robin, on_error=skip",
/// "on_error=dlq" (a route: the node it names), "deadline=200ms".
std::string attribute_text(const Pipeline& pipeline, const Node& node);

/// The edge as declared: "cap 5, block", "cap ∞, drop_newest", "cap 5, max 1MB, fail", plus
/// ", deadline=100ms" when it has one.
std::string edge_text(const Edge& edge);

/// A dead-letter edge's first label line: "dead letters: dropped, errors" (model.hpp's
/// dead_letter_reasons); "" for an ordinary edge.
std::string route_text(const Pipeline& pipeline, EdgeId id);

/// A labeled edge's first label line, its output and condition as written:
/// "errors: status >= 500" (docs/routing.md); "" for an edge without a label.
std::string output_text(const Pipeline& pipeline, EdgeId id);

/// What a run measured on an edge: "peak 5/5, full 92 %", plus "dropped 120" when any were.
std::string edge_run_text(const EdgeMetrics& metrics, double elapsed_s);

/// What a run measured on a node: "busy 97 %, 100 in / 100 out", plus errors and filtered.
std::string node_run_text(const NodeMetrics& metrics);

/// "97 %" from 0.97 (rounded, clamped at 0).
std::string percent(double fraction);

/// A rate for people: "20", "33.3", "1250", "unlimited" for infinity.
std::string rate_text(double per_second);

/// Green (0) → yellow (0.5) → red (1) as "#rrggbb"; `pale` mixes it with white for fills.
std::string heat_colour(double fraction, bool pale = false);

/// The metrics measured for a node / an edge, by name; nullptr when the run has none.
const NodeMetrics* find_node_metrics(const RunMetrics& run, const std::string& name);
const EdgeMetrics* find_edge_metrics(const RunMetrics& run, const std::string& from, const std::string& to);
/// The metrics of edge `id` of `pipeline`: the run's edge at the same place when
/// the run has as many edges and its ends match (runs list edges in the
/// pipeline's order), else the first one with the same ends and the same kind
/// (declared, or dead-letter), so a route a ⇢ dlq is not read for a declared a -> dlq.
const EdgeMetrics* find_edge_metrics(const Pipeline& pipeline, const RunMetrics& run, EdgeId id);

/// The node a run names as its bottleneck: the recorded one, else computed.
std::string bottleneck_of(const Pipeline& pipeline, const RunMetrics& run);

}  // namespace flow::output
