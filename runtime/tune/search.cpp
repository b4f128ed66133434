#include "flow/tune.hpp"

#include <algorithm>

#include "runtime/tune/knobs.hpp"

namespace flow::tune {
namespace {

// The least value of knob `k`, not below `floor`, that meets the goals with
// the other knobs as in `setting`, whose own value for `k` meets them. On the
// first pass the knob is at its start, maybe far from its answer; on later
// ones it is usually already least, which one run below it confirms.
std::uint64_t lowest(std::size_t k, std::uint64_t floor, Setting setting, Trials& trials, bool first_pass) {
  auto passes = [&](std::uint64_t value) {
    setting[k] = value;
    return trials.judge(setting).meets;
  };
  floor = std::max<std::uint64_t>(floor, 1);
  std::uint64_t pass = setting[k];
  if (pass <= floor) return pass;
  if (!first_pass) {
    if (!passes(pass - 1)) return pass;
    --pass;
  }
  // Doubling from the floor finds an answer of N in about log2(N / floor)
  // runs, whatever the ceiling; from 1 that is 1, 2, 4, ...
  std::uint64_t fail = floor - 1;
  for (std::uint64_t value = floor; value < pass; value *= 2) {
    if (passes(value)) {
      pass = value;
      break;
    }
    fail = value;
  }
  // Between the last value that missed and the first that met.
  while (pass - fail > 1) {
    auto middle = fail + (pass - fail) / 2;
    if (passes(middle)) {
      pass = middle;
    } else {
      fail = middle;
    }
  }
  return pass;
}

SearchResult finish(const std::vector<Knob>& knobs, Trials& trials, bool met, const Setting& setting) {
  SearchResult result;
  result.met = met;
  result.file_meets = trials.judge(now_setting(knobs)).meets;
  result.setting = setting;
  result.at_setting = trials.measure_all(setting);
  result.one_below.resize(knobs.size());
  for (std::size_t k = 0; met && k < knobs.size(); ++k) {
    if (setting[k] <= knobs[k].floor) continue;
    auto below = setting;
    --below[k];
    result.one_below[k] = trials.measure_all(below);
  }
  result.runs = trials.runs();
  result.settings = trials.settings();
  return result;
}

}  // namespace

SearchResult search(const std::vector<Knob>& knobs, Trials& trials) {
  // The file's own setting first: where it meets the goals nothing needs
  // raising (and a goal that is not monotone, a latency made worse by a
  // larger buffer, cannot hide that it is met).
  auto current = now_setting(knobs);
  if (!trials.judge(current).meets) {
    current = ceiling_setting(knobs);
    // Nothing lower can meet them either; the closest shown is the better of
    // the ceiling and the file's own setting.
    if (!trials.judge(current).meets) return finish(knobs, trials, false, trials.closest());
  }
  for (bool first_pass = true;; first_pass = false) {
    bool changed = false;
    for (std::size_t k = 0; k < knobs.size(); ++k) {
      auto least = lowest(k, knobs[k].floor, current, trials, first_pass);
      if (least != current[k]) changed = true;
      current[k] = least;
    }
    if (!changed) break;
  }
  return finish(knobs, trials, true, current);
}

}  // namespace flow::tune
