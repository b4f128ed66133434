#include "flow/bottleneck.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "flow/model.hpp"
#include "runtime/output/labels.hpp"

namespace flow {
namespace {

// A run's time fraction below which an edge being full is noise (start-up, jitter).
constexpr double kFullFraction = 0.05;
// Nodes whose input was full for nearly as long as the fullest one's are all
// "behind a full edge"; their busy fraction decides between them. Backpressure
// fills every edge upstream of the slow node, so this tolerance must be wide.
constexpr double kFullTolerance = 0.25;
constexpr double kBusyTie = 0.01;

struct Input {
  const EdgeMetrics* edge = nullptr;
  double full = 0;  ///< fraction of the run the edge was full
  double fill = 0;  ///< fill_ratio
};

struct Candidate {
  const NodeMetrics* node = nullptr;
  std::vector<Input> inputs;
  Input best;  ///< the fullest input
  double busy = 0;
};

Input measure(const EdgeMetrics& edge, const NodeMetrics& consumer, const RunMetrics& run) {
  Input input{&edge, 0, fill_ratio(edge, consumer.workers)};
  if (run.elapsed_s > 0) input.full = std::clamp(edge.full_s / run.elapsed_s, 0.0, 1.0);
  // A live snapshot also knows what the edge holds right now.
  if (run.status == RunStatus::Running && edge.capacity && *edge.capacity > 0) {
    input.fill = std::max(input.fill, static_cast<double>(edge.held) / static_cast<double>(*edge.capacity));
  }
  return input;
}

bool fuller(const Input& a, const Input& b) { return a.full != b.full ? a.full > b.full : a.fill > b.fill; }

bool is_full(const Input& input) { return input.full >= kFullFraction || input.fill >= 1.0; }

std::vector<Candidate> candidates_of(const Pipeline& pipeline, const RunMetrics& run) {
  std::vector<Candidate> result;
  auto add = [&](const NodeMetrics* node, const std::vector<const EdgeMetrics*>& edges) {
    if (node == nullptr) return;
    Candidate candidate{node, {}, {}, busy_fraction(*node, run.elapsed_s)};
    for (const auto* edge : edges) {
      if (edge == nullptr) continue;
      candidate.inputs.push_back(measure(*edge, *node, run));
      if (candidate.inputs.size() == 1 || fuller(candidate.inputs.back(), candidate.best))
        candidate.best = candidate.inputs.back();
    }
    result.push_back(std::move(candidate));
  };
  // A dead-letter edge never makes its producer wait (full, it drops): however
  // full it is, it holds no one back, and a node fed only by routes sets no
  // pace of the pipeline's. Neither counts.
  if (!pipeline.nodes.empty()) {
    for (const auto& node : pipeline.nodes) {
      std::vector<const EdgeMetrics*> edges;
      for (auto id : node.inputs)
        if (!pipeline.edges.at(id).dead_letter) edges.push_back(output::find_edge_metrics(pipeline, run, id));
      if (edges.empty() && !node.inputs.empty()) continue;
      add(output::find_node_metrics(run, node.name), edges);
    }
    return result;
  }
  for (const auto& node : run.nodes) {
    std::vector<const EdgeMetrics*> edges;
    bool routed = false;
    for (const auto& edge : run.edges) {
      if (edge.to != node.name) continue;
      if (edge.dead_letter)
        routed = true;
      else
        edges.push_back(&edge);
    }
    if (edges.empty() && routed) continue;
    add(&node, edges);
  }
  return result;
}

std::string workers_busy(const Candidate& c) {
  return fmt::format("{} worker{} busy {}", c.node->workers, c.node->workers == 1 ? "" : "s", output::percent(c.busy));
}

std::string input_text(const Candidate& c) {
  const auto& edge = *c.best.edge;
  auto which = c.inputs.size() > 1 ? fmt::format("its input edge from {}", edge.from) : std::string("its input edge");
  if (!edge.capacity) return fmt::format("{} (unbounded) held up to {}", which, edge.high_water);
  if (c.best.full > 0)
    return fmt::format("{} {}/{} for {} of the run", which, edge.high_water, *edge.capacity,
                       output::percent(c.best.full));
  return fmt::format("{} reached {}/{}", which, edge.high_water, *edge.capacity);
}

// Busiest first; between equally busy nodes the one behind the fuller edge.
const Candidate* busiest(const std::vector<const Candidate*>& pool) {
  const Candidate* best = nullptr;
  for (const auto* c : pool) {
    if (best == nullptr || c->busy > best->busy + kBusyTie ||
        (std::abs(c->busy - best->busy) <= kBusyTie && !c->inputs.empty() && !best->inputs.empty() &&
         fuller(c->best, best->best)))
      best = c;
  }
  return best;
}

}  // namespace

double fill_ratio(const EdgeMetrics& edge, int consumer_workers) {
  if (edge.capacity) {
    if (*edge.capacity == 0) return 0;
    return std::min(1.0, static_cast<double>(edge.high_water) / static_cast<double>(*edge.capacity));
  }
  auto capacity = static_cast<double>(default_capacity(std::max(1, consumer_workers)));
  return std::min(1.0, static_cast<double>(edge.high_water) / capacity);
}

double busy_fraction(const NodeMetrics& node, double elapsed_s) {
  if (node.busy > 0) return node.busy;
  if (node.busy_s <= 0 || elapsed_s <= 0 || node.workers <= 0) return 0;
  return std::min(1.0, node.busy_s / (node.workers * elapsed_s));
}

Bottleneck find_bottleneck(const Pipeline& pipeline, const RunMetrics& run) {
  auto all = candidates_of(pipeline, run);
  double fullest = -1;
  for (const auto& c : all)
    if (!c.inputs.empty() && is_full(c.best)) fullest = std::max(fullest, c.best.full);

  std::vector<const Candidate*> pool;
  for (const auto& c : all) {
    bool behind_full = !c.inputs.empty() && is_full(c.best) && c.best.full >= fullest - kFullTolerance;
    if (fullest < 0 || behind_full) pool.push_back(&c);
  }
  const auto* chosen = busiest(pool);
  if (chosen == nullptr) return {};
  if (fullest < 0) {
    auto pace = chosen->node->kind == NodeKind::Source ? "the source sets the pace" : "no input edge was full";
    return {chosen->node->name, fmt::format("{}, {}", workers_busy(*chosen), pace)};
  }
  return {chosen->node->name, fmt::format("{}, {}", workers_busy(*chosen), input_text(*chosen))};
}

}  // namespace flow
