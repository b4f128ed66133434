#pragma once
// The search for the least setting that meets every goal on every seed.
//
// It assumes each goal is monotone in each knob: if a setting meets the goals,
// so does any with a knob raised. Starting from every knob at its ceiling, it
// lowers one knob at a time, the others held, to the least value that still
// meets the goals (doubling up from 1 until one passes, then a binary search
// below it), in the knobs' order, and repeats the pass until a whole pass
// changes nothing. The result is minimal knob by knob: lowering any one knob
// by one misses a goal (the table shows it).
#include <cstdint>
#include <optional>
#include <vector>

#include "runtime/tune/knobs.hpp"
#include "runtime/tune/trials.hpp"

namespace flow::tune {

struct SearchResult {
  bool met = false;    ///< some setting up to the ceilings meets every goal on every seed
  Setting setting;     ///< the recommendation; when !met, the closest setting tried
  Verdict at_setting;  ///< its figures, worst over every seed
  /// Per knob: the figures with that knob one below the recommendation, the
  /// others as recommended (every seed); nullopt where the knob is at 1 or !met.
  std::vector<std::optional<Verdict>> one_below;
  std::uint64_t runs = 0;    ///< pipeline runs, over every setting and seed
  std::size_t settings = 0;  ///< distinct settings tried
};

/// Searches with `trials`, which runs and judges the settings of `knobs`.
SearchResult search(const std::vector<Knob>& knobs, Trials& trials);

}  // namespace flow::tune
