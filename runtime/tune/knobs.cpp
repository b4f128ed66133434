#include "runtime/tune/knobs.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <limits>

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

std::vector<Knob> knobs_of(const Pipeline& pipeline, Vary vary) {
  std::vector<Knob> knobs;
  if (vary.workers) {
    for (NodeId id = 0; id < pipeline.nodes.size(); ++id) {
      const auto& node = pipeline.nodes[id];
      if (node.kind == NodeKind::Source) continue;
      auto now = static_cast<std::uint64_t>(node.workers);
      knobs.push_back({Knob::Kind::Workers, id, node.name, fmt::format("{} workers", node.name), now,
                       workers_ceiling(now)});
    }
  }
  if (vary.capacity) {
    for (EdgeId id = 0; id < pipeline.edges.size(); ++id) {
      const auto& edge = pipeline.edges[id];
      if (!edge.capacity) continue;
      auto target = fmt::format("{}->{}", pipeline.nodes[edge.from].name, pipeline.nodes[edge.to].name);
      knobs.push_back({Knob::Kind::Capacity, id, target, pipeline.edge_name(id), *edge.capacity,
                       capacity_ceiling(*edge.capacity)});
    }
  }
  return knobs;
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
