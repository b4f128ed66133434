#include "cli/load.hpp"

#include <cstdio>
#include <fmt/format.h>
#include <memory>

#include "cli/bounded_read.hpp"
#include "runtime/model/diagnostic.hpp"
#include "runtime/ops/registry.hpp"

namespace flow::cli {

void print_error(const std::string& message) { fmt::print(stderr, "flow: error: {}\n", message); }

std::optional<Pipeline> load_pipeline(const std::string& path, const std::vector<Override>& overrides) {
  std::string error;
  auto text = read_bounded(path, max_flow_file_bytes, "a .flow file", error);
  if (!text) {
    print_error(error);
    return std::nullopt;
  }
  auto source = std::make_shared<SourceFile>(SourceFile{path, std::move(*text)});
  auto result = load(source, builtin_operators(), overrides);
  fmt::print(stderr, "{}", render_first(*source, result.diagnostics));
  if (has_errors(result.diagnostics)) return std::nullopt;
  return std::move(result.pipeline);
}

}  // namespace flow::cli
