#include "runtime/tune/knobs.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <limits>

#include "flow/diagnostic.hpp"

namespace flow::tune {
namespace {

constexpr std::uint64_t kGrowth = 64;
constexpr std::uint64_t kLeastCeiling = 64;
constexpr std::uint64_t kMostCapacity = 1'000'000;
constexpr std::uint64_t kWorkersGrowth = 4;

}  // namespace

std::uint64_t capacity_ceiling(std::uint64_t now) {
  // Never below the file's own: the search starts where the file already is or above.
  return std::max(now, std::clamp(now * kGrowth, kLeastCeiling, kMostCapacity));
}

std::uint64_t workers_ceiling(std::uint64_t now) {
  auto most = static_cast<std::uint64_t>(std::numeric_limits<int>::max());
  return std::min(std::max(now * kWorkersGrowth, kLeastCeiling), most);
}

namespace {

// Every knob the pipeline has, in knobs_of's order: workers of stages and
// sinks (a source's pace is its rate or count), then bounded edges' capacities.
std::vector<Knob> every_knob(const Pipeline& pipeline, bool below_file) {
  std::vector<Knob> knobs;
  for (NodeId id = 0; id < pipeline.nodes.size(); ++id) {
    const auto& node = pipeline.nodes[id];
    if (node.kind == NodeKind::Source) continue;
    auto now = static_cast<std::uint64_t>(node.workers);
    knobs.push_back({Knob::Kind::Workers, id, node.name, fmt::format("{} workers", node.name), now,
                     workers_ceiling(now), below_file ? 1 : now});
  }
  for (EdgeId id = 0; id < pipeline.edges.size(); ++id) {
    const auto& edge = pipeline.edges[id];
    if (!edge.capacity) continue;
    // As --set names it: `r.errors->k` for an edge from a labeled output (route).
    auto target = fmt::format("{}{}{}->{}", pipeline.nodes[edge.from].name, edge.output.empty() ? "" : ".",
                              edge.output, pipeline.nodes[edge.to].name);
    knobs.push_back({Knob::Kind::Capacity, id, target, pipeline.edge_name(id), *edge.capacity,
                     capacity_ceiling(*edge.capacity), below_file ? 1 : *edge.capacity});
  }
  return knobs;
}

std::string no_node(const Pipeline& pipeline, const std::string& word, const std::string& name) {
  std::vector<std::string> names;
  for (const auto& node : pipeline.nodes) names.push_back(node.name);
  auto close = closest_match(name, names);
  return fmt::format("'{}': no node '{}'{}", word, name,
                     close.empty() ? std::string() : fmt::format("; did you mean '{}'?", close));
}

// Why `word` (NODE.workers, FROM->TO.capacity) names no knob; "" when it does.
std::string why_not_a_knob(const Pipeline& pipeline, const std::string& word) {
  auto dot = word.rfind('.');
  if (dot == std::string::npos) {
    return fmt::format("'{}' is not a knob; expected capacity, workers, NODE.workers or FROM->TO.capacity",
                       word);
  }
  auto target = word.substr(0, dot);
  auto key = word.substr(dot + 1);
  auto arrow = target.find("->");
  if (key == "workers") {
    if (arrow != std::string::npos) return fmt::format("'{}': workers are a node's: NODE.workers", word);
    auto id = pipeline.find_node(target);
    if (!id) return no_node(pipeline, word, target);
    if (pipeline.nodes[*id].kind == NodeKind::Source) {
      return fmt::format("'{}': a source's workers are not varied (its rate or count sets its pace)", word);
    }
    return "";
  }
  if (key != "capacity") {
    return fmt::format("'{}': flow tune varies an edge's capacity and a node's workers, not '{}'", word, key);
  }
  if (arrow == std::string::npos) return fmt::format("'{}': capacity is an edge's: FROM->TO.capacity", word);
  auto leaves = target.substr(0, arrow);
  auto to = target.substr(arrow + 2);
  // `r.errors->k`: the edge from r's output `errors`.
  auto label_dot = leaves.find('.');
  auto from = leaves.substr(0, label_dot);
  auto output = label_dot == std::string::npos ? std::string() : leaves.substr(label_dot + 1);
  for (const auto& name : {from, to}) {
    if (!pipeline.find_node(name)) return no_node(pipeline, word, name);
  }
  for (const auto& edge : pipeline.edges) {
    if (pipeline.nodes[edge.from].name != from || pipeline.nodes[edge.to].name != to || edge.output != output)
      continue;
    return edge.capacity
               ? ""
               : fmt::format("'{}': the edge is unbounded (capacity=unbounded is left alone)", word);
  }
  return fmt::format("'{}': no edge {} -> {}", word, leaves, to);
}

std::string word_of(const Knob& knob) {
  return fmt::format("{}.{}", knob.target, knob.kind == Knob::Kind::Capacity ? "capacity" : "workers");
}

// Whether `words` name `knob`, singly or by its kind.
bool names(const std::vector<std::string>& words, const Knob& knob) {
  const char* kind = knob.kind == Knob::Kind::Capacity ? "capacity" : "workers";
  return std::find(words.begin(), words.end(), kind) != words.end() ||
         std::find(words.begin(), words.end(), word_of(knob)) != words.end();
}

}  // namespace

KnobsRead read_knobs(const Pipeline& pipeline, const Vary& vary) {
  KnobsRead read;
  for (const auto* words : {&vary.knobs, &vary.fixed}) {
    for (const auto& word : *words) {
      if (word == "capacity" || word == "workers") continue;  // every knob of the kind
      auto why = why_not_a_knob(pipeline, word);
      if (!why.empty()) return KnobsRead{{}, {}, std::move(why)};
    }
  }
  for (auto& knob : every_knob(pipeline, vary.below_file)) {
    if (names(vary.fixed, knob)) {
      read.fixed.push_back(std::move(knob));
      continue;
    }
    bool kind = knob.kind == Knob::Kind::Capacity ? vary.capacity : vary.workers;
    if (kind || names(vary.knobs, knob)) read.knobs.push_back(std::move(knob));
  }
  return read;
}

std::vector<Knob> knobs_of(const Pipeline& pipeline, Vary vary) {
  // A word that names no knob selects nothing: read_knobs says why.
  auto keep = [&](std::vector<std::string>& words) {
    std::erase_if(words, [&](const std::string& w) {
      return w != "capacity" && w != "workers" && !why_not_a_knob(pipeline, w).empty();
    });
  };
  keep(vary.knobs);
  keep(vary.fixed);
  return read_knobs(pipeline, vary).knobs;
}

Setting now_setting(const std::vector<Knob>& knobs) {
  Setting setting;
  for (const auto& knob : knobs) setting.push_back(knob.now);
  return setting;
}

Setting ceiling_setting(const std::vector<Knob>& knobs) {
  Setting setting;
  for (const auto& knob : knobs) setting.push_back(knob.ceiling);
  return setting;
}

std::vector<Override> overrides_for(const std::vector<Knob>& knobs, const Setting& setting) {
  std::vector<Override> overrides;
  for (std::size_t k = 0; k < knobs.size() && k < setting.size(); ++k) {
    const char* key = knobs[k].kind == Knob::Kind::Capacity ? "capacity" : "workers";
    overrides.push_back(Override{knobs[k].target, key, fmt::format("{}", setting[k])});
  }
  return overrides;
}

}  // namespace flow::tune
