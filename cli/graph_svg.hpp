#pragma once
// The layout of `flow run --ui`'s graph: the DOT of `flow dot`, laid out by
// Graphviz's own `dot -Tsvg` (Debian's graphviz package) in a child process.
// The binary rather than libgvc: flow links nothing new, and needs Graphviz
// only when --ui is given; without it the page shows everything but the graph.
#include <optional>
#include <string>

namespace flow::cli {

/// `dot_text` laid out as SVG by the `dot` on PATH; nullopt with `error` set
/// ("cannot run dot: No such file or directory", "dot exited with status 1").
std::optional<std::string> render_svg(const std::string& dot_text, std::string& error);

}  // namespace flow::cli
