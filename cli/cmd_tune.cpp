// `flow tune FILE --goal G...`: search for the least capacities (and, asked,
// workers) that meet every goal on every seed, print the table, check the
// recommendation on the real clock, and write the file with those values.
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <charconv>
#include <limits>
#include <memory>
#include <variant>

#include "cli/commands.hpp"
#include "cli/exit_status.hpp"
#include "cli/load.hpp"
#include "cli/options.hpp"
#include "cli/output_file.hpp"
#include "cli/plugins.hpp"
#include "cli/tune_check.hpp"
#include "cli/tune_table.hpp"
#include "flow/tune.hpp"

namespace flow::cli {
namespace {

/// Exit status when no setting up to the ceilings meets every goal (docs/commands.md).
/// The most seeds `--seeds` takes: each is a run of every setting tried.
constexpr std::uint64_t max_seeds = 1000;

struct TuneArguments {
  std::string file;
  std::vector<std::string> goals, sets, plugins, vary, fix;
  std::string seeds = "3", duration, write, check_time = "60s", threads;
  bool no_check = false;
};

struct Parsed {
  std::vector<tune::Goal> goals;
  tune::Vary vary;
  std::uint64_t seeds = 3;
  std::vector<Override> overrides;
  RunOptions options;
  std::optional<double> check_s;  ///< the real-clock check's limit; none with --no-check
};

// The goal's text with a caret under what is wrong, as the file's errors show one.
void print_goal_error(const std::string& text, const Diagnostic& error) {
  print_error(fmt::format("--goal '{}': {}", text, error.message));
  write_stderr(fmt::format("    {}\n    {}{}\n", text, std::string(error.location.offset, ' '),
                           std::string(std::max<std::size_t>(1, error.width), '^')));
}

// The words of repeated options, each of which may be a comma-separated list.
std::vector<std::string> words_of(const std::vector<std::string>& options) {
  std::vector<std::string> words;
  for (const auto& text : options) {
    std::size_t begin = 0;
    while (begin <= text.size()) {
      auto end = std::min(text.find(',', begin), text.size());
      words.push_back(text.substr(begin, end - begin));
      begin = end + 1;
    }
  }
  return words;
}

// --vary and --fix: `capacity` and `workers` for every knob of a kind, or
// single knobs, which the pipeline must have (select_knobs checks them).
tune::Vary parse_vary(const TuneArguments& args) {
  tune::Vary vary{args.vary.empty(), false, {}, words_of(args.fix), true};
  for (auto& word : words_of(args.vary)) {
    if (word == "capacity") {
      vary.capacity = true;
    } else if (word == "workers") {
      vary.workers = true;
    } else {
      vary.knobs.push_back(std::move(word));
    }
  }
  return vary;
}

std::optional<std::uint64_t> parse_seeds(const std::string& text, std::string& error) {
  std::uint64_t count = 0;
  const char* end = text.data() + text.size();
  auto [stop, failure] = std::from_chars(text.data(), end, count);
  if (!text.empty() && stop == end && failure == std::errc() && count >= 1 && count <= max_seeds)
    return count;
  error = fmt::format("'{}' is not a whole number from 1 to {}", text, max_seeds);
  return std::nullopt;
}

std::optional<Parsed> parse_arguments(const TuneArguments& args) {
  Parsed parsed;
  std::string error;
  for (const auto& text : args.goals) {
    auto read = tune::parse_goal(text);
    if (!read.goal) return print_goal_error(text, read.diagnostics.front()), std::nullopt;
    parsed.goals.push_back(std::move(*read.goal));
  }
  parsed.vary = parse_vary(args);
  // A knob goes below the file's value only where a goal asks for less memory.
  parsed.vary.below_file = tune::asks_for_less_memory(parsed.goals);
  auto seeds = parse_seeds(args.seeds, error);
  if (!seeds) return print_error(fmt::format("--seeds: {}", error)), std::nullopt;
  parsed.seeds = *seeds;
  // Simulated time: a run of minutes takes a fraction of a second, and a seed
  // gives the same figures every time. A --set may still say otherwise.
  parsed.overrides.push_back(Override{"pipeline", "clock", "virtual"});
  for (const auto& set : args.sets) {
    auto override_value = parse_override(set, error);
    if (!override_value) return print_error(fmt::format("--set: {}", error)), std::nullopt;
    parsed.overrides.push_back(*override_value);
  }
  if (!args.duration.empty() && !(parsed.options.duration = parse_duration(args.duration, error))) {
    return print_error(fmt::format("--duration: {}", error)), std::nullopt;
  }
  if (!args.threads.empty()) {
    auto threads = parse_threads(args.threads, error);
    if (!threads) return print_error(fmt::format("--threads: {}", error)), std::nullopt;
    parsed.options.threads = *threads;
  }
  if (!args.no_check) {
    // parse_duration takes only a duration above zero.
    auto limit = parse_duration(args.check_time, error);
    if (!limit) return print_error(fmt::format("--check-time: {}", error)), std::nullopt;
    parsed.check_s = std::chrono::duration<double>(*limit).count();
  }
  return parsed;
}

// An endless source that nothing paces (no rate of its own, no operator of
// its chain that takes time, by their plans) and that no edge holds back
// (each of its edges drops, fails or is unbounded) makes messages at one
// simulated instant for ever: on the virtual clock no time passes, so
// --duration never comes.
bool never_lets_time_pass(const Pipeline& pipeline, const OperatorRegistry& registry, const Node& node) {
  if (pipeline.clock != ClockKind::Virtual || pipeline.max_in_flight != 0) return false;
  for (const auto& call : node.chain) {
    auto plan = registry.plan(call).value_or(OperatorPlan{});
    if (plan.rate_limit_per_s || plan.seconds_per_message || plan.cost == Operator::Cost::Wait) return false;
  }
  for (EdgeId e : node.outputs) {
    const auto& edge = pipeline.edges[e];
    if (edge.capacity && edge.overflow == Overflow::Block) return false;
  }
  return true;
}

// What read() reads when each of tune's runs could not read it again the
// same: standard input by any name, a pipe or FIFO, a socket, a character
// device (a terminal, /dev/stdin of a closed standard input). By the file's
// type, not its name: "/dev/stdin" redirected from a regular file is a
// regular file, read anew from its start by every run. "" when it can.
std::string read_once(const OperatorCall& call) {
  auto path = call.args.find("path");
  const auto* text = path == call.args.end() ? nullptr : std::get_if<std::string>(&path->second);
  struct stat info {};
  if (call.name != "read" || text == nullptr || *text == "-" || ::stat(text->c_str(), &info) != 0) return "";
  if (S_ISREG(info.st_mode) || S_ISDIR(info.st_mode) || S_ISBLK(info.st_mode)) return "";
  struct stat stdin_info {};
  if (::fstat(STDIN_FILENO, &stdin_info) == 0 && stdin_info.st_dev == info.st_dev &&
      stdin_info.st_ino == info.st_ino)
    return fmt::format("standard input ('{}')", *text);
  const char* kind = S_ISFIFO(info.st_mode)   ? "a pipe"
                     : S_ISSOCK(info.st_mode) ? "a socket"
                                              : "a character device";
  return fmt::format("'{}', {}", *text, kind);
}

// A pipeline tune can run over and over, each run ending: false after saying
// which source stands in the way (what it reads, or why it is endless, from
// its operator's plan).
bool runs_again_and_ends(const Pipeline& pipeline, const OperatorRegistry& registry, bool has_duration) {
  for (const auto& node : pipeline.nodes) {
    if (node.kind != NodeKind::Source || node.chain.empty()) continue;
    auto plan = registry.plan(node.chain.front()).value_or(OperatorPlan{});
    auto once = plan.outside_input.empty() ? read_once(node.chain.front()) : plan.outside_input;
    if (!once.empty()) {
      print_error(
          fmt::format("source '{}' reads {}, which only the first of tune's runs would see; "
                      "tune a copy that reads a file",
                      node.name, once));
      return false;
    }
    if (!plan.endless.empty() && !has_duration) {
      print_error(
          fmt::format("source '{}' is endless ({}); give --duration so that each of "
                      "tune's runs ends",
                      node.name, plan.endless));
      return false;
    }
    if (!plan.endless.empty() && never_lets_time_pass(pipeline, registry, node)) {
      print_error(
          fmt::format("source '{}' makes messages without a rate and none of its edges holds it back: on the "
                      "virtual clock no time would pass and no run would reach --duration; give it a rate "
                      "or a count",
                      node.name));
      return false;
    }
  }
  return true;
}

int write_tuned(const std::string& path, const Pipeline& pipeline, const OperatorRegistry& registry,
                const std::vector<tune::Knob>& knobs, const tune::Setting& setting) {
  auto tuned = tune::rewrite(*pipeline.file, registry, knobs, setting);
  if (!tuned.text) {
    for (const auto& problem : tuned.diagnostics)
      print_error(fmt::format("--write {}: {}", path, problem.message));
    return exit_output_failed;
  }
  std::string error;
  if (!write_whole_file(path, *tuned.text, error)) {
    print_error(error);
    return exit_output_failed;
  }
  write_stdout(fmt::format("wrote {}\n", path));
  return exit_ok;
}

struct Selected {
  std::vector<tune::Knob> knobs, fixed;
};

// The knobs --vary and --fix select; none after saying why (a word that names
// no knob, under the option that has it; nothing left to vary).
std::optional<Selected> select_knobs(const Pipeline& pipeline, const tune::Vary& vary) {
  // Each option's words on their own first, so that the error names its option.
  for (bool fix : {false, true}) {
    tune::Vary words{false, false, fix ? std::vector<std::string>{} : vary.knobs,
                     fix ? vary.fixed : std::vector<std::string>{}, true};
    if (auto error = tune::read_knobs(pipeline, words).error) {
      print_error(fmt::format("{}: {}", fix ? "--fix" : "--vary", *error));
      return std::nullopt;
    }
  }
  auto read = tune::read_knobs(pipeline, vary);
  if (read.knobs.empty()) {
    print_error(!read.fixed.empty() ? "nothing to vary: --fix pins every knob --vary selects"
                : vary.workers      ? "nothing to vary: no bounded edge and no stage or sink"
                : vary.knobs.empty()
                    ? "nothing to vary: every edge is unbounded (capacity=unbounded is left alone)"
                    : "nothing to vary");
    return std::nullopt;
  }
  return Selected{std::move(read.knobs), std::move(read.fixed)};
}

int tune_file(const TuneArguments& args) {
  auto parsed = parse_arguments(args);
  if (!parsed) return exit_usage;
  auto registry = load_operators(args.plugins);
  if (!registry) return exit_usage;
  auto pipeline = load_pipeline(args.file, *registry, parsed->overrides);
  if (!pipeline) return exit_usage;
  // The seeds after the pipeline's own must be seeds too: a seed is at most INT64_MAX.
  constexpr auto largest_seed = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (parsed->seeds - 1 > largest_seed - pipeline->seed) {
    print_error(fmt::format("--seeds: {} seeds from the pipeline's seed {} go past the largest seed, {}",
                            parsed->seeds, pipeline->seed, largest_seed));
    return exit_usage;
  }
  if (!runs_again_and_ends(*pipeline, *registry, parsed->options.duration.has_value())) return exit_usage;
  auto selected = select_knobs(*pipeline, parsed->vary);
  if (!selected) return exit_usage;
  const auto& knobs = selected->knobs;
  tune::RunnerSetup setup;
  setup.source = pipeline->file;
  setup.registry = &*registry;
  setup.overrides = parsed->overrides;
  setup.knobs = knobs;
  setup.goals = parsed->goals;
  setup.options = parsed->options;
  // From the pipeline's own seed (the file's, a --set's, else 1), so that a
  // `flow run --clock virtual` of the written file repeats one of the runs judged.
  tune::Seeds seeds{pipeline->seed, parsed->seeds};
  tune::Trials trials(parsed->goals, seeds, tune::pipeline_runner(setup));
  auto result = tune::search(knobs, trials);
  TuneReport report{knobs,           selected->fixed,         parsed->goals, seeds,
                    pipeline->clock, parsed->vary.below_file, result};
  write_stdout(render_tune(report));
  // The table first, then any error under it. Standard output that failed is
  // said now, while errno still gives the reason (when the command returns only
  // the stream's error flag is left), and its status wins: the table never got out.
  std::string stdout_error;
  int stdout_status = flush_stdout(stdout_error);
  if (!stdout_error.empty()) print_error(stdout_error);
  if (!result.met) {
    print_error(
        fmt::format("no setting up to the ceilings meets every goal on every seed; the closest tried is "
                    "shown{}",
                    args.write.empty() ? "" : fmt::format(" ('{}' not written)", args.write)));
    return stdout_status != 0 ? stdout_status : exit_not_met;
  }
  if (!check_real_clock(report, setup, parsed->check_s, args.write)) {
    return stdout_status != 0 ? stdout_status : exit_real_missed;
  }
  int status = args.write.empty() ? int{exit_ok}
                                  : write_tuned(args.write, *pipeline, *registry, knobs, result.setting);
  return status != exit_ok ? status : stdout_status;
}

}  // namespace

Handler setup_tune(CLI::App& app) {
  auto args = std::make_shared<TuneArguments>();
  app.add_option("file", args->file, "the .flow file to tune")->required()->type_name("FILE");
  app.add_option("--goal", args->goals,
                 "what every run must achieve (repeatable): dropped=0, dropped<=N, dropped<=P%, "
                 "delivered>=P%, p50<=D, p99<=D, latency_mean<=D, latency_max<=D, peak_bytes<=SIZE, "
                 "peak_messages<=N")
      ->required()
      ->allow_extra_args(false)
      ->type_name("GOAL");
  app.add_option(
         "--vary", args->vary,
         "what to change (repeatable, or a comma-separated list): capacity (every bounded edge's, the "
         "default), workers (every stage's and sink's), NODE.workers, FROM->TO.capacity")
      ->allow_extra_args(false)
      ->type_name("KNOBS");
  app.add_option("--fix", args->fix,
                 "knobs never changed, in --vary's words (repeatable): NODE.workers, FROM->TO.capacity, "
                 "workers, capacity")
      ->allow_extra_args(false)
      ->type_name("KNOBS");
  app.add_option(
         "--seeds", args->seeds,
         fmt::format("run every setting on N seeds from the pipeline's own (default 3, at most {}); a "
                     "goal must hold on each",
                     max_seeds))
      ->type_name("N");
  add_plugin_option(app, args->plugins);
  app.add_option(
         "--set", args->sets,
         "override an attribute or operator argument for every run, NODE.KEY=VALUE or FROM->TO.KEY=VALUE "
         "(repeatable)")
      ->allow_extra_args(false)
      ->type_name("NODE.KEY=VALUE");
  app.add_option("--duration", args->duration,
                 "stop each run's sources after this long (e.g. 10s), then drain")
      ->type_name("DURATION");
  app.add_option("--check-time", args->check_time,
                 "the longest the real-clock check of the recommendation may run its sources (default 60s)")
      ->type_name("DURATION");
  app.add_option("--threads", args->threads,
                 fmt::format("size of the worker pool of a run on the real clock (the check), 1 to {} "
                             "(default: all cores)",
                             max_threads))
      ->type_name("N");
  app.add_flag("--no-check", args->no_check,
               "do not run the recommendation on the real clock before writing it");
  app.add_option("--write", args->write,
                 "write the file with the recommended values to this path, comments and layout kept")
      ->type_name("OUT.flow");
  return [args] { return tune_file(*args); };
}

}  // namespace flow::cli
