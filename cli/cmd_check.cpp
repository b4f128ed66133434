// `flow check FILE...`: parse and check only. Every file is checked, even after
// one fails, so a single call reports everything.
#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/load.hpp"
#include "cli/plugins.hpp"

namespace flow::cli {

namespace {

struct CheckArguments {
  std::vector<std::string> files, plugins;
};

}  // namespace

Handler setup_check(CLI::App& app) {
  auto args = std::make_shared<CheckArguments>();
  app.add_option("files", args->files, "the .flow files to check")->required()->type_name("FILE...");
  add_plugin_option(app, args->plugins);
  return [args] {
    auto registry = load_operators(args->plugins);
    if (!registry) return exit_usage;
    bool clean = true;
    for (const auto& file : args->files) clean = load_pipeline(file, *registry).has_value() && clean;
    return clean ? exit_ok : exit_usage;
  };
}

}  // namespace flow::cli
