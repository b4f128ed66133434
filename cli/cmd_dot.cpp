// `flow dot FILE [--metrics RUN.json] [--format dot|mermaid]`: the topology as
// a picture, optionally coloured by a finished run.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <memory>

#include "cli/commands.hpp"
#include "cli/load.hpp"
#include "cli/output_file.hpp"
#include "cli/plugins.hpp"
#include "flow/dot.hpp"
#include "flow/mermaid.hpp"
#include "flow/metrics_json.hpp"
#include "flow/read_file.hpp"

namespace flow::cli {
namespace {

struct DotOptions {
  std::string file;
  std::string metrics;  // "" = the topology alone
  std::string format = "dot";
  std::vector<std::string> plugins;
};

std::optional<RunMetrics> read_metrics(const std::string& path) {
  auto file = read_file(path, max_trace_bytes, "a metrics file");
  if (!file.text) return print_errors(file.diagnostics), std::nullopt;
  auto read = metrics_from_json(*file.text);
  for (const auto& problem : read.diagnostics) print_error(fmt::format("{}: {}", path, problem.message));
  return read.metrics;
}

int draw(const DotOptions& options) {
  auto registry = load_operators(options.plugins);
  if (!registry) return exit_usage;
  auto pipeline = load_pipeline(options.file, *registry);
  if (!pipeline) return exit_usage;
  std::optional<RunMetrics> metrics;
  if (!options.metrics.empty() && !(metrics = read_metrics(options.metrics))) return exit_usage;
  const RunMetrics* run = metrics ? &*metrics : nullptr;
  // Checked when the command returns, like every command's standard output.
  write_stdout(options.format == "mermaid" ? to_mermaid(*pipeline, *registry, run)
                                           : to_dot(*pipeline, *registry, run));
  return exit_ok;
}

}  // namespace

Handler setup_dot(CLI::App& app) {
  auto options = std::make_shared<DotOptions>();
  app.add_option("file", options->file, "the .flow file to draw")->required()->type_name("FILE");
  app.add_option("--metrics", options->metrics,
                 "colour the graph by a finished run: the JSON written by `flow run --metrics-json`")
      ->type_name("RUN.json");
  add_plugin_option(app, options->plugins);
  app.add_option("--format", options->format, "output format: dot (Graphviz, default) or mermaid")
      ->check(CLI::Validator(
          [](const std::string& format) {
            return format == "dot" || format == "mermaid"
                       ? std::string()
                       : fmt::format("'{}' is not one of dot, mermaid", format);
          },
          "dot|mermaid"))
      ->type_name("dot|mermaid");
  return [options] { return draw(*options); };
}

}  // namespace flow::cli
