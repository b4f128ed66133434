#pragma once
// Trying settings: each setting (one value per knob) is run on seeds 1..N and
// judged against every goal, worst over the seeds. Runs are remembered, so the
// search may ask about a setting twice and the table reuse what it measured.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "runtime/tune/goals.hpp"

namespace flow::tune {

/// One value per knob (runtime/tune/knobs.hpp), in the knobs' order.
using Setting = std::vector<std::uint64_t>;

/// What one run measured: a figure per goal, in the goals' order.
struct Measurement {
  std::vector<double> figures;
  std::optional<std::string> failure;  ///< the run failed (an overflow=fail edge, an operator): the error
};

/// Runs the pipeline once with `setting` on the pipeline seed `seed`.
using RunSetting = std::function<Measurement(const Setting& setting, std::uint64_t seed)>;

/// The pipeline seeds every setting runs on: first, first + 1, ... (count of them).
struct Seeds {
  std::uint64_t first = 1;
  std::uint64_t count = 3;
};

/// A setting judged over the seeds run so far.
struct Verdict {
  std::vector<double> worst;           ///< per goal, the worst (largest) figure over the seeds run
  std::optional<std::string> failure;  ///< the first failed run's error
  std::uint64_t seeds_run = 0;
  bool meets = true;  ///< every goal met on every seed run, and no run failed
};

class Trials {
 public:
  Trials(std::vector<Goal> goals, Seeds seeds, RunSetting run);

  /// Whether `setting` meets every goal on every seed. Stops at the first seed
  /// that misses one: the rest cannot make it pass.
  const Verdict& judge(const Setting& setting);

  /// The setting run on every seed, for figures that are the worst of them all.
  const Verdict& measure_all(const Setting& setting);

  /// The setting tried that came closest to the goals: no failed run first,
  /// then the fewest goals missed, then the least shortfall summed over them.
  /// Empty when nothing was tried.
  Setting closest() const;

  const std::vector<Goal>& goals() const { return goals_; }
  Seeds seeds() const { return seeds_; }
  std::uint64_t runs() const { return runs_; }
  std::size_t settings() const { return tried_.size(); }

 private:
  const Verdict& run_seeds(const Setting& setting, bool stop_at_miss);
  void add(Verdict& verdict, const Measurement& measurement) const;

  std::vector<Goal> goals_;
  Seeds seeds_;
  RunSetting run_;
  std::map<Setting, Verdict> tried_;
  std::uint64_t runs_ = 0;
};

}  // namespace flow::tune
