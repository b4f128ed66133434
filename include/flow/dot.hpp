#pragma once
// The pipeline as a Graphviz digraph, optionally coloured by a finished run.
#include <string>

#include "flow/metrics.hpp"
#include "flow/model.hpp"
#include "flow/registry.hpp"

namespace flow {

/// Graphviz DOT for `pipeline`, valid input for `dot -Tsvg`.
///   source = invhouse, stage = rounded box, sink = house;
///   node labels: name, operator chain with every argument, workers (and
///   ordered / round_robin / on_error=skip when set);
///   edge labels: capacity (∞ when unbounded), max_bytes when set, policy;
///   drop_newest / drop_oldest edges dashed, fail edges bold with a tee head.
/// A file with `part=`: each part's nodes in a cluster `cluster_NAME` labelled
/// "part NAME" (nodes without a part outside any); cut edges dashed, with
/// "JetStream" under their label. A file without parts draws as before.
/// With `run`: edges coloured green → yellow → red by high_water / capacity,
/// with their peak, time full and drop count in the label; nodes filled by
/// busy fraction; the bottleneck drawn with a thick red border and the word
/// "bottleneck" in its label.
/// `registry`: the one the pipeline was loaded with; its argument specs decide
/// which calls are written positionally (`delay(20ms)`).
std::string to_dot(const Pipeline& pipeline, const OperatorRegistry& registry,
                   const RunMetrics* run = nullptr);

/// `text` as the body of a double-quoted DOT string that renders literally:
/// quotes and backslashes escaped, line breaks as `\n`, control bytes and
/// invalid UTF-8 shown as `\xNN`.
std::string dot_escape(const std::string& text);

}  // namespace flow
