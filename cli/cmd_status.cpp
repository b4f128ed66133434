// `flow status FILE --nats URL`: the fill of every cut edge across all the
// running parts, read from the server, and the edge where backpressure builds.
// Once by default; with --report, again at that interval until Ctrl-C.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "cli/commands.hpp"
#include "cli/exit_status.hpp"
#include "cli/load.hpp"
#include "cli/options.hpp"
#include "cli/plugins.hpp"
#include "cli/signals.hpp"
#include "flow/distributed.hpp"

namespace flow::cli {
namespace {

struct StatusArguments {
  std::string file, nats_url, report;
  std::vector<std::string> plugins;
};

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
  auto fullest = std::max_element(edges.begin(), edges.end(),
                                  [](const auto& a, const auto& b) { return fill_of(a) < fill_of(b); });
  if (fullest == edges.end() || fullest->held == 0) {
    out += "no cut edge holds messages\n";
  } else {
    out += fmt::format("backpressure builds at {} ({}/{}{})\n", fullest->edge, fullest->held,
                       fullest->capacity ? fmt::format("{}", *fullest->capacity) : "∞",
                       fill_of(*fullest) >= 1 ? ", full" : "");
  }
  return out;
}

int show_status(const StatusArguments& args) {
  install_interrupt_handler();
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
  while (true) {
    try {
      fmt::print("{}", render_status(pipeline->name, args.nats_url, cut_status(*pipeline, args.nats_url)));
      std::fflush(stdout);
    } catch (const std::exception& e) {
      return print_error(e.what()), int{exit_failed};
    }
    if (!every) return exit_ok;
    // Wakes every 50 ms to see Ctrl-C: the signal handler only sets a flag.
    auto next = std::chrono::steady_clock::now() + *every;
    while (std::chrono::steady_clock::now() < next) {
      if (interrupt_flag().load()) return interrupted_exit_status();
      std::this_thread::sleep_for(std::min<std::chrono::nanoseconds>(std::chrono::milliseconds(50), next - std::chrono::steady_clock::now()));
    }
  }
}

}  // namespace

Handler setup_status(CLI::App& app) {
  auto args = std::make_shared<StatusArguments>();
  app.add_option("file", args->file, "the .flow file whose parts are running")->required()->type_name("FILE");
  app.add_option("--nats", args->nats_url, "the NATS server the parts use, e.g. nats://127.0.0.1:4222")
      ->envname("FLOW_NATS_URL")
      ->type_name("URL");
  app.add_option("--report", args->report, "print again at this interval (e.g. 1s) until Ctrl-C")->type_name("DURATION");
  add_plugin_option(app, args->plugins);
  return [args] { return show_status(*args); };
}

}  // namespace flow::cli
