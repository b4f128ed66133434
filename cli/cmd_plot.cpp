// `flow plot TRACE [-o OUT.svg] [--from T] [--to T] [--edges A->B,...]`: the
// trace of a run as a picture of queue depth over time (backpressure building
// up and draining), of the edges and the stretch of time asked for.
#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/load.hpp"
#include "cli/options.hpp"
#include "cli/output_file.hpp"
#include "cli/plot_svg.hpp"
#include "flow/read_file.hpp"

namespace flow::cli {
namespace {

struct PlotOptions {
  std::string trace;
  std::string output;  // "" = standard output
  std::string from, to;
  std::vector<std::string> edges;
};

// --from and --to as seconds since the start; nullopt after printing the error.
std::optional<PlotWindow> parse_window(const PlotOptions& options) {
  PlotWindow window;
  std::string error;
  using Seconds = std::chrono::duration<double>;
  if (!options.from.empty()) {
    auto from = parse_time(options.from, error);
    if (!from) return print_error(fmt::format("--from: {}", error)), std::nullopt;
    window.from = Seconds(*from).count();
  }
  if (!options.to.empty()) {
    auto to = parse_duration(options.to, error);
    if (!to) return print_error(fmt::format("--to: {}", error)), std::nullopt;
    window.to = Seconds(*to).count();
  }
  if (window.to && *window.to <= window.from) {
    return print_error(fmt::format("--from {} is not before --to {}", options.from, options.to)),
           std::nullopt;
  }
  return window;
}

int plot(const PlotOptions& options) {
  auto window = parse_window(options);
  if (!window) return exit_usage;
  auto csv = read_file(options.trace, max_trace_bytes, "a trace");
  if (!csv.text) {
    print_errors(csv.diagnostics);
    return exit_usage;
  }
  std::string error;
  auto series = read_trace_edges(*csv.text, error);
  if (series) series = select_series(std::move(*series), options.edges, *window, error);
  if (!series) {
    print_error(fmt::format("{}: {}", options.trace, error));
    return exit_usage;
  }
  auto title =
      fmt::format("queue depth over time: {}", std::filesystem::path(options.trace).filename().string());
  auto svg = plot_svg(*series, title, *window);
  if (options.output.empty()) {
    write_stdout(svg);  // checked when the command returns
    return exit_ok;
  }
  if (!write_whole_file(options.output, svg, error)) {
    print_error(error);
    return exit_output_failed;
  }
  return exit_ok;
}

}  // namespace

Handler setup_plot(CLI::App& app) {
  auto options = std::make_shared<PlotOptions>();
  app.add_option("trace", options->trace, "a CSV written by `flow run --trace`")
      ->required()
      ->type_name("TRACE");
  app.add_option("-o,--output", options->output, "write the SVG here instead of standard output")
      ->type_name("OUT.svg");
  app.add_option("--from", options->from,
                 "draw from this time since the start of the run, e.g. 2s (default 0s)")
      ->type_name("TIME");
  app.add_option("--to", options->to,
                 "draw up to this time since the start of the run (default: the last sample)")
      ->type_name("TIME");
  app.add_option("--edges", options->edges, "draw only these edges, e.g. 'a->b,b->c' (repeatable)")
      ->delimiter(',')
      ->type_name("FROM->TO,...");
  return [options] { return plot(*options); };
}

}  // namespace flow::cli
