#pragma once
// Reading a .flow file and checking it, shared by every command that needs a
// pipeline: diagnostics go to standard error, rendered by the one renderer.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "flow/diagnostic.hpp"
#include "flow/load.hpp"
#include "flow/model.hpp"

#include "cli/exit_status.hpp"

namespace flow::cli {

/// What diagnostics call a program read from standard input, as gcc and clang do.
inline constexpr std::string_view stdin_name = "<stdin>";

/// Reads and checks `path`, printing every diagnostic (warnings too) to stderr.
/// Returns the pipeline when there is no error. `-` reads the program from
/// standard input (once per process), named stdin_name; a program so read
/// that reads standard input itself (read("-")) is an error.
std::optional<Pipeline> load_pipeline(const std::string& path, const OperatorRegistry& registry,
                                      const std::vector<Override>& overrides = {});

/// Prints `flow: error: MESSAGE` to stderr.
void print_error(const std::string& message);

/// print_error of each diagnostic's message: for those with no place to point
/// at, such as a file that could not be read.
void print_errors(const std::vector<Diagnostic>& diagnostics);

}  // namespace flow::cli
