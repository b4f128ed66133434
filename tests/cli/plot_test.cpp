// `flow plot` draws what was measured and nothing else, of the edges and the
// stretch of time asked for; `flow run --trace-interval` samples the trace at
// its own interval, whatever --report prints at.
#include <catch2/catch.hpp>
#include <cmath>
#include <regex>
#include <sstream>

#include "cli/plot_svg.hpp"
#include "cli/trace.hpp"
#include "helpers.hpp"

using flow::test::run_flow;
using flow::test::shell_quote;

namespace {

// A trace as `flow run --trace` writes it: edge a->b filled to 100 by the
// first sample at 0.1 s, b->c empty, then each draining; 4 samples.
const std::string trace_csv =
    std::string(flow::cli::trace_header) +
    "\n"
    "0.100,edge,a->b,100,100,0,0,\n0.100,edge,b->c,0,0,0,0,\n0.100,node,b,,0,0,,1.000\n"
    "0.200,edge,a->b,80,100,20,0,\n0.200,edge,b->c,10,20,10,0,\n"
    "0.300,edge,a->b,40,100,60,0,\n0.300,edge,b->c,5,60,55,0,\n"
    "0.400,edge,a->b,0,100,100,0,\n0.400,edge,b->c,0,100,100,0,\n";

// The vertices of each <polyline>, in order, as (x, y) in the SVG's pixels.
std::vector<std::vector<std::pair<double, double>>> polylines(const std::string& svg) {
  std::vector<std::vector<std::pair<double, double>>> lines;
  std::regex polyline(R"re(<polyline [^>]*points="([^"]*)")re");
  for (std::sregex_iterator at(svg.begin(), svg.end(), polyline), end; at != end; ++at) {
    std::istringstream points((*at)[1].str());
    std::vector<std::pair<double, double>> line;
    for (std::string point; points >> point;) {
      auto comma = point.find(',');
      line.emplace_back(std::stod(point.substr(0, comma)), std::stod(point.substr(comma + 1)));
    }
    lines.push_back(line);
  }
  return lines;
}

// The x of a tick label `text` on the time axis.
std::optional<double> tick_x(const std::string& svg, const std::string& text) {
  std::smatch match;
  std::regex tick("<text x=\"([0-9.]+)\" y=\"[0-9.]+\" text-anchor=\"middle\">" + text + "</text>");
  if (!std::regex_search(svg, match, tick)) return std::nullopt;
  return std::stod(match[1]);
}

std::string write_trace(const std::string& csv) {
  auto path = flow::test::temp_directory() + "/trace.csv";
  flow::test::write_file(path, csv);
  return path;
}

}  // namespace

TEST_CASE("flow plot draws a vertex per sample and none at time zero", "[cli]") {
  auto trace = write_trace(trace_csv);
  auto plot = run_flow("plot " + shell_quote(trace));
  INFO(plot.err);
  REQUIRE(plot.exit_code == 0);
  auto lines = polylines(plot.out);
  REQUIRE(lines.size() == 2);
  auto zero = tick_x(plot.out, "0");
  auto tenth = tick_x(plot.out, "0.1");
  REQUIRE(zero);
  REQUIRE(tenth);
  for (const auto& line : lines) {
    CHECK(line.size() == 4);  // the four samples, no made-up (0, 0) before them
    CHECK(line.front().first == Approx(*tenth).margin(0.1));
  }
  // a->b starts full, at the top of its line's range: the highest point drawn.
  CHECK(lines[0].front().second == Approx(std::min(lines[0][1].second, lines[0][0].second)));
}

TEST_CASE("flow plot --edges draws only the edges named, spaced or not", "[cli]") {
  auto trace = write_trace(trace_csv);
  auto plot = run_flow(fmt::format("plot {} --edges 'b -> c'", shell_quote(trace)));
  INFO(plot.err);
  REQUIRE(plot.exit_code == 0);
  CHECK(polylines(plot.out).size() == 1);
  CHECK(plot.out.find(">b-&gt;c</text>") != std::string::npos);
  CHECK(plot.out.find(">a-&gt;b</text>") == std::string::npos);

  auto both = run_flow(fmt::format("plot {} --edges 'b->c,a->b'", shell_quote(trace)));
  CHECK(polylines(both.out).size() == 2);

  auto unknown = run_flow(fmt::format("plot {} --edges 'a->c'", shell_quote(trace)));
  CHECK(unknown.exit_code == 2);
  CHECK_THAT(unknown.err, Catch::Contains("--edges: the trace has no edge 'a->c'; it has a->b, b->c"));
}

TEST_CASE("flow plot --from and --to draw only the samples inside, on an axis that spans them", "[cli]") {
  auto trace = write_trace(trace_csv);
  auto plot = run_flow(fmt::format("plot {} --from 150ms --to 300ms", shell_quote(trace)));
  INFO(plot.err);
  REQUIRE(plot.exit_code == 0);
  auto lines = polylines(plot.out);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].size() == 2);  // 0.2 and 0.3: 0.1 is before --from, 0.4 after --to
  // The axis runs from 0.15 to 0.3: its first tick is 0.15, and 0.3 ends it where the line ends.
  auto first_tick = tick_x(plot.out, "0.15");
  auto last_tick = tick_x(plot.out, "0.3");
  REQUIRE(first_tick);
  REQUIRE(last_tick);
  CHECK_FALSE(tick_x(plot.out, "0.1"));
  CHECK(lines[0].back().first == Approx(*last_tick).margin(0.1));
  CHECK(lines[0].front().first > *first_tick);

