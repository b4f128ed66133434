// `flow run FILE`: load, run on the runtime, and show what happened — live
// reports and a trace while it runs, then the summary and the metrics JSON.
// Standard output carries only what stdout() sinks write; everything flow
// says itself (reports, the summary, warnings, errors) goes to standard error.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <algorithm>
#include <memory>

#include "cli/commands.hpp"
#include "cli/exit_status.hpp"
#include "cli/listen_address.hpp"
#include "cli/load.hpp"
#include "cli/metrics_endpoint.hpp"
#include "cli/options.hpp"
#include "cli/part_option.hpp"
#include "cli/output_file.hpp"
#include "cli/plugins.hpp"
#include "cli/report.hpp"
#include "cli/run_output.hpp"
#include "cli/signals.hpp"
#include "cli/summary.hpp"
#include "cli/trace.hpp"
#include "cli/ui_option.hpp"
#include "flow/distributed.hpp"
#include "flow/parts.hpp"
#include "flow/run.hpp"

namespace flow::cli {
namespace {

using namespace std::chrono_literals;

constexpr auto default_trace_interval = 100ms;
// With only --metrics-port: a snapshot a second is far fresher than the 15 s
// Prometheus scrapes at by default, and costs the run nothing it would notice.
constexpr auto default_metrics_interval = 1s;
// With --ui: the trace's interval, since the page's charts are its series.
constexpr auto default_ui_interval = default_trace_interval;

struct RunArguments {
  std::string file;
  std::string report, metrics_json, duration, memory_limit, trace, threads, seed, clock, state;
  std::string metrics_port, metrics_listen, ui;
  std::string part, nats_url;
  std::string trace_interval;
  std::vector<std::string> sets, plugins;
  bool quiet = false;
  bool ui_hold = false;
};

// A string as the language writes it: quoted, with its escapes.
std::string quote_string(const std::string& text) {
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') quoted += '\\';
    if (c == '\n') quoted += "\\n";
    else if (c == '\t') quoted += "\\t";
    else quoted += c;
  }
  return quoted + "\"";
}

// Everything the command line says, parsed; nullopt after printing the error.
struct Parsed {
  std::vector<Override> overrides;
  RunOptions options;
  std::optional<std::chrono::nanoseconds> report;
  std::optional<ListenAddress> metrics_address;
  std::optional<ListenAddress> ui_address;
};

// --metrics-port PORT serves on 127.0.0.1; --metrics-listen ADDR:PORT anywhere else.
bool parse_metrics_address(const RunArguments& args, Parsed& parsed) {
  std::string error;
  if (!args.metrics_port.empty()) {
    auto port = parse_port(args.metrics_port, error);
    if (!port) return print_error(fmt::format("--metrics-port: {}", error)), false;
    parsed.metrics_address = ListenAddress{"127.0.0.1", *port};
  }
  if (!args.metrics_listen.empty()) {
    parsed.metrics_address = parse_listen_address(args.metrics_listen, error);
    if (!parsed.metrics_address) return print_error(fmt::format("--metrics-listen: {}", error)), false;
  }
  return true;
}

std::optional<Parsed> parse_arguments(const RunArguments& args) {
  Parsed parsed;
  std::string error;
  // --seed N is `--set pipeline.seed=N`, checked the same way; a --set after it wins.
  if (!args.seed.empty()) parsed.overrides.push_back(Override{"pipeline", "seed", args.seed});
  if (!args.clock.empty()) parsed.overrides.push_back(Override{"pipeline", "clock", args.clock});
  // --state DIR is `--set pipeline.state="DIR"`: the directory as a quoted string.
  if (!args.state.empty()) parsed.overrides.push_back(Override{"pipeline", "state", quote_string(args.state)});
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
  if (!parse_metrics_address(args, parsed)) return std::nullopt;
  if (!args.ui.empty() && !(parsed.ui_address = parse_ui_address(args.ui, error))) {
    return print_error(fmt::format("--ui: {}", error)), std::nullopt;
  }
  return parsed;
}

// The monitor thread's view: each snapshot gets its bottleneck, then goes to
// the reporter, the trace, the live page and the metrics endpoint. Only the monitor thread
// touches these while running (the endpoint's server threads read only what
// publish hands over).
struct Observers {
  const Pipeline* pipeline = nullptr;
  std::optional<Reporter> reporter;
  std::optional<TraceWriter> trace;
  std::optional<MetricsEndpoint> metrics;
  std::optional<LiveView> ui;
  std::string ui_url;
  std::string crash_json;  ///< --metrics-json: what a crash writes there is kept up to date

