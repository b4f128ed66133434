// `flow status FILE --nats URL`: the fill of every cut edge across all the
// running parts, read from the server, and the edge where backpressure builds.
// Once by default; with --report, again at that interval until Ctrl-C,
// through any outage of the server.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "cli/commands.hpp"
#include "cli/exit_status.hpp"
#include "cli/load.hpp"
#include "cli/options.hpp"
#include "cli/plugins.hpp"
#include "cli/signals.hpp"
#include "cli/ui_option.hpp"
#include "flow/distributed.hpp"
#include "flow/parts.hpp"

namespace flow::cli {
namespace {

struct StatusArguments {
  std::string file, nats_url, report, ui;
  std::vector<std::string> plugins;
};

// With --ui and no --report, the page is refreshed at this pace.
constexpr auto default_ui_interval = std::chrono::seconds(1);

double fill_of(const CutEdgeStatus& edge) {
  if (!edge.capacity) return 0;
  return static_cast<double>(edge.held) / static_cast<double>(*edge.capacity);
}

std::string render_status(const std::string& pipeline, const std::string& url, const std::vector<CutEdgeStatus>& edges) {
  std::string out = fmt::format("pipeline {} on {}: {} cut edge{}\n", pipeline, url, edges.size(), edges.size() == 1 ? "" : "s");
  out += fmt::format("{:<28} {:<22} {:>11} {:>7} {:>10} {:>10}\n", "edge", "parts", "held/cap", "taken", "producers",
                     "consumers");
  for (const auto& edge : edges) {
    auto held = edge.exists ? fmt::format("{}/{}", edge.held, edge.capacity ? fmt::format("{}", *edge.capacity) : "∞")
                            : std::string("-");
    out += fmt::format("{:<28} {:<22} {:>11} {:>7} {:>10} {:>10}\n", edge.edge,
                       fmt::format("{} -> {}", edge.from_part, edge.to_part), held, edge.taken, edge.producers,
                       edge.consumers);
  }
  // The fullest for its capacity; among unbounded edges (fill 0), the one holding most.
  auto fullest = std::max_element(edges.begin(), edges.end(), [](const auto& a, const auto& b) {
    return std::pair(fill_of(a), a.held) < std::pair(fill_of(b), b.held);
  });
  if (fullest == edges.end() || fullest->held == 0) {
    out += "no cut edge holds messages\n";
  } else {
    out += fmt::format("backpressure builds at {} ({}/{}{})\n", fullest->edge, fullest->held,
                       fullest->capacity ? fmt::format("{}", *fullest->capacity) : "∞",
                       fill_of(*fullest) >= 1 ? ", full" : "");
  }
  return out;
}

// The whole pipeline as the live page draws a run, from what the server holds:
// every cut edge's fill (the other edges live inside the parts, unseen here),
// and the node behind the fullest cut edge as where backpressure builds.
RunMetrics status_metrics(const Pipeline& pipeline, const std::vector<CutEdgeStatus>& edges) {
  auto metrics = unstarted_metrics(pipeline);
  metrics.status = RunStatus::Running;
  const CutEdgeStatus* fullest = nullptr;
  for (auto id : cut_edges(pipeline)) {
    auto found = std::find_if(edges.begin(), edges.end(),
                              [&](const CutEdgeStatus& edge) { return edge.edge == pipeline.edge_name(id); });
    if (found == edges.end()) continue;
    auto& edge = metrics.edges[id];
    edge.transport = "jetstream";
    edge.held = found->held;
    edge.high_water = found->held;
    edge.bytes_held = found->bytes_held;
    if (found->held > 0 && (fullest == nullptr || fill_of(*found) > fill_of(*fullest))) {
      fullest = &*found;
      metrics.bottleneck = {pipeline.nodes[pipeline.edges[id].to].name,
                            fmt::format("its input edge {} holds {}/{}", found->edge, found->held,
                                        found->capacity ? fmt::format("{}", *found->capacity) : "∞")};
    }
  }
  return metrics;
}

// Prints the table (and feeds the page) until Ctrl-C, or once. The first
// look failing fails the command (a wrong URL, a server without JetStream);
// once it has shown the pipeline, a watch goes on through an outage, which
// is what it is there to show: each report it misses says so on a line.
int watch(const StatusArguments& args, const Pipeline& pipeline,
          std::optional<std::chrono::nanoseconds> every, std::optional<LiveView>& view) {
  auto shown_url = redacted_nats_url(args.nats_url);
  bool seen = false;
  while (true) {
    try {
      auto edges = cut_status(pipeline, args.nats_url);
      fmt::print("{}", render_status(pipeline.name, shown_url, edges));
      if (view) view->observe(status_metrics(pipeline, edges));
      seen = true;
    } catch (const std::exception& e) {
      if (!every || !seen) return print_error(e.what()), int{exit_failed};
      fmt::print("pipeline {}: {}; still watching\n", pipeline.name, e.what());
    }
    std::fflush(stdout);
    if (!every) return exit_ok;
    if (interrupted_before(std::chrono::steady_clock::now() + *every)) return interrupted_exit_status();
  }
}

int show_status(const StatusArguments& args) {
  install_interrupt_handler(Stopping::Watch);
  std::optional<std::chrono::nanoseconds> every;
  std::string error;
  if (!args.report.empty() && !(every = parse_duration(args.report, error))) {
    return print_error(fmt::format("--report: {}", error)), int{exit_usage};
  }
  if (args.nats_url.empty()) return print_error("status needs a NATS server: --nats URL or FLOW_NATS_URL"), int{exit_usage};
  auto registry = load_operators(args.plugins);
  if (!registry) return exit_usage;
  auto pipeline = load_pipeline(args.file, *registry);
  if (!pipeline) return exit_usage;
  std::optional<LiveView> view;
  if (!args.ui.empty()) {
    auto address = parse_ui_address(args.ui, error);
    if (!address) return print_error(fmt::format("--ui: {}", error)), int{exit_usage};
    if (!serve_ui(*address, *pipeline, *registry, view)) return exit_output_failed;
    if (!every) every = default_ui_interval;
  }
  auto status = watch(args, *pipeline, every, view);
  if (view) view->stop();
  return status;
}

}  // namespace

Handler setup_status(CLI::App& app) {
  auto args = std::make_shared<StatusArguments>();
  app.add_option("file", args->file, "the .flow file whose parts are running")->required()->type_name("FILE");
  app.add_option("--nats", args->nats_url,
                 "the NATS server the parts use, e.g. nats://127.0.0.1:4222, or a comma-separated list")
      ->envname("FLOW_NATS_URL")
      ->type_name("URL");
  app.add_option("--report", args->report, "print again at this interval (e.g. 1s) until Ctrl-C")->type_name("DURATION");
  app.add_option("--ui", args->ui,
                 "serve the live page of `flow run --ui` for the whole pipeline, its cut edges filled from the "
                 "server, until Ctrl-C: PORT on 127.0.0.1, or ADDR:PORT")
      ->type_name("[ADDR:]PORT");
  add_plugin_option(app, args->plugins);
  return [args] { return show_status(*args); };
}

}  // namespace flow::cli
