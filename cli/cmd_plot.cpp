// `flow plot TRACE [-o OUT.svg]`: the trace of a run as a picture of queue
// depth over time (backpressure building up and draining).
#include <CLI/CLI.hpp>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/load.hpp"
#include "cli/output_file.hpp"
#include "cli/plot_svg.hpp"
#include "flow/read_file.hpp"

namespace flow::cli {
namespace {

struct PlotOptions {
  std::string trace;
  std::string output;  // "" = standard output
};

int plot(const PlotOptions& options) {
  auto csv = read_file(options.trace, max_trace_bytes, "a trace");
  if (!csv.text) {
    print_errors(csv.diagnostics);
    return exit_usage;
  }
  std::string error;
  auto series = read_trace_edges(*csv.text, error);
  if (!series) {
    print_error(fmt::format("{}: {}", options.trace, error));
    return exit_usage;
  }
  auto title = fmt::format("queue depth over time: {}", std::filesystem::path(options.trace).filename().string());
  auto svg = plot_svg(*series, title);
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
  app.add_option("trace", options->trace, "a CSV written by `flow run --trace`")->required()->type_name("TRACE");
  app.add_option("-o,--output", options->output, "write the SVG here instead of standard output")->type_name("OUT.svg");
  return [options] { return plot(*options); };
}

}  // namespace flow::cli
