#include "cli/commands.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/load.hpp"

#ifndef FLOW_VERSION
#define FLOW_VERSION "0.0.0"
#endif

namespace flow::cli {

const std::vector<Command>& commands() {
  static const std::vector<Command> table = {
      {"run", "parse, check and run a pipeline to completion; print a summary", setup_run},
      {"check", "parse and check pipelines only; print every diagnostic", setup_check},
      {"dot", "print the topology as Graphviz DOT (or Mermaid), optionally coloured by a run", setup_dot},
      {"plan", "print the resolved topology, the memory bound and the predicted bottleneck", setup_plan},
      {"plot", "draw a --trace CSV as an SVG of queue depth over time", setup_plot},
  };
  return table;
}

int main(int argc, char** argv) {
  CLI::App app{"flow: run dataflow pipelines with bounded edges and real backpressure", "flow"};
  app.set_version_flag("--version", fmt::format("flow {}", FLOW_VERSION));
  app.require_subcommand(1);
  std::vector<std::pair<CLI::App*, Handler>> handlers;
  for (const auto& command : commands()) {
    auto* sub = app.add_subcommand(command.name, command.description);
    handlers.emplace_back(sub, command.setup(*sub));
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& done) {
    return app.exit(done);  // --help, --version
  } catch (const CLI::ParseError& error) {
    app.exit(error);
    return exit_usage;
  }
  for (auto& [sub, handler] : handlers) {
    if (sub->parsed()) return handler();
  }
  return exit_usage;
}

}  // namespace flow::cli
