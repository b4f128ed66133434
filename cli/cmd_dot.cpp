// `flow dot FILE [--metrics RUN.json] [--format dot|mermaid]`: the topology as
// a picture, optionally coloured by a finished run.
#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <memory>
#include <set>
#include <string>

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

// The first way `run` is not a run of `pipeline`, or "". The names must agree,
// and so must the nodes and edges: a file edited since its run would be
// coloured by numbers of another graph. A part's run (`flow run --part`,
// remote stand-ins) covers only some of the file, so of it only what it
// names must be in the file.
std::string difference(const Pipeline& pipeline, const RunMetrics& run) {
  if (run.pipeline != pipeline.name)
    return fmt::format("its pipeline is '{}', not '{}'", run.pipeline, pipeline.name);
  std::set<std::string> nodes, edges;
  for (const auto& node : pipeline.nodes) nodes.insert(node.name);
  for (EdgeId id = 0; id < pipeline.edges.size(); ++id) edges.insert(pipeline.edge_name(id));
  bool part = false;
  std::set<std::string> run_nodes, run_edges;
  for (const auto& node : run.nodes) {
    if (!nodes.count(node.name)) return fmt::format("its node '{}' is not in the file", node.name);
    run_nodes.insert(node.name);
    part = part || node.remote;
  }
  for (const auto& edge : run.edges) {
    auto name = fmt::format("{} -> {}", edge.from, edge.to);
    if (!edges.count(name)) return fmt::format("its edge {} is not in the file", name);
    run_edges.insert(name);
  }
  if (part) return "";
  for (const auto& node : nodes) {
    if (!run_nodes.count(node)) return fmt::format("the file's node '{}' is not in it", node);
  }
  for (const auto& edge : edges) {
    if (!run_edges.count(edge)) return fmt::format("the file's edge {} is not in it", edge);
  }
  return "";
}

int draw(const DotOptions& options) {
  auto registry = load_operators(options.plugins);
  if (!registry) return exit_usage;
  auto pipeline = load_pipeline(options.file, *registry);
  if (!pipeline) return exit_usage;
  std::optional<RunMetrics> metrics;
  if (!options.metrics.empty() && !(metrics = read_metrics(options.metrics))) return exit_usage;
  if (metrics) {
    if (auto why = difference(*pipeline, *metrics); !why.empty()) {
      print_error(
          fmt::format("'{}' is not a run of '{}': {}; draw it with the file that ran, or run this "
                      "one with --metrics-json",
                      options.metrics, options.file, why));
      return exit_usage;
    }
  }
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
