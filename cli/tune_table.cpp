#include "cli/tune_table.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <algorithm>

#include "cli/units.hpp"

namespace flow::cli {
namespace {

using Row = std::vector<std::string>;

// The goals' figures of one verdict, each marked `*` where it misses its goal.
// A verdict with a failed run misses every goal (docs/tune.md), whatever
// figures the failed run left: a run that stopped early drops nothing more.
void add_figures(Row& row, const std::vector<tune::Goal>& goals, const tune::Verdict* verdict,
                 bool& any_missed) {
  for (std::size_t goal = 0; goal < goals.size(); ++goal) {
    if (verdict == nullptr) {
      row.push_back("-");
      continue;
    }
    auto figure = verdict->worst[goal];
    bool missed = verdict->failure.has_value() || !tune::meets(goals[goal], figure);
    any_missed = any_missed || missed;
    row.push_back(format_figure(goals[goal].metric, figure) + (missed ? "*" : " "));
  }
}

// Left-aligned first column, the rest right-aligned (a `*` hangs past the digits).
std::string layout(const std::vector<Row>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (c == 0) {
        line += fmt::format("{:<{}}", row[c], widths[c]);
      } else {
        line += fmt::format("  {:>{}}", row[c], widths[c]);
      }
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string goal_list(const std::vector<tune::Goal>& goals) {
  std::vector<std::string> texts;
  for (const auto& goal : goals) texts.push_back(goal.text);
  return fmt::format("{}", fmt::join(texts, ", "));
}

Row header(const std::vector<tune::Knob>& knobs, const std::vector<tune::Goal>& goals, bool met) {
  bool only_edges = std::all_of(knobs.begin(), knobs.end(),
                                [](const tune::Knob& k) { return k.kind == tune::Knob::Kind::Capacity; });
  Row row{only_edges ? "edge" : "edge or node", "now", met ? "recommended" : "closest"};
  for (const auto& goal : goals) row.push_back(std::string(tune::metric_name(goal.metric)) + " ");
  row.push_back("one below");
  for (const auto& goal : goals) row.push_back(std::string(tune::metric_name(goal.metric)) + " ");
  return row;
}

}  // namespace

std::string format_figure(tune::Metric metric, double figure) {
  switch (tune::metric_unit(metric)) {
    case tune::Unit::Messages:
      return fmt::format("{:.0f}", figure);
    case tune::Unit::Seconds:
      return format_seconds(figure);
    case tune::Unit::Bytes:
      return format_bytes(static_cast<std::uint64_t>(figure));
    case tune::Unit::Percent:
      // Enough digits to tell 0.1% from a figure just past it.
      return fmt::format("{:.3g}%", figure);
  }
  return "";
}

namespace {

// Lines under the table: what was kept as the file has it, and why.
std::string kept_notes(const TuneReport& report) {
  std::string out;
  if (!report.below_file) {
    out += "nothing goes below the file's value: no memory goal (peak_messages, peak_bytes) asks for less\n";
  }
  if (!report.fixed.empty()) {
    std::vector<std::string> pinned;
    for (const auto& knob : report.fixed) pinned.push_back(fmt::format("{} {}", knob.label, knob.now));
    out += fmt::format("kept as the file has them (--fix): {}\n", fmt::join(pinned, ", "));
  }
  return out;
}

std::string failed_runs(const TuneReport& report) {
  const auto& result = report.result;
  std::string out;
  if (result.at_setting.failure) out += fmt::format("a run failed there: {}\n", *result.at_setting.failure);
  for (std::size_t k = 0; k < report.knobs.size(); ++k) {
    const auto& below = result.one_below[k];
    if (below && below->failure) {
      out += fmt::format("with {} at {} a run failed: {}\n", report.knobs[k].label, result.setting[k] - 1,
                         *below->failure);
    }
  }
  return out;
}

std::string seed_list(tune::Seeds seeds) {
  return seeds.count == 1
             ? fmt::format("seed {}", seeds.first)
             : fmt::format("worst of seeds {} to {}", seeds.first, seeds.first + seeds.count - 1);
}

}  // namespace

std::string render_tune(const TuneReport& report) {
  const auto& [knobs, fixed, goals, seeds, clock, below_file, result] = report;
  std::string out =
      fmt::format("goals {}; {}; {} clock\n\n", goal_list(goals), seed_list(seeds), to_string(clock));
  std::vector<Row> rows{header(knobs, goals, result.met)};
  bool any_missed = false;
  for (std::size_t k = 0; k < knobs.size(); ++k) {
    Row row{knobs[k].label, fmt::format("{}", knobs[k].now), fmt::format("{}", result.setting[k])};
    add_figures(row, goals, &result.at_setting, any_missed);
    const auto& below = result.one_below[k];
    row.push_back(below ? fmt::format("{}", result.setting[k] - 1) : std::string("-"));
    add_figures(row, goals, below ? &*below : nullptr, any_missed);
    rows.push_back(std::move(row));
  }
  out += layout(rows) + "\n";
  if (any_missed) out += "* misses its goal\n";
  out += failed_runs(report) + kept_notes(report);
  bool unchanged = true;
  for (std::size_t k = 0; k < knobs.size(); ++k) unchanged = unchanged && result.setting[k] == knobs[k].now;
  if (result.met && unchanged) {
    out += "nothing to change: the file's own setting meets every goal\n";
  }
  out += fmt::format(
      "{}: {} runs of {} settings (a setting stops at its first seed that misses a goal)\n",
      result.met ? "every goal met on every seed" : "no setting up to the ceilings meets every goal",
      result.runs, result.settings);
  return out;
}

std::string render_check(const TuneReport& report, const tune::RealCheckPlan& plan,
                         const tune::RealCheck& check) {
  const auto& goals = report.goals;
  std::string out = "\n";
  Row head{""};
  for (const auto& goal : goals) head.push_back(std::string(tune::metric_name(goal.metric)) + " ");
  bool any_missed = false;
  Row simulated{fmt::format("virtual clock ({})", seed_list(report.seeds))};
  add_figures(simulated, goals, &report.result.at_setting, any_missed);
  Row real{"real clock"};
  tune::Verdict measured{check.measured.figures, check.measured.failure, 1, check.meets};
  add_figures(real, goals, &measured, any_missed);
  out += layout({head, simulated, real}) + "\n";
  if (any_missed) out += "* misses its goal\n";
  if (check.measured.failure) out += fmt::format("the run failed: {}\n", *check.measured.failure);
  if (check.cut) {
    out += fmt::format(
        "the sources were stopped at {:.2f} s: the real clock's figures are of that first part, a count "
        "(dropped<=N) of a part only\n",
        plan.limit_s);
  }
  out += fmt::format("{} on the real clock (the run took {:.2f} s)\n",
                     check.meets ? "every goal met" : "the recommendation misses a goal", check.elapsed_s);
  return out;
}

}  // namespace flow::cli
