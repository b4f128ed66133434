#include "cli/load.hpp"

#include <unistd.h>

#include <fmt/format.h>
#include <array>
#include <cstdio>
#include <memory>

#include "cli/output_file.hpp"
#include "flow/diagnostic.hpp"
#include "flow/read_file.hpp"
#include "flow/registry.hpp"

namespace flow::cli {
namespace {

// Standard input can be read once: a second `-` (`flow check - -`) would see
// it empty and pass as an empty file.
bool stdin_taken = false;

CheckResult load_stdin(const OperatorRegistry& registry, const std::vector<Override>& overrides) {
  if (stdin_taken) {
    return CheckResult{std::nullopt,
                       {Diagnostic{Severity::Error, SourceLocation{},
                                   "'-' is given twice: standard input can be read only once", 0}},
                       nullptr};
  }
  stdin_taken = true;
  auto read = read_descriptor(STDIN_FILENO, std::string(stdin_name), max_flow_file_bytes, "a .flow file");
  if (!read.text) return CheckResult{std::nullopt, std::move(read.diagnostics), nullptr};
  return load_string(std::string(stdin_name), std::move(*read.text), registry, overrides);
}

// Other spellings of standard input that read() opens as descriptor 0 (docs/operators.md).
bool names_stdin(const OperatorCall& call) {
  if (call.name != "read") return false;
  auto path = call.args.find("path");
  const auto* text = path == call.args.end() ? nullptr : std::get_if<std::string>(&path->second);
  if (text == nullptr) return false;
  constexpr std::array<const char*, 3> kOtherNames = {"/dev/stdin", "/dev/fd/0", "/proc/self/fd/0"};
  for (const char* name : kOtherNames) {
    if (*text == name) return true;
  }
  return false;
}

// A program read from standard input has used it up: an operator that reads
// it too (read("-")) would find it at its end and the run would end "ok"
// with nothing read. Refused with a caret at that operator.
std::vector<Diagnostic> reads_stdin_too(const Pipeline& pipeline, const OperatorRegistry& registry) {
  std::vector<Diagnostic> found;
  for (const auto& node : pipeline.nodes) {
    for (const auto& call : node.chain) {
      auto plan = registry.plan(call);
      bool reads = (plan && plan->outside_input == "standard input") || names_stdin(call);
      if (!reads) continue;
      found.push_back({Severity::Error, call.location,
                       fmt::format("{} '{}' reads standard input, which already gave the program itself "
                                   "(`-`): pass the program as a file, or the data as a file",
                                   to_string(node.kind), node.name),
                       call.name.size()});
    }
  }
  return found;
}

}  // namespace

// Through write_stderr, which cannot throw: fmt::print would, on a full or
// closed standard error, and end flow in std::terminate (docs/commands.md).
void print_error(const std::string& message) { write_stderr(fmt::format("flow: error: {}\n", message)); }

void print_errors(const std::vector<Diagnostic>& diagnostics) {
  for (const auto& diagnostic : diagnostics) print_error(diagnostic.message);
}

std::optional<Pipeline> load_pipeline(const std::string& path, const OperatorRegistry& registry,
                                      const std::vector<Override>& overrides) {
  bool from_stdin = path == "-";
  auto result = from_stdin ? load_stdin(registry, overrides) : load_file(path, registry, overrides);
  if (!result.source) {  // the file could not be read: nothing to point into
    print_error(result.diagnostics.front().message);
    return std::nullopt;
  }
  if (from_stdin && result.pipeline) {
    auto conflicts = reads_stdin_too(*result.pipeline, registry);
    result.diagnostics.insert(result.diagnostics.end(), conflicts.begin(), conflicts.end());
    if (!conflicts.empty()) result.pipeline.reset();
  }
  write_stderr(render_first(*result.source, result.diagnostics));
  return std::move(result.pipeline);
}

}  // namespace flow::cli
