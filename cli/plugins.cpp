#include "cli/plugins.hpp"

#include <fmt/format.h>

#include "cli/load.hpp"
#include "flow/plugin.hpp"

namespace flow::cli {

void add_plugin_option(CLI::App& app, std::vector<std::string>& paths) {
  app.add_option("--plugin", paths,
                 "load operators from this shared library (built with FLOW_PLUGIN, docs/library.md); repeatable")
      ->allow_extra_args(false)
      ->type_name("LIB.so");
}

std::optional<OperatorRegistry> load_operators(const std::vector<std::string>& plugins) {
  OperatorRegistry registry = builtin_operators();
  bool loaded = true;
  for (const auto& path : plugins) {
    for (const auto& problem : load_plugin(path, registry)) {
      print_error(problem.message);
      loaded = false;
    }
  }
  if (!loaded) return std::nullopt;
  return registry;
}

}  // namespace flow::cli
