// `flow check FILE...`: parse and check only. Every file is checked, even after
// one fails, so a single call reports everything.
#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/load.hpp"

namespace flow::cli {

Handler setup_check(CLI::App& app) {
  auto files = std::make_shared<std::vector<std::string>>();
  app.add_option("files", *files, "the .flow files to check")->required()->type_name("FILE...");
  return [files] {
    bool clean = true;
    for (const auto& file : *files) clean = load_pipeline(file).has_value() && clean;
    return clean ? 0 : exit_usage;
  };
}

}  // namespace flow::cli
