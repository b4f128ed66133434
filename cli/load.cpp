#include "cli/load.hpp"

#include <cstdio>
#include <fmt/format.h>
#include <memory>

#include "cli/output_file.hpp"
#include "flow/diagnostic.hpp"
#include "flow/registry.hpp"

namespace flow::cli {

// Through write_stderr, which cannot throw: fmt::print would, on a full or
// closed standard error, and end flow in std::terminate (docs/commands.md).
void print_error(const std::string& message) { write_stderr(fmt::format("flow: error: {}\n", message)); }

void print_errors(const std::vector<Diagnostic>& diagnostics) {
  for (const auto& diagnostic : diagnostics) print_error(diagnostic.message);
}

std::optional<Pipeline> load_pipeline(const std::string& path, const OperatorRegistry& registry,
                                      const std::vector<Override>& overrides) {
  auto result = load_file(path, registry, overrides);
  if (!result.source) {  // the file could not be read: nothing to point into
    print_error(result.diagnostics.front().message);
    return std::nullopt;
  }
  write_stderr(render_first(*result.source, result.diagnostics));
  return std::move(result.pipeline);
}

}  // namespace flow::cli
