#pragma once
// `--plugin LIB.so`: operators from shared libraries, for every command that
// reads a pipeline.
#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "flow/registry.hpp"

namespace flow::cli {

/// Adds `--plugin LIB.so` (repeatable) to `app`; the paths go into `paths`.
void add_plugin_option(CLI::App& app, std::vector<std::string>& paths);

/// The built-in operators and those of every plugin, in order; nullopt after
/// printing each problem (exit status: a usage error).
std::optional<OperatorRegistry> load_operators(const std::vector<std::string>& plugins);

}  // namespace flow::cli
