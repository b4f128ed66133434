#include "flow/tune.hpp"

#include <algorithm>
#include <tuple>

#include "runtime/tune/goals.hpp"

namespace flow::tune {

Trials::Trials(std::vector<Goal> goals, Seeds seeds, RunSetting run)
    : goals_(std::move(goals)), seeds_(seeds), run_(std::move(run)) {}

const Verdict& Trials::judge(const Setting& setting) {
  return run_seeds(setting, true);
}

const Verdict& Trials::measure_all(const Setting& setting) {
  return run_seeds(setting, false);
}

const Verdict& Trials::run_seeds(const Setting& setting, bool stop_at_miss) {
  auto& verdict = tried_[setting];
  if (verdict.worst.empty()) verdict.worst.assign(goals_.size(), 0.0);
  // A later call goes on where an earlier one stopped.
  while (verdict.seeds_run < seeds_.count && !(stop_at_miss && !verdict.meets)) {
    auto measurement = run_(setting, seeds_.first + verdict.seeds_run);
    ++runs_;
    ++verdict.seeds_run;
    add(verdict, measurement);
  }
  return verdict;
}

void Trials::add(Verdict& verdict, const Measurement& measurement) const {
  for (std::size_t goal = 0; goal < goals_.size() && goal < measurement.figures.size(); ++goal) {
    const auto figure = measurement.figures[goal];
    // The first seed's figure starts the worst: 0 would already be the worst `delivered`.
    verdict.worst[goal] =
        verdict.seeds_run == 1 ? figure : worse(goals_[goal].metric, verdict.worst[goal], figure);
    if (!meets(goals_[goal], figure)) verdict.meets = false;
  }
  if (measurement.failure) {
    verdict.meets = false;
    if (!verdict.failure) verdict.failure = measurement.failure;
  }
}

Setting Trials::closest() const {
  Setting best;
  std::tuple<bool, std::size_t, double> best_score{true, 0, 0};
  for (const auto& [setting, verdict] : tried_) {
    std::size_t missed = 0;
    double short_by = 0;
    for (std::size_t goal = 0; goal < goals_.size(); ++goal) {
      auto miss = shortfall(goals_[goal], verdict.worst[goal]);
      missed += miss > 0 ? 1 : 0;
      short_by += miss;
    }
    std::tuple<bool, std::size_t, double> score{verdict.failure.has_value(), missed, short_by};
    if (best.empty() || score < best_score) {
      best = setting;
      best_score = score;
    }
  }
  return best;
}

}  // namespace flow::tune
