// `flow plan FILE`: the resolved topology with every default filled in, the
// memory bound and, for delay/spin stages, the predicted bottleneck.
#include <CLI/CLI.hpp>
#include <memory>

#include "cli/commands.hpp"
#include "cli/load.hpp"
#include "cli/output_file.hpp"
#include "flow/plan.hpp"

namespace flow::cli {

Handler setup_plan(CLI::App& app) {
  auto file = std::make_shared<std::string>();
  app.add_option("file", *file, "the .flow file to plan")->required()->type_name("FILE");
  return [file] {
    auto pipeline = load_pipeline(*file);
    if (!pipeline) return exit_usage;
    write_stdout(to_plan(*pipeline, builtin_operators()));  // checked when the command returns
    return 0;
  };
}

}  // namespace flow::cli