  auto lone = run_flow(fmt::format("plot {} --from 0.4s", shell_quote(trace)));
  REQUIRE(lone.exit_code == 0);
  CHECK(flow::test::count(lone.out, "<circle") ==
        2);  // one sample each: a dot, as a line through it shows nothing
}

TEST_CASE("flow plot refuses a window that is empty, backwards or not a time", "[cli]") {
  auto trace = write_trace(trace_csv);
  auto empty = run_flow(fmt::format("plot {} --from 2s", shell_quote(trace)));
  CHECK(empty.exit_code == 2);
  CHECK_THAT(empty.err,
             Catch::Contains("no sample between 2s and the end: the trace runs from 0.1s to 0.4s"));
  auto backwards = run_flow(fmt::format("plot {} --from 300ms --to 200ms", shell_quote(trace)));
  CHECK(backwards.exit_code == 2);
  CHECK_THAT(backwards.err, Catch::Contains("--from 300ms is not before --to 200ms"));
  auto number = run_flow(fmt::format("plot {} --to 3", shell_quote(trace)));
  CHECK(number.exit_code == 2);
  CHECK_THAT(number.err, Catch::Contains("--to: '3' is"));
  CHECK_THAT(number.err, Catch::Contains("expected a duration"));
}

TEST_CASE("select_series keeps the samples inside the window, ends included, and adds none", "[cli]") {
  std::vector<flow::cli::Series> all{{"a->b", {{0.1, 1}, {0.2, 2}, {0.3, 3}}},
                                     {"b->c", {{0.1, 4}, {0.3, 5}}}};
  std::string error;
  auto kept = flow::cli::select_series(all, {}, flow::cli::PlotWindow{0.2, 0.3}, error);
  REQUIRE(kept);
  CHECK((*kept)[0].points == std::vector<std::pair<double, double>>{{0.2, 2}, {0.3, 3}});
  CHECK((*kept)[1].points == std::vector<std::pair<double, double>>{{0.3, 5}});
}

namespace {

// The distinct sample times of a trace, in order.
std::vector<double> sample_times(const std::string& csv) {
  std::vector<double> times;
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);  // the header
  while (std::getline(in, line)) {
    double t = std::stod(line.substr(0, line.find(',')));
    if (times.empty() || times.back() != t) times.push_back(t);
  }
  return times;
}

// drop_metrics on the virtual clock, reports every second, the trace every
// `interval`: the trace's sample times, the report times printed, and the
// run's length.
struct SampledRun {
  std::vector<double> trace_times;
  std::vector<double> report_times;
  double elapsed = 0;
};

