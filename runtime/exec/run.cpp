// flow::run: makes the operators, the edges and a runner per node, wires them
// onto a TBB graph, then watches the run from the calling thread (duration,
// interrupt, live reports) until every node has finished or one failed.
#include "flow/run.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "runtime/exec/builder.hpp"
#include "runtime/exec/collector.hpp"
#include "runtime/exec/virtual_clock.hpp"

namespace flow {
namespace {

using namespace exec;

/// How often the watching thread looks at the interrupt flag.
constexpr auto kInterruptPoll = std::chrono::milliseconds(10);

std::unique_ptr<Operator> make_stage(const OperatorSpec& spec, const OperatorCall& call) {
  if (!spec.make)
    throw std::invalid_argument(fmt::format("'{}' is a {} operator", call.name, to_string(spec.role)));
  auto op = spec.make(call);
  if (!op) throw std::invalid_argument(fmt::format("the factory of '{}' made nothing", call.name));
  return op;
}

/// The operators of `node`, made by the registry's factories; throws with the reason.
NodeOperators make_operators(const Node& node, const OperatorRegistry& registry) {
  NodeOperators ops;
  for (std::size_t i = 0; i < node.chain.size(); ++i) {
    const OperatorCall& call = node.chain[i];
    const OperatorSpec* spec = registry.find(call.name);
    if (!spec) throw std::invalid_argument(fmt::format("unknown operator '{}'", call.name));
    if (node.kind == NodeKind::Source && i == 0) {
      if (!spec->make_source)
        throw std::invalid_argument(fmt::format("'{}' is not a source operator", call.name));
      ops.source = spec->make_source(call);
      if (!ops.source)
        throw std::invalid_argument(fmt::format("the factory of '{}' made nothing", call.name));
    } else if (node.kind == NodeKind::Sink && i + 1 == node.chain.size() && spec->make_sink) {
      auto op = spec->make_sink(call);
      if (!op) throw std::invalid_argument(fmt::format("the factory of '{}' made nothing", call.name));
      ops.chain.push_back(std::move(op));
    } else {
      ops.chain.push_back(make_stage(*spec, call));
    }
  }
  if (node.kind == NodeKind::Source && !ops.source)
    throw std::invalid_argument("a source needs a source operator");
  return ops;
}

/// Workers of the nodes with an operator that blocks its thread (exec, http):
/// each gets a thread of its own on top of the cores.
int blocking_workers(const Pipeline& pipeline, const std::vector<NodeOperators>& operators) {
  int total = 0;
  for (std::size_t n = 0; n < operators.size(); ++n) {
    const auto& chain = operators[n].chain;
    if (std::any_of(chain.begin(), chain.end(), [](const auto& op) { return op->blocks(); }))
      total += pipeline.nodes[n].workers;
  }
  return total;
}

/// Wires `runner` to its edges and to the runners at their other ends.
void connect(NodeRunner& runner, const Pipeline& pipeline,
             const std::vector<std::unique_ptr<EdgeBuffer>>& edges,
             const std::vector<std::unique_ptr<NodeRunner>>& runners) {
  const Node& node = runner.node();
  std::vector<EdgeBuffer*> inputs, outputs;
  std::vector<NodeRunner*> producers, consumers;
  for (EdgeId e : node.inputs) {
    inputs.push_back(edges[e].get());
    producers.push_back(runners[pipeline.edges[e].from].get());
  }
  for (EdgeId e : node.outputs) {
    outputs.push_back(edges[e].get());
    consumers.push_back(runners[pipeline.edges[e].to].get());
  }
  runner.connect(std::move(inputs), std::move(producers), std::move(outputs), std::move(consumers));
  std::vector<EdgeBuffer*> routes;
  std::vector<NodeRunner*> targets;
  for (EdgeId e : node.dead_letter_outputs) {
    routes.push_back(edges[e].get());
    targets.push_back(runners[pipeline.edges[e].to].get());
  }
  runner.connect_dead_letters(std::move(routes), std::move(targets));
}

RunMetrics failed_before_start(const Pipeline& pipeline, std::string error) {
  RunMetrics metrics = unstarted_metrics(pipeline);
  metrics.status = RunStatus::Failed;
  metrics.error = std::move(error);
  metrics.peak_rss_bytes = peak_rss_bytes();
  return metrics;
}

RunStatus final_status(const RunState& state, bool interrupted) {
  if (state.failed()) return RunStatus::Failed;
  if (state.reader_gone_note()) return RunStatus::BrokenPipe;
  return interrupted ? RunStatus::Interrupted : RunStatus::Ok;
}

/// Watches a real-time run from the calling thread until it is over; returns its status.
RunStatus watch(RunState& state, const RunParts& parts, const RunOptions& options,
                const std::function<void()>& stop_sources) {
  const auto start = state.start();
  const auto far = Clock::now() + std::chrono::hours(24 * 365);
  auto stop_at = options.duration ? start + *options.duration : far;
  bool reporting = options.report_every && options.report_every->count() > 0 && options.on_report;
  auto next_report = reporting ? start + *options.report_every : far;
  bool stopped = false, interrupted = false;
  while (true) {
    auto deadline = std::min(next_report, stopped ? far : stop_at);
    if (options.interrupt && !interrupted) deadline = std::min(deadline, Clock::now() + kInterruptPoll);
    if (state.wait_until_over(deadline)) break;
    auto now = Clock::now();
    if (options.interrupt && !interrupted && options.interrupt->load()) {
      interrupted = true;
      stopped = true;
      stop_sources();
    }
    if (!stopped && now >= stop_at) {
      stopped = true;
      stop_sources();
    }
    if (reporting && now >= next_report) {
      options.on_report(collect(parts, RunStatus::Running, state.elapsed_s()));
      // The reports that fell behind are skipped: the next is the first due after now.
      next_report +=
          (now - next_report) / *options.report_every * *options.report_every + *options.report_every;
    }
  }
  return final_status(state, interrupted);
}

/// The first report time after `fired` at or after `next_event`: one of
/// `start + k × every`. Until the next timer fires nothing in a virtual run
/// can change, so the reports due before it would repeat the last one.
Clock::time_point next_report_time(Clock::time_point start, std::chrono::nanoseconds every,
                                   Clock::time_point fired, Clock::time_point next_event) {
  auto periods = ((next_event - start).count() + every.count() - 1) / every.count();
  return std::max(fired + every, start + periods * every);
}

/// A virtual run: the duration and the reports are timers on the virtual
/// clock, fired on the arena's thread at their simulated time; the calling
/// thread starts the sources, then only waits, looking at the interrupt flag
/// in real time. A report is due every `report_every` of simulated time, but
/// those that would show nothing new are skipped, as the real clock skips the
/// reports that fell behind: without that, `report_every=1ns` reported every
/// simulated nanosecond between two events, and the drain after a signal,
/// which needs simulated time, never came to its end.
RunStatus watch_virtual(RunState& state, const RunParts& parts, const RunOptions& options,
                        VirtualClock& clock, GraphBuilder& graph, const std::function<void()>& wake_sources,
                        const std::function<void()>& stop_sources) {
  const auto start = state.start();
  if (options.duration) clock.at(start + *options.duration, stop_sources);
  std::function<void()> report;
  auto next_report = start;
  // No timer was left to wait for: the next report waits for work from outside.
  std::atomic<bool> parked{false};
  if (options.report_every && options.report_every->count() > 0 && options.on_report) {
    const auto every = *options.report_every;
    report = [&, every] {
      options.on_report(collect(parts, RunStatus::Running, state.elapsed_s()));
      auto event = clock.next_timer();
      if (!event) {
        parked = true;
        return;
      }
      next_report = next_report_time(start, every, next_report, *event);
      clock.at(next_report, report);
    };
    next_report += every;
    clock.at(next_report, report);
  }
  graph.execute(wake_sources);
  bool interrupted = false;
  const auto far = std::chrono::steady_clock::now() + std::chrono::hours(24 * 365);
  while (true) {
    bool polling = options.interrupt && !interrupted;
    if (state.wait_until_over(polling ? std::chrono::steady_clock::now() + kInterruptPoll : far)) break;
    if (polling && options.interrupt->load()) {
      interrupted = true;
      graph.execute([&] {
        stop_sources();
        if (parked.exchange(false)) {
          next_report = next_report_time(start, *options.report_every, next_report, Clock::now());
          clock.at(next_report, report);
        }
      });
    }
  }
  return final_status(state, interrupted);
}

/// Makes the operators of every node into `operators`; the error naming the
/// node whose operator could not be made (a port taken, a file missing).
std::optional<std::string> make_every_operator(const Pipeline& pipeline, const OperatorRegistry& registry,
                                               std::vector<NodeOperators>& operators) {
  for (const Node& node : pipeline.nodes) {
    try {
      operators.push_back(make_operators(node, registry));
    } catch (const std::exception& e) {
      return fmt::format("{} {}: {}", to_string(node.kind), node.name, e.what());
    }
  }
  return std::nullopt;
}

/// A runner per node, wired to its edges.
std::vector<std::unique_ptr<NodeRunner>> make_runners(RunState& state, Timer& timer,
                                                      const std::vector<std::unique_ptr<EdgeBuffer>>& edges,
                                                      std::vector<NodeOperators>& operators) {
  const Pipeline& pipeline = state.pipeline();
  std::vector<std::unique_ptr<NodeRunner>> runners;
  for (NodeId id = 0; id < pipeline.nodes.size(); ++id) {
    runners.push_back(std::make_unique<NodeRunner>(state, timer, id, std::move(operators[id])));
  }
  for (NodeId id = 0; id < pipeline.nodes.size(); ++id) connect(*runners[id], pipeline, edges, runners);
  return runners;
}

}  // namespace

RunMetrics run(const Pipeline& pipeline, const OperatorRegistry& registry, const RunOptions& options) {
  const auto wall_start = std::chrono::steady_clock::now();
  std::unique_ptr<VirtualClock> virtual_clock;
  if (pipeline.clock == ClockKind::Virtual) virtual_clock = std::make_unique<VirtualClock>(wall_start);
  // Before the operators are made: spin asks which clock it will run on.
  ClockScope scope(virtual_clock.get());
  auto finish = [&](RunMetrics metrics) {
    metrics.clock = pipeline.clock;
    metrics.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    return metrics;
  };

  std::vector<NodeOperators> operators;
  if (auto error = make_every_operator(pipeline, registry, operators))
    return finish(failed_before_start(pipeline, *error));

  RunState state(pipeline, options.memory_limit);
  // Declared before the runners: its callbacks point at them.
  std::optional<ThreadTimer> thread_timer;
  Timer& timer = virtual_clock ? static_cast<Timer&>(*virtual_clock) : thread_timer.emplace();
  std::vector<std::unique_ptr<EdgeBuffer>> edges;
  for (const Edge& edge : pipeline.edges) edges.push_back(std::make_unique<EdgeBuffer>(edge));
  auto runners = make_runners(state, timer, edges, operators);

  // One thread under the virtual clock: workers are slots in simulated time,
  // and one thing at a time makes a seed give the same run.
  GraphBuilder graph(virtual_clock ? 1 : options.threads, virtual_clock ? 0 : blocking_workers(pipeline, operators),
                     virtual_clock.get());  // after the runners: its destructor waits for their tasks
  graph.build(runners);
  auto each_source = [&](void (NodeRunner::*step)()) {
    for (std::size_t i = 0; i < state.source_count(); ++i) (runners[state.source_node(i)].get()->*step)();
  };
  each_source(&NodeRunner::open_source);
  auto wake_sources = [&] { each_source(&NodeRunner::schedule); };
  state.on_room(wake_sources);
  state.on_stopping([&] { each_source(&NodeRunner::stop_source); });
  std::function<void()> stop_sources = [&] {
    each_source(&NodeRunner::stop_source);
    state.stop_sources();
    wake_sources();
  };

  RunParts parts{state, edges, runners};
  RunStatus status;
  if (virtual_clock) {
    virtual_clock->halt_when([&state] { return state.over(); });
    status = watch_virtual(state, parts, options, *virtual_clock, graph, wake_sources, stop_sources);
  } else {
    wake_sources();
    status = watch(state, parts, options, stop_sources);
  }
  double elapsed = state.elapsed_s();
  if (options.on_over) options.on_over(status);
  // A failed run was never stopped: its listeners stop taking input now.
  each_source(&NodeRunner::stop_source);
  each_source(&NodeRunner::close_source);
  timer.stop();  // no callback may put work into the graph past this point
  graph.wait();
  return finish(collect(parts, status, elapsed));
}

}  // namespace flow
