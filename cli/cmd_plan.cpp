// `flow plan FILE`: the resolved topology with every default filled in, the
// memory bound and, for delay/spin stages, the predicted bottleneck.
#include <CLI/CLI.hpp>
#include <memory>

#include "cli/commands.hpp"
#include "cli/load.hpp"
#include "cli/plugins.hpp"
#include "cli/output_file.hpp"
#include "flow/plan.hpp"

namespace flow::cli {

namespace {

struct PlanArguments {
  std::string file;
  std::vector<std::string> plugins;
};

}  // namespace

Handler setup_plan(CLI::App& app) {
  auto args = std::make_shared<PlanArguments>();
  app.add_option("file", args->file, "the .flow file to plan")->required()->type_name("FILE");
  add_plugin_option(app, args->plugins);
  return [args] {
    auto registry = load_operators(args->plugins);
    if (!registry) return exit_usage;
    auto pipeline = load_pipeline(args->file, *registry);
    if (!pipeline) return exit_usage;
    write_stdout(to_plan(*pipeline, *registry));  // checked when the command returns
    return exit_ok;
  };
}

}  // namespace flow::cli