  void observe(const RunMetrics& snapshot) {
    RunMetrics named = snapshot;
    name_bottleneck(*pipeline, named);
    if (!crash_json.empty()) keep_metrics_for_crash(crash_json, named);
    if (reporter) reporter->report(named);
    if (ui) ui->observe(named);
    if (metrics) metrics->publish(std::move(named));
  }
};

// Serves /metrics from before the run starts; false when the address cannot be bound.
bool serve_metrics(const ListenAddress& address, const Pipeline& pipeline, Observers& observers) {
  observers.metrics.emplace(unstarted_metrics(pipeline));
  std::string error;
  auto bound = observers.metrics->start(address, error);
  if (!bound) return print_error(fmt::format("metrics: {}", error)), false;
  write_stderr(fmt::format("flow: metrics at {}\n", url_of(*bound, "/metrics")));
  return true;
}

// Sets up reports (option, else the pipeline's `report`), the trace, the
// metrics endpoint and the live page; false when the trace cannot be written
// or a port not bound (nothing has run yet). They share one interval: the
// report's, else the trace's or the page's default, else the endpoint's.
bool attach_observers(const RunArguments& args, const Pipeline& pipeline, const OperatorRegistry& registry,
                      Parsed& parsed, Observers& observers) {
  observers.pipeline = &pipeline;
  auto report = parsed.report;
  if (!report && pipeline.report) report = pipeline.report->value;
  // Standard output is the data's alone (as for grep or jq): reports go to standard error.
  if (report) observers.reporter.emplace(stderr, isatty(STDERR_FILENO) != 0);
  // Bound before the trace is created: a port in use leaves no empty trace behind.
  if (parsed.metrics_address && !serve_metrics(*parsed.metrics_address, pipeline, observers)) return false;
  if (parsed.ui_address) {
    auto url = serve_ui(*parsed.ui_address, pipeline, registry, observers.ui);
    if (!url) return false;
    observers.ui_url = *url;
  }
  if (!args.trace.empty()) {
    observers.trace.emplace(args.trace);
    if (!observers.trace->ok()) return print_error(observers.trace->error()), false;
  }
  // A crash writes the JSON of the last snapshot: one a second when nothing else asks for them.
  observers.crash_json = args.metrics_json;
  if (!args.metrics_json.empty()) keep_metrics_for_crash(args.metrics_json, unstarted_metrics(pipeline));
  bool snapshots =
      report || observers.trace || observers.metrics || observers.ui || !args.metrics_json.empty();
  if (!snapshots) return true;
  std::chrono::nanoseconds fallback = observers.trace ? default_trace_interval
                                      : observers.ui  ? default_ui_interval
                                                      : default_metrics_interval;
  parsed.options.report_every = report.value_or(fallback);
  parsed.options.on_report = [&observers](const RunMetrics& snapshot) { observers.observe(snapshot); };
  if (observers.trace) sample_trace_every(parsed.options, *observers.trace, args.trace_interval);
  return true;
}

// What could not be written at the end of a run: one line per output,
// whether standard error failed (said by the status alone: there is nowhere
// to print it), and whether the reader of standard output or error went away.
struct OutputFailures {
  std::vector<std::string> errors;
  bool stderr_failed = false;
  bool broken_pipe = false;
};

// Standard output holds only what stdout() sinks wrote (a failed sink already
// failed the run); standard error the reports and the summary. Either failing
// is judged as coreutils and grep do at exit: the status says so, the run is
// not stopped for it, and a reader that went away is a quiet 141.
void check_standard_streams(int stderr_errno, OutputFailures& failures) {
  std::string error;
  int out = flush_stdout(error);
  if (out == exit_output_failed) failures.errors.push_back(error);
  int err = flush_stderr(error, stderr_errno);
  failures.stderr_failed = err == exit_output_failed;
  failures.broken_pipe = out == exit_broken_pipe || err == exit_broken_pipe;
}

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
  int stderr_errno = observers.reporter ? observers.reporter->write_error() : 0;
  if (!args.quiet) {
    int summary_errno = write_stderr(render_summary(metrics, predicted_throughput(pipeline, registry, metrics),
                                                    hold_bound(pipeline, registry)));
    if (stderr_errno == 0) stderr_errno = summary_errno;
  }
  check_standard_streams(stderr_errno, failures);
  return failures;
}

