#pragma once
// The knobs' ceilings and the settings made of them, for the search, the
// runner and the tests; the knobs themselves are public (flow/tune.hpp).
#include <cstdint>
#include <vector>

#include "flow/load.hpp"
#include "flow/tune.hpp"

namespace flow::tune {

/// The ceiling of a capacity search: 64 × the file's capacity, at least 64
/// and at most 1,000,000 (a buffer that big is in effect unbounded), unless
/// the file's own is more.
std::uint64_t capacity_ceiling(std::uint64_t now);

/// The ceiling of a workers search: 4 × the file's workers, at least 64.
std::uint64_t workers_ceiling(std::uint64_t now);

/// The file's own setting: every knob at `now`.
Setting now_setting(const std::vector<Knob>& knobs);

/// The most generous setting: every knob at its ceiling.
Setting ceiling_setting(const std::vector<Knob>& knobs);

/// `--set` overrides that give each knob its value in `setting`.
std::vector<Override> overrides_for(const std::vector<Knob>& knobs, const Setting& setting);

}  // namespace flow::tune
