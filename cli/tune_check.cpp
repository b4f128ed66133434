#include "cli/tune_check.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <vector>

#include "cli/load.hpp"
#include "cli/output_file.hpp"

namespace flow::cli {
namespace {

// The goals the check missed, as written: "p99<250ms, dropped<0.1%".
std::string missed_goals(const std::vector<tune::Goal>& goals, const tune::RealCheck& check) {
  std::vector<std::string> missed;
  for (std::size_t goal = 0; goal < goals.size(); ++goal) {
    if (check.measured.failure || !tune::meets(goals[goal], check.measured.figures[goal])) {
      missed.push_back(fmt::format("{} ({})", goals[goal].text,
                                   format_figure(goals[goal].metric, check.measured.figures[goal])));
    }
  }
  return fmt::format("{}", fmt::join(missed, ", "));
}

}  // namespace

bool check_real_clock(const TuneReport& report, const tune::RunnerSetup& setup, std::optional<double> limit_s,
                      const std::string& write) {
  if (!limit_s) {
    write_stdout("not checked on the real clock (--no-check)\n");
    return true;
  }
  auto plan = tune::plan_real_check(setup, report.result.setting, report.seeds.first, *limit_s);
  // Said before the run, which takes real time: the table is already out.
  write_stdout(fmt::format("\nchecking on the real clock: one run on seed {}, ", plan.seed));
  write_stdout(plan.cut ? fmt::format("its first {:.2f} s only (a run lasts {:.2f} s on the virtual clock, "
                                      "more than --check-time)\n",
                                      plan.limit_s, plan.simulated_s)
                        : fmt::format("about {:.2f} s\n", plan.simulated_s));
  std::string ignored;
  flush_stdout(ignored);
  auto check = tune::check_on_real_clock(setup, report.result.setting, plan);
  write_stdout(render_check(report, plan, check));
  if (check.meets) return true;
  print_error(fmt::format("the recommendation misses {} on the real clock{}; --no-check skips the check",
                          missed_goals(report.goals, check),
                          write.empty() ? "" : fmt::format(" ('{}' not written)", write)));
  return false;
}

}  // namespace flow::cli
