// `flow plan FILE`: the resolved topology with every default filled in, the
// memory bound and, for delay/spin stages, the predicted bottleneck.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <memory>

#include "cli/commands.hpp"
#include "cli/load.hpp"
#include "runtime/output/plan.hpp"

namespace flow::cli {

Handler setup_plan(CLI::App& app) {
  auto file = std::make_shared<std::string>();
  app.add_option("file", *file, "the .flow file to plan")->required()->type_name("FILE");
  return [file] {
    auto pipeline = load_pipeline(*file);
    if (!pipeline) return exit_usage;
    fmt::print("{}", to_plan(*pipeline));
    return 0;
  };
}

}  // namespace flow::cli
