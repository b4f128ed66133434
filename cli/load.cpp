#include "cli/load.hpp"

#include <cstdio>
#include <fmt/format.h>
#include <fstream>
#include <memory>
#include <sstream>

#include "runtime/model/diagnostic.hpp"
#include "runtime/ops/registry.hpp"

namespace flow::cli {

void print_error(const std::string& message) { fmt::print(stderr, "flow: error: {}\n", message); }

std::optional<Pipeline> load_pipeline(const std::string& path, const std::vector<Override>& overrides) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    print_error(fmt::format("cannot open '{}'", path));
    return std::nullopt;
  }
  std::stringstream text;
  text << in.rdbuf();
  auto source = std::make_shared<SourceFile>(SourceFile{path, text.str()});
  auto result = load(source, builtin_operators(), overrides);
  fmt::print(stderr, "{}", render_all(*source, result.diagnostics));
  if (has_errors(result.diagnostics)) return std::nullopt;
  return std::move(result.pipeline);
}

}  // namespace flow::cli