// --ui-hold: the page keeps the final state until a signal; not after a run a
// signal already stopped (whoever sent it wants flow gone).
void hold_ui(const RunArguments& args, const RunMetrics& metrics, const Observers& observers) {
  if (!args.ui_hold || !observers.ui || metrics.status == RunStatus::Interrupted) return;
  write_stderr(fmt::format("flow: ui: the run is over; {} shows its final state until Ctrl-C\n", observers.ui_url));
  wait_for_interrupt();
}

// A failed run exits 1 whatever else happened; an output that could not be
// written exits 1 even after a signal, since what a script expects is missing.
int finish(const RunArguments& args, const Pipeline& pipeline, const OperatorRegistry& registry, RunMetrics& metrics,
           Observers& observers) {
  name_bottleneck(pipeline, metrics);
  if (metrics.status == RunStatus::Interrupted) metrics.signal = interrupt_signal_name();
  // The final state, served from here until flow exits, after the summary and the JSON.
  if (observers.metrics) observers.metrics->publish(metrics);
  if (observers.ui) observers.ui->finish(metrics);
  auto failures = write_outputs(args, pipeline, registry, metrics, observers);
  for (const auto& error : failures.errors) print_error(error);
  // Said when the run ends, not after --ui-hold's Ctrl-C.
  if (metrics.status == RunStatus::Failed) print_error(metrics.error.value_or("the run failed"));
  hold_ui(args, metrics, observers);
  if (metrics.status == RunStatus::Failed) return exit_failed;
  if (!failures.errors.empty() || failures.stderr_failed) return exit_output_failed;
  // Silent, as a GNU tool stopped by SIGPIPE: the reader wanted no more. The
  // metrics JSON (status "broken_pipe") says which sink and how much went.
  if (failures.broken_pipe || metrics.status == RunStatus::BrokenPipe) return exit_broken_pipe;
  return metrics.status == RunStatus::Interrupted ? interrupted_exit_status() : int{exit_ok};
}

// `--part NAME`: the part must exist, have a server, and run on the real clock.
bool check_part(const RunArguments& args, const Pipeline& pipeline) {
  if (auto error = part_error(pipeline, args.part)) return print_error(*error), false;
  // Such a node runs only when the file runs whole: no --part selects it, and
  // the cut edges to it would never be taken from.
  for (const auto& node : pipeline.nodes) {
    if (node.part.empty()) {
      return print_error(fmt::format("--part: node {} has no part=; with --part every node needs one", node.name)), false;
    }
  }
  if (args.nats_url.empty()) {
    return print_error("--part needs a NATS server: --nats URL or FLOW_NATS_URL (e.g. nats://127.0.0.1:4222)"), false;
  }
  if (pipeline.clock == ClockKind::Virtual) {
    return print_error("--part: a part runs on the real clock (its cut edges wait on a real server), not --clock virtual"),
           false;
  }
  return true;
}

