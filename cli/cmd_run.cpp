// `flow run FILE`: load, run on the runtime, and show what happened — live
// reports and a trace while it runs, then the summary and the metrics JSON.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <memory>

#include "cli/commands.hpp"
#include "cli/exit_status.hpp"
#include "cli/load.hpp"
#include "cli/options.hpp"
#include "cli/output_file.hpp"
#include "cli/plugins.hpp"
#include "cli/report.hpp"
#include "cli/run_output.hpp"
#include "cli/signals.hpp"
#include "cli/summary.hpp"
#include "cli/trace.hpp"
#include "flow/run.hpp"

namespace flow::cli {
namespace {

using namespace std::chrono_literals;

constexpr auto default_trace_interval = 100ms;

struct RunArguments {
  std::string file;
  std::string report, metrics_json, duration, memory_limit, trace, threads, seed, clock;
  std::vector<std::string> sets, plugins;
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
  // --seed N is `--set pipeline.seed=N`, checked the same way; a --set after it wins.
  if (!args.seed.empty()) parsed.overrides.push_back(Override{"pipeline", "seed", args.seed});
  if (!args.clock.empty()) parsed.overrides.push_back(Override{"pipeline", "clock", args.clock});
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
  if (parsed.options.memory_limit == std::uint64_t{0}) {
    // No message fits in it: every run would fail at its first message.
    error = fmt::format("'{}' must be more than zero", args.memory_limit);
    return print_error(fmt::format("--memory-limit: {}", error)), std::nullopt;
  }
  if (!args.report.empty() && !(parsed.report = parse_duration(args.report, error))) {
    return print_error(fmt::format("--report: {}", error)), std::nullopt;
  }
  if (!args.threads.empty()) {
    auto threads = parse_threads(args.threads, error);
    if (!threads) return print_error(fmt::format("--threads: {}", error)), std::nullopt;
    parsed.options.threads = *threads;
  }
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

// Sets up reports (option, else the pipeline's `report`) and the trace; false
// when the trace cannot be written (nothing has run yet).
bool attach_observers(const RunArguments& args, const Pipeline& pipeline, Parsed& parsed,
                      Observers& observers) {
  observers.pipeline = &pipeline;
  auto report = parsed.report;
  if (!report && pipeline.report) report = pipeline.report->value;
  if (report) observers.reporter.emplace(stdout, isatty(STDOUT_FILENO) != 0);
  if (!args.trace.empty()) {
    observers.trace.emplace(args.trace);
    if (!observers.trace->ok()) return print_error(observers.trace->error()), false;
  }
  if (!report && !observers.trace) return true;
  parsed.options.report_every = report ? *report : std::chrono::nanoseconds(default_trace_interval);
  parsed.options.on_report = [&observers](const RunMetrics& snapshot) { observers.observe(snapshot); };
  return true;
}

// What could not be written at the end of a run: one line per output, and
// whether standard output's reader went away.
struct OutputFailures {
  std::vector<std::string> errors;
  bool broken_pipe = false;
};

// Writes the last trace sample, the JSON and the summary, each whatever
// happened to the others.
OutputFailures write_outputs(const RunArguments& args, const Pipeline& pipeline, const OperatorRegistry& registry,
                             const RunMetrics& metrics, Observers& observers) {
  OutputFailures failures;
  std::string error;
  if (observers.trace) {
    observers.trace->sample(metrics);
    if (!observers.trace->close()) failures.errors.push_back(observers.trace->error());
  }
  if (observers.reporter) observers.reporter->finish(metrics);
  if (!args.metrics_json.empty() && !write_metrics_json(args.metrics_json, metrics, error)) {
    failures.errors.push_back(error);
  }
  if (!args.quiet) {
    write_stdout(render_summary(metrics, predicted_throughput(pipeline, registry, metrics),
                                hold_bound(pipeline, registry)));
  }
  int stdout_status = flush_stdout(error, observers.reporter ? observers.reporter->write_error() : 0);
  failures.broken_pipe = stdout_status == exit_broken_pipe;
  if (stdout_status == exit_output_failed) failures.errors.push_back(error);
  return failures;
}

// A failed run exits 1 whatever else happened; an output that could not be
// written exits 1 even after a signal, since what a script expects is missing.
int finish(const RunArguments& args, const Pipeline& pipeline, const OperatorRegistry& registry, RunMetrics& metrics,
           Observers& observers) {
  name_bottleneck(pipeline, metrics);
  if (metrics.status == RunStatus::Interrupted) metrics.signal = interrupt_signal_name();
  auto failures = write_outputs(args, pipeline, registry, metrics, observers);
  for (const auto& error : failures.errors) print_error(error);
  if (metrics.status == RunStatus::Failed) {
    print_error(metrics.error.value_or("the run failed"));
    return exit_failed;
  }
  if (!failures.errors.empty()) return exit_output_failed;
  // Silent, as a GNU tool stopped by SIGPIPE: the reader wanted no more. The
  // metrics JSON (status "broken_pipe") says which sink and how much went.
  if (failures.broken_pipe || metrics.status == RunStatus::BrokenPipe) return exit_broken_pipe;
  return metrics.status == RunStatus::Interrupted ? interrupted_exit_status() : int{exit_ok};
}

int run_file(const RunArguments& args) {
  // From the start: a signal while the file is read and checked still ends in
  // a summary and the JSON (of a run stopped at once), not a silent death.
  install_interrupt_handler();
  auto parsed = parse_arguments(args);
  if (!parsed) return exit_usage;
  auto registry = load_operators(args.plugins);
  if (!registry) return exit_usage;
  auto pipeline = load_pipeline(args.file, *registry, parsed->overrides);
  if (!pipeline) return exit_usage;
  Observers observers;
  if (!attach_observers(args, *pipeline, *parsed, observers)) return exit_output_failed;
  parsed->options.interrupt = &interrupt_flag();
  auto metrics = run(*pipeline, *registry, parsed->options);
  return finish(args, *pipeline, *registry, metrics, observers);
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
                 "override an attribute or operator argument, NODE.KEY=VALUE (e.g. ingest.count=1000), or an edge's "
                 "attribute, FROM->TO.KEY=VALUE (e.g. ingest->work.capacity=12) (repeatable)")
      ->allow_extra_args(false)
      ->type_name("NODE.KEY=VALUE");
  add_plugin_option(app, args->plugins);
  app.add_option("--seed", args->seed,
                 "the seed of every random duration (default: the pipeline's `seed`, else 1); "
                 "the same seed draws the same durations")
      ->type_name("N");
  app.add_option("--clock", args->clock,
                 "real (default) or virtual: simulated time that jumps to the next timer whenever no worker "
                 "has work, so an hour of traffic runs in seconds (default: the pipeline's `clock`)")
      ->type_name("real|virtual");
  app.add_option("--duration", args->duration, "stop the sources after this long (e.g. 10s), then drain")
      ->type_name("DURATION");
  app.add_option("--threads", args->threads,
                 fmt::format("size of the worker pool, 1 to {} (default: all cores)", max_threads))
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
