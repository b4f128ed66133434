#pragma once
// Runs Graphviz on a DOT text, for tests that the writer's output renders.
#include <string>

#include "process.hpp"

namespace flow::test {

/// `dot -Tsvg` on `dot_text`: its exit status, the SVG on out, warnings on err.
inline ProcessResult render_svg(const std::string& dot_text) {
  auto path = temp_directory() + "/graph.dot";
  write_file(path, dot_text);
  return run_command("dot -Tsvg " + shell_quote(path));
}

}  // namespace flow::test