// The whole pipeline in this process, or one part of it joined to the others over NATS.
int run_loaded(const RunArguments& args, const Pipeline& whole, const OperatorRegistry& registry, Parsed& parsed) {
  Observers observers;
  parsed.options.interrupt = &interrupt_flag();
  if (args.part.empty()) {
    if (!attach_observers(args, whole, registry, parsed, observers)) return exit_output_failed;
    auto metrics = run(whole, registry, parsed.options);
    return finish(args, whole, registry, metrics, observers);
  }
  if (!check_part(args, whole)) return exit_usage;
  auto local = part_pipeline(whole, args.part).pipeline;
  if (!attach_observers(args, local, registry, parsed, observers)) return exit_output_failed;
  auto metrics = run_part(whole, registry, parsed.options, PartOptions{args.part, args.nats_url});
  return finish(args, local, registry, metrics, observers);
}

int run_file(const RunArguments& args) {
  // From the start: a signal while the file is read and checked still ends in
  // a summary and the JSON (of a run stopped at once), not a silent death.
  install_interrupt_handler();
  install_crash_handler();
  auto parsed = parse_arguments(args);
  if (!parsed) return exit_usage;
  auto registry = load_operators(args.plugins);
  if (!registry) return exit_usage;
  auto pipeline = load_pipeline(args.file, *registry, parsed->overrides);
  if (!pipeline) return exit_usage;
  return run_loaded(args, *pipeline, *registry, *parsed);
}

}  // namespace

Handler setup_run(CLI::App& app) {
  auto args = std::make_shared<RunArguments>();
  app.add_option("file", args->file, "the .flow file to run")->required()->type_name("FILE");
  app.add_option("--report", args->report,
                 "print a progress report on standard error at this interval, e.g. 500ms (overrides the "
                 "pipeline's `report`): a table redrawn in place on a terminal, one line per report otherwise")
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
  app.add_option("--state", args->state,
                 "keep the checkpoints of followed files (read with follow=true) in this directory, so that a "
                 "restart goes on where the lines were delivered (default: the pipeline's `state`)")
      ->type_name("DIR");
  app.add_option("--duration", args->duration, "stop the sources after this long (e.g. 10s), then drain")
      ->type_name("DURATION");
  app.add_option("--threads", args->threads,
                 fmt::format("size of the worker pool, 1 to {} (default: all cores)", max_threads))
      ->type_name("N");
  app.add_option("--memory-limit", args->memory_limit,
                 "fail cleanly before messages hold more than this, e.g. 64MiB")
      ->type_name("SIZE");
  auto* port =
      app.add_option("--metrics-port", args->metrics_port,
                     "serve Prometheus metrics on http://127.0.0.1:PORT/metrics while the run goes on "
                     "(0: a free port; the URL is printed on standard error)")
          ->type_name("PORT");
  app.add_option("--metrics-listen", args->metrics_listen,
                 "as --metrics-port, on another address: 0.0.0.0:9464 (every IPv4 interface), [::1]:9464")
      ->type_name("ADDR:PORT")
      ->excludes(port);
  auto* ui = app.add_option("--ui", args->ui,
                             "serve a live page of the run (the graph coloured as it runs, queue depths over "
                             "time) on 127.0.0.1:PORT, or ADDR:PORT; 0: a free port (the URL is printed on "
                             "standard error)")
                 ->type_name("[ADDR:]PORT");
  app.add_flag("--ui-hold", args->ui_hold, "with --ui: keep serving the final state after the run, until Ctrl-C")
      ->needs(ui);
  app.add_option("--part", args->part,
                 "run only the nodes of this part (part=NAME); its cut edges go through NATS JetStream "
                 "(docs/distributed.md)")
      ->type_name("NAME");
  app.add_option("--nats", args->nats_url, "the NATS server for --part, e.g. nats://127.0.0.1:4222")
      ->envname("FLOW_NATS_URL")
      ->type_name("URL");
  app.add_flag("--quiet,-q", args->quiet, "print no summary (on standard error)");
  auto* trace = app.add_option("--trace", args->trace,
                               "write a CSV time series of every edge and node, sampled every --trace-interval")
                    ->type_name("PATH");
  add_trace_interval_option(app, trace, args->trace_interval);
  return [args] { return run_file(*args); };
}

}  // namespace flow::cli
