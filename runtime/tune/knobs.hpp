#pragma once
// What `flow tune` may change: the capacity of every bounded edge and, with
// `--vary capacity,workers`, the workers of every node that takes input.
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/check/check.hpp"
#include "flow/model.hpp"
#include "runtime/tune/trials.hpp"

namespace flow::tune {

struct Knob {
  enum class Kind { Capacity, Workers };
  Kind kind = Kind::Capacity;
  std::size_t index = 0;      ///< the EdgeId or NodeId in the pipeline
  std::string target;         ///< as `--set` names it: "a->b" or the node's name
  std::string label;          ///< for the table: "a -> b", "service workers"
  std::uint64_t now = 0;      ///< what the file (with its --set) gives
  std::uint64_t ceiling = 0;  ///< the most the search tries
};

/// Which kinds of knob to vary.
struct Vary {
  bool capacity = true;
  bool workers = false;
};

/// The ceiling of a capacity search: 64 × the file's capacity, at least 64
/// and at most 1,000,000 (a buffer that big is in effect unbounded), unless
/// the file's own is more.
std::uint64_t capacity_ceiling(std::uint64_t now);

/// The ceiling of a workers search: 4 × the file's workers, at least 64.
std::uint64_t workers_ceiling(std::uint64_t now);

/// The knobs of `pipeline`: workers of its stages and sinks first (in node
/// order), then the capacities of its bounded edges (in edge order). An
/// unbounded edge and a source's workers are left alone.
std::vector<Knob> knobs_of(const Pipeline& pipeline, Vary vary);

/// The file's own setting: every knob at `now`.
Setting now_setting(const std::vector<Knob>& knobs);

/// The most generous setting: every knob at its ceiling.
Setting ceiling_setting(const std::vector<Knob>& knobs);

/// `--set` overrides that give each knob its value in `setting`.
std::vector<Override> overrides_for(const std::vector<Knob>& knobs, const Setting& setting);

}  // namespace flow::tune
