#pragma once
// Made-up runs for testing the search without running pipelines: the figure
// a setting "measures" is a function the test chooses, and every run is counted.
#include <functional>
#include <map>
#include <utility>

#include "flow/tune.hpp"

namespace flow::test {

/// A goal parsed from its text; fails the test when it does not parse.
inline tune::Goal goal(const std::string& text) {
  auto read = tune::parse_goal(text);
  REQUIRE(read.goal);
  return *read.goal;
}

/// Runs that report `figure(setting, seed)` for the one goal, counting how
/// often each (setting, seed) was run.
struct FakeRuns {
  std::function<double(const tune::Setting&, std::uint64_t)> figure;
  std::map<std::pair<tune::Setting, std::uint64_t>, int> runs;

  tune::RunSetting runner() {
    return [this](const tune::Setting& setting, std::uint64_t seed) {
      ++runs[{setting, seed}];
      return tune::Measurement{{figure(setting, seed)}, std::nullopt};
    };
  }
};

/// Drops as a burst of `burst` into an edge of capacity setting[0] would make them.
inline double burst_drops(const tune::Setting& setting, std::uint64_t burst) {
  return setting[0] >= burst ? 0.0 : static_cast<double>(burst - setting[0]);
}

}  // namespace flow::test
