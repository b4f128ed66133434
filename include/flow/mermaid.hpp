#pragma once
// The pipeline as a Mermaid flowchart, for Markdown pages that render it.
#include <string>

#include "flow/metrics.hpp"
#include "flow/model.hpp"
#include "flow/registry.hpp"

namespace flow {

/// A Mermaid `flowchart LR` of `pipeline`: the same graph and labels as
/// to_dot. Nodes are `n0`, `n1`, … (node names such as `end` are Mermaid
/// keywords) with the name in the label; source = stadium, stage = rectangle,
/// sink = cylinder; dropping edges dotted (`-.->`), fail edges thick (`==>`).
/// A file with `part=`: each part's nodes in a `subgraph pN ["part NAME"]`
/// (nodes without a part outside any); cut edges dotted, with "JetStream"
/// under their label.
/// With `run`: `style` lines fill nodes by busy fraction and mark the
/// bottleneck with a thick red border; `linkStyle` lines colour edges by
/// high_water / capacity (green → yellow → red). `registry` as for to_dot.
std::string to_mermaid(const Pipeline& pipeline, const OperatorRegistry& registry,
                       const RunMetrics* run = nullptr);

/// `text` safe inside a quoted Mermaid label: `"`, `#`, `<`, `>`, `&` as
/// entity codes (`#quot;` …), line breaks as `<br/>`, control bytes and
/// invalid UTF-8 as `\xNN`.
std::string mermaid_escape(const std::string& text);

}  // namespace flow
