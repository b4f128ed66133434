#include "runtime/output/labels.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "flow/registry.hpp"
#include "flow/bottleneck.hpp"

namespace flow::output {

namespace {

// Arguments in the operator's declared order; ones it does not declare after, by name.
std::vector<std::pair<std::string, const Value*>> ordered_args(const OperatorCall& call, const OperatorSpec* spec) {
  std::vector<std::pair<std::string, const Value*>> ordered;
  if (spec != nullptr) {
    for (const auto& arg : spec->args) {
      if (auto found = call.args.find(arg.name); found != call.args.end()) ordered.emplace_back(arg.name, &found->second);
      for (std::size_t i = 1; arg.variadic && call.args.count(variadic_key(arg.name, i)) != 0; ++i)
        ordered.emplace_back(variadic_key(arg.name, i), &call.args.at(variadic_key(arg.name, i)));
    }
  }
  for (const auto& entry : call.args) {
    const std::string& name = entry.first;  // a plain reference: clang 14 cannot capture a structured binding
    bool listed = std::any_of(ordered.begin(), ordered.end(), [&](const auto& a) { return a.first == name; });
    if (!listed) ordered.emplace_back(name, &entry.second);
  }
  return ordered;
}

// Written as the user most likely did: `delay(20ms)`, `replace("a", "b")` when
// every argument given is a required positional one; `name=value` otherwise.
bool all_positional(const OperatorCall& call, const OperatorSpec* spec) {
  if (spec == nullptr) return false;
  for (const auto& entry : call.args) {
    const std::string& name = entry.first;
    auto arg = std::find_if(spec->args.begin(), spec->args.end(), [&](const auto& a) { return a.name == name; });
    if (arg == spec->args.end() || !arg->required || !arg->positional) return false;
  }
  return true;
}

// An operator with a variadic argument (exec) is written with its positional
// ones bare, as they must be: `exec("sed", "-u", timeout=1s)`.
bool written_bare(const std::string& name, const OperatorSpec* spec) {
  if (spec == nullptr) return false;
  return std::any_of(spec->args.begin(), spec->args.end(), [&](const ArgumentSpec& arg) {
    return arg.positional && (arg.name == name || (arg.variadic && name.rfind(arg.name + ".", 0) == 0));
  });
}

bool has_variadic(const OperatorSpec* spec) {
  return spec != nullptr &&
         std::any_of(spec->args.begin(), spec->args.end(), [](const ArgumentSpec& arg) { return arg.variadic; });
}

}  // namespace

std::string call_text(const OperatorCall& call, const OperatorRegistry& registry) {
  const auto* spec = registry.find(call.name);
  bool bare = all_positional(call, spec);
  bool variadic = has_variadic(spec);
  std::string args;
  for (const auto& [name, value] : ordered_args(call, spec)) {
    if (!args.empty()) args += ", ";
    bool plain = bare || (variadic && written_bare(name, spec));
    args += plain ? to_string(*value) : fmt::format("{}={}", name, to_string(*value));
  }
  return fmt::format("{}({})", call.name, args);
}

std::string chain_text(const Node& node, const OperatorRegistry& registry) {
  std::string text;
  for (const auto& call : node.chain) {
    if (!text.empty()) text += " | ";
    text += call_text(call, registry);
  }
  return text;
}

std::string attribute_text(const Pipeline& pipeline, const Node& node) {
  auto text = fmt::format("{} worker{}", node.workers, node.workers == 1 ? "" : "s");
  if (node.ordered) text += ", ordered";
  if (node.fanout == Fanout::RoundRobin) text += ", round_robin";
  if (node.on_error == OnError::Skip) text += ", on_error=skip";
  // As the file writes the route: the node failed messages go to.
  if (node.on_error == OnError::DeadLetter && node.errors_to)
    text += fmt::format(", on_error={}", pipeline.nodes.at(*node.errors_to).name);
  if (node.deadline) text += fmt::format(", deadline={}", to_string(Value{*node.deadline}));
  return text;
}

std::string edge_text(const Edge& edge) {
  auto capacity = edge.capacity ? fmt::format("{}", *edge.capacity) : std::string("∞");
  auto bytes = edge.max_bytes ? fmt::format(", max {}", to_string(Value{Size{*edge.max_bytes}})) : std::string();
  auto deadline =
      edge.deadline ? fmt::format(", deadline={}", to_string(Value{*edge.deadline})) : std::string();
  return fmt::format("cap {}{}, {}{}", capacity, bytes, to_string(edge.overflow), deadline);
}

std::string route_text(const Pipeline& pipeline, EdgeId id) {
  auto reasons = dead_letter_reasons(pipeline, id);
  if (!pipeline.edges.at(id).dead_letter) return "";
  std::string text = "dead letters:";
  for (std::size_t i = 0; i < reasons.size(); ++i) text += (i == 0 ? " " : ", ") + reasons[i];
  return text;
}

std::string edge_run_text(const EdgeMetrics& metrics, double elapsed_s) {
  std::string text = metrics.capacity ? fmt::format("peak {}/{}", metrics.high_water, *metrics.capacity)
                                      : fmt::format("peak {}", metrics.high_water);
  // A route's count is what it carried: nothing else says how many dead letters there were.
  if (metrics.dead_letter) text = fmt::format("{} carried, {}", metrics.out, text);
  if (metrics.full_s > 0 && elapsed_s > 0) text += fmt::format(", full {}", percent(metrics.full_s / elapsed_s));
  if (metrics.dropped > 0) text += fmt::format(", dropped {}", metrics.dropped);
  if (metrics.expired > 0) text += fmt::format(", expired {}", metrics.expired);
  if (metrics.dead_lettered > 0) text += fmt::format(" ({} routed)", metrics.dead_lettered);
  return text;
}

std::string node_run_text(const NodeMetrics& metrics) {
  auto text = fmt::format("busy {}, {} in / {} out", percent(metrics.busy), metrics.in, metrics.out);
  if (metrics.filtered > 0) text += fmt::format(", {} filtered", metrics.filtered);
  if (metrics.errors > 0) text += fmt::format(", {} errors", metrics.errors);
  if (metrics.expired > 0) text += fmt::format(", {} expired", metrics.expired);
  if (metrics.dead_lettered > 0) text += fmt::format(" ({} routed)", metrics.dead_lettered);
  return text;
}

std::string percent(double fraction) {
  return fmt::format("{:.0f} %", std::max(0.0, fraction * 100.0));
}

std::string rate_text(double per_second) {
  if (!std::isfinite(per_second)) return "unlimited";
  if (per_second >= 100) return fmt::format("{:.0f}", per_second);
  auto text = fmt::format("{:.3g}", per_second);
  return text;
}

namespace {
int channel(double value) { return static_cast<int>(std::lround(std::clamp(value, 0.0, 1.0) * 255.0)); }
}  // namespace

std::string heat_colour(double fraction, bool pale) {
  // Two linear halves: green → yellow (red rises), yellow → red (green falls).
  double f = std::isfinite(fraction) ? std::clamp(fraction, 0.0, 1.0) : 0.0;
  double red = std::min(1.0, 2.0 * f);
  double green = std::min(1.0, 2.0 * (1.0 - f)) * 0.8;
  double blue = 0.0;
  if (pale) {
    // Halfway to white keeps black label text readable on the fill.
    red = (red + 1.0) / 2.0;
    green = (green + 1.0) / 2.0;
    blue = 0.5;
  }
  return fmt::format("#{:02x}{:02x}{:02x}", channel(red), channel(green), channel(blue));
}

const NodeMetrics* find_node_metrics(const RunMetrics& run, const std::string& name) {
  auto found = std::find_if(run.nodes.begin(), run.nodes.end(), [&](const auto& n) { return n.name == name; });
  return found == run.nodes.end() ? nullptr : &*found;
}

const EdgeMetrics* find_edge_metrics(const RunMetrics& run, const std::string& from, const std::string& to) {
  auto found = std::find_if(run.edges.begin(), run.edges.end(),
                            [&](const auto& e) { return e.from == from && e.to == to; });
  return found == run.edges.end() ? nullptr : &*found;
}

const EdgeMetrics* find_edge_metrics(const Pipeline& pipeline, const RunMetrics& run, EdgeId id) {
  const Edge& edge = pipeline.edges.at(id);
  const auto& from = pipeline.nodes.at(edge.from).name;
  const auto& to = pipeline.nodes.at(edge.to).name;
  auto ends = [&](const EdgeMetrics& e) { return e.from == from && e.to == to && e.output == edge.output; };
  // Runs list edges in the pipeline's order: the place decides, whatever else the file says.
  if (id < run.edges.size() && run.edges.size() == pipeline.edges.size() && ends(run.edges[id]))
    return &run.edges[id];
  auto found = std::find_if(run.edges.begin(), run.edges.end(), [&](const EdgeMetrics& e) {
    return ends(e) && e.dead_letter == edge.dead_letter;
  });
  return found == run.edges.end() ? nullptr : &*found;
}

std::string bottleneck_of(const Pipeline& pipeline, const RunMetrics& run) {
  if (!run.bottleneck.node.empty()) return run.bottleneck.node;
  return find_bottleneck(pipeline, run).node;
}

std::string output_text(const Pipeline& pipeline, EdgeId id) {
  const auto& edge = pipeline.edges.at(id);
  if (edge.output.empty()) return "";
  auto condition = output_condition(pipeline.nodes.at(edge.from), edge.output);
  return condition.empty() ? edge.output : fmt::format("{}: {}", edge.output, condition);
}

}  // namespace flow::output
