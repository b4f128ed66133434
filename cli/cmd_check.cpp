// `flow check FILE...`: parse and check only. Every file is checked, even after
// one fails, so a single call reports everything.
#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/load.hpp"
#include "cli/output_file.hpp"
#include "cli/part_option.hpp"
#include "cli/plugins.hpp"

namespace flow::cli {

namespace {

struct CheckArguments {
  std::vector<std::string> files, plugins;
  std::optional<std::string> part;
};

// One file: its diagnostics on standard error; when it has parts, one line
// naming them and the cut edges on standard output.
bool check_file(const std::string& file, const OperatorRegistry& registry,
                const std::optional<std::string>& part) {
  auto pipeline = load_pipeline(file, registry);
  if (!pipeline) return false;
  if (part) {
    if (auto error = part_error(*pipeline, *part)) {
      print_error(*error);
      return false;
    }
  }
  auto line = parts_line(*pipeline);
  if (!line.empty()) write_stdout(line + "\n");  // checked when the command returns
  return true;
}

}  // namespace

Handler setup_check(CLI::App& app) {
  auto args = std::make_shared<CheckArguments>();
  app.add_option("files", args->files, "the .flow files to check")->required()->type_name("FILE...");
  add_plugin_option(app, args->plugins);
  add_part_option(app, args->part, "also check that every file has this part, as `flow run --part` needs");
  return [args] {
    auto registry = load_operators(args->plugins);
    if (!registry) return exit_usage;
    bool clean = true;
    for (const auto& file : args->files) clean = check_file(file, *registry, args->part) && clean;
    return clean ? exit_ok : exit_usage;
  };
}

}  // namespace flow::cli