SampledRun run_sampled(const std::string& interval) {
  auto dir = flow::test::temp_directory();
  auto run = run_flow(fmt::format(
      "run {} --clock virtual --quiet --report 1s --trace {} --trace-interval {} --metrics-json {}",
      shell_quote(std::string(FLOW_SOURCE_DIR) + "/examples/drop_metrics.flow"),
      shell_quote(dir + "/trace.csv"), interval, shell_quote(dir + "/run.json")));
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  SampledRun sampled;
  sampled.trace_times = sample_times(flow::test::read_file(dir + "/trace.csv"));
  auto json = flow::test::read_file(dir + "/run.json");
  std::smatch match;
  REQUIRE(std::regex_search(json, match, std::regex(R"("elapsed_s": ?([0-9.e+-]+))")));
  sampled.elapsed = std::stod(match[1]);
  auto reports = std::regex(R"(\[(\d+\.\d\d)s\] )");
  std::string printed = run.out + run.err;
  for (std::sregex_iterator it(printed.begin(), printed.end(), reports), end; it != end; ++it)
    sampled.report_times.push_back(std::stod((*it)[1]));
  return sampled;
}

}  // namespace

TEST_CASE("flow run --trace-interval samples the trace at its own interval while --report prints at its",
          "[cli]") {
  // On the virtual clock the intervals are simulated time, so each sample
  // lands on its multiple exactly: every 250ms, and reports every second.
  auto run = run_sampled("250ms");
  const auto& times = run.trace_times;
  double elapsed = run.elapsed;
  REQUIRE(elapsed > 1);
  // 0.25, 0.5, ... up to the end, then the last sample at the end itself.
  auto sampled = static_cast<std::size_t>(std::floor(elapsed / 0.25 + 1e-9));
  REQUIRE(times.size() >= sampled);
  for (std::size_t i = 0; i < sampled; ++i) CHECK(times[i] == Approx(0.25 * static_cast<double>(i + 1)));
  CHECK(times.back() == Approx(elapsed).margin(0.0005));
  CHECK(times.size() <= sampled + 1);
  // The reports stay at the second.
  REQUIRE(run.report_times.size() == static_cast<std::size_t>(std::floor(elapsed)));
  for (std::size_t i = 0; i < run.report_times.size(); ++i)
    CHECK(run.report_times[i] == Approx(static_cast<double>(i + 1)));
}

TEST_CASE("intervals that share only a millisecond are sampled at the shorter, not every millisecond",
          "[cli]") {
  // 1s and 333ms have a greatest common divisor of 1ms: a snapshot of every
  // edge every millisecond. The run takes them at 333ms instead, and each
  // report comes with the first snapshot at or after its second.
  auto run = run_sampled("333ms");
  const auto& times = run.trace_times;
  double elapsed = run.elapsed;
  REQUIRE(elapsed > 1);
  auto sampled = static_cast<std::size_t>(std::floor(elapsed / 0.333 + 1e-9));
  REQUIRE(times.size() >= sampled);
  for (std::size_t i = 0; i < sampled; ++i) CHECK(times[i] == Approx(0.333 * static_cast<double>(i + 1)));
  // The first multiple of 333ms at or after each whole second within the run.
  std::vector<double> expected;
  for (int second = 1;; ++second) {
    double first = std::ceil(second / 0.333 - 1e-9) * 0.333;
    if (first > elapsed) break;
    expected.push_back(std::round(first * 100) / 100);
  }
  REQUIRE(run.report_times.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i)
    CHECK(run.report_times[i] == Approx(expected[i]).margin(0.006));
}

TEST_CASE("flow run --trace-interval needs --trace and a duration", "[cli]") {
  auto alone = run_flow(fmt::format("run {} --trace-interval 50ms", flow::test::data("slow_stage")));
  CHECK(alone.exit_code == 2);
  CHECK_THAT(alone.err, Catch::Contains("--trace-interval requires --trace"));
  auto dir = flow::test::temp_directory();
  auto bad = run_flow(fmt::format("run {} --trace {} --trace-interval fast", flow::test::data("slow_stage"),
                                  shell_quote(dir + "/t.csv")));
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("--trace-interval"));
  CHECK_THAT(bad.err, Catch::Contains("'fast'"));
}
