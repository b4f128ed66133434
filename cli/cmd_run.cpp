// `flow run FILE`: load, run on the runtime, and show what happened — live
// reports and a trace while it runs, then the summary and the metrics JSON.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <memory>

#include "cli/commands.hpp"
#include "cli/load.hpp"
#include "cli/options.hpp"
#include "cli/report.hpp"
#include "cli/run_output.hpp"
#include "cli/signals.hpp"
#include "cli/summary.hpp"
#include "cli/trace.hpp"
#include "runtime/exec/run.hpp"

namespace flow::cli {
namespace {

using namespace std::chrono_literals;

constexpr int exit_failed = 1;
constexpr auto default_trace_interval = 100ms;

struct RunArguments {
  std::string file;
  std::string report, metrics_json, duration, memory_limit, trace;
  std::vector<std::string> sets;
  int threads = 0;
  bool quiet = false;
};

// Everything the command line says, parsed; nullopt after printing the error.
struct Parsed {
  std::vector<Override> overrides;
  RunOptions options;
  std::optional<std::chrono::nanoseconds> report;
};

std::optional<Parsed> parse_arguments(const RunArguments& args) {
  Parsed parsed;
  std::string error;
  for (const auto& set : args.sets) {
    auto override_value = parse_override(set, error);
    if (!override_value) return print_error(fmt::format("--set: {}", error)), std::nullopt;
    parsed.overrides.push_back(*override_value);
  }
  if (!args.duration.empty() && !(parsed.options.duration = parse_duration(args.duration, error))) {
    return print_error(fmt::format("--duration: {}", error)), std::nullopt;
  }
  if (!args.memory_limit.empty() && !(parsed.options.memory_limit = parse_size(args.memory_limit, error))) {
    return print_error(fmt::format("--memory-limit: {}", error)), std::nullopt;
  }
  if (!args.report.empty() && !(parsed.report = parse_duration(args.report, error))) {
    return print_error(fmt::format("--report: {}", error)), std::nullopt;
  }
  parsed.options.threads = args.threads;
  return parsed;
}

// The monitor thread's view: each snapshot gets its bottleneck, then goes to
// the reporter and the trace. Only the monitor thread touches these while running.
struct Observers {
  const Pipeline* pipeline = nullptr;
  std::optional<Reporter> reporter;
  std::optional<TraceWriter> trace;

  void observe(const RunMetrics& snapshot) {
    RunMetrics named = snapshot;
    name_bottleneck(*pipeline, named);
    if (reporter) reporter->report(named);
    if (trace) trace->sample(named);
  }
};

// Sets up reports (option, else the pipeline's `report`) and the trace; false after an error.
bool attach_observers(const RunArguments& args, const Pipeline& pipeline, Parsed& parsed, Observers& observers) {
  observers.pipeline = &pipeline;
  auto report = parsed.report;
  if (!report && pipeline.report) report = pipeline.report->value;
  if (report) observers.reporter.emplace(stdout, isatty(STDOUT_FILENO) != 0);
  if (!args.trace.empty()) {
    std::string error;
    observers.trace.emplace(args.trace, error);
    if (!observers.trace->ok()) return print_error(error), false;
  }
  if (!report && !observers.trace) return true;
  parsed.options.report_every = report ? *report : std::chrono::nanoseconds(default_trace_interval);
  parsed.options.on_report = [&observers](const RunMetrics& snapshot) { observers.observe(snapshot); };
  return true;
}

int finish(const RunArguments& args, const Pipeline& pipeline, RunMetrics& metrics, Observers& observers) {
  name_bottleneck(pipeline, metrics);
  if (observers.trace) observers.trace->sample(metrics);
  if (observers.reporter) observers.reporter->finish(metrics);
  if (!args.metrics_json.empty()) {
    std::string error;
    if (!write_metrics_json(args.metrics_json, metrics, error)) print_error(error);
  }
  if (!args.quiet) fmt::print("{}", render_summary(metrics, predicted_throughput(pipeline, metrics), hold_bound(pipeline)));
  std::fflush(stdout);
  if (metrics.status == RunStatus::Failed) {
    print_error(metrics.error.value_or("the run failed"));
    return exit_failed;
  }
  // Silent, as a GNU tool stopped by SIGPIPE: the reader wanted no more. The
  // metrics JSON (status "broken_pipe") says which sink and how much went.
  if (metrics.status == RunStatus::BrokenPipe) return exit_broken_pipe;
  return metrics.status == RunStatus::Interrupted ? exit_interrupted : 0;
}

int run_file(const RunArguments& args) {
  auto parsed = parse_arguments(args);
  if (!parsed) return exit_usage;
  auto pipeline = load_pipeline(args.file, parsed->overrides);
  if (!pipeline) return exit_usage;
  Observers observers;
  if (!attach_observers(args, *pipeline, *parsed, observers)) return exit_usage;
  install_interrupt_handler();
  parsed->options.interrupt = &interrupt_flag();
  auto metrics = run(*pipeline, builtin_operators(), parsed->options);
  return finish(args, *pipeline, metrics, observers);
}

}  // namespace

Handler setup_run(CLI::App& app) {
  auto args = std::make_shared<RunArguments>();
  app.add_option("file", args->file, "the .flow file to run")->required()->type_name("FILE");
  app.add_option("--report", args->report,
                 "print a progress report at this interval, e.g. 500ms (overrides the pipeline's `report`): "
                 "a table redrawn in place on a terminal, one line per report otherwise")
      ->type_name("DURATION");
  app.add_option("--metrics-json", args->metrics_json, "write the final metrics as JSON to this path")->type_name("PATH");
  app.add_option("--set", args->sets,
                 "override an attribute or operator argument: NODE.KEY=VALUE, e.g. ingest.count=1000 (repeatable)")
      ->allow_extra_args(false)
      ->type_name("NODE.KEY=VALUE");
  app.add_option("--duration", args->duration, "stop the sources after this long (e.g. 10s), then drain")->type_name("DURATION");
  app.add_option("--threads", args->threads, "size of the worker pool (default: all cores)")
      ->check(CLI::NonNegativeNumber)
      ->type_name("N");
  app.add_option("--memory-limit", args->memory_limit,
                 "fail cleanly before messages hold more than this, e.g. 64MiB")
      ->type_name("SIZE");
  app.add_flag("--quiet,-q", args->quiet, "print no summary");
  app.add_option("--trace", args->trace,
                 "write a CSV time series of every edge and node, sampled at the report interval (default 100ms)")
      ->type_name("PATH");
  return [args] { return run_file(*args); };
}

}  // namespace flow::cli
