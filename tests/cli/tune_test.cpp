// `flow tune`, run from the outside: the capacity a burst needs, the table,
// --write, --vary workers, and what a wrong goal or pipeline says.
#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <memory>
#include <sstream>

#include "helpers.hpp"
#include "json_run.hpp"
#include "runtime/check/check.hpp"

using flow::test::data;
using flow::test::read_file;
using flow::test::run_flow;
using flow::test::shell_quote;
using flow::test::temp_directory;
using flow::test::write_file;

namespace {

std::string example(const std::string& name) {
  return fmt::format("{}/examples/{}.flow", FLOW_SOURCE_DIR, name);
}

/// The words of the first line of `text` that starts with `start`.
std::vector<std::string> row_of(const std::string& text, const std::string& start) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with(start)) continue;
    std::istringstream words(line);
    std::vector<std::string> row;
    for (std::string word; words >> word;) row.push_back(word);
    return row;
  }
  FAIL("no line starts with '" << start << "' in:\n" << text);
  return {};
}

flow::Pipeline load_file(const std::string& path) {
  auto source = std::make_shared<flow::SourceFile>(flow::SourceFile{path, read_file(path)});
  auto result = flow::load(source, flow::builtin_operators());
  INFO(flow::render_all(*source, result.diagnostics));
  REQUIRE(result.pipeline);
  return std::move(*result.pipeline);
}

std::int64_t argument(const flow::Pipeline& pipeline, const std::string& node, const std::string& name) {
  return std::get<std::int64_t>(pipeline.nodes.at(*pipeline.find_node(node)).chain.at(0).args.at(name));
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE(
    "tune --goal dropped=0 on the capacity example: one burst's worth, one less drops, the block edge kept",
    "[cli][tune]") {
  // A burst of B offered at once to a drop_newest edge keeps `capacity` of
  // them, so B drops nothing and B - 1 drops one of each burst; the edge is
  // empty again before the next (tests/examples/capacity_example_test.cpp).
  auto as_written = load_file(example("capacity"));
  auto burst = argument(as_written, "requests", "burst");
  auto bursts = argument(as_written, "requests", "count") / burst;
  auto now = *as_written.edges.at(0).capacity;
  auto out = temp_directory() + "/out.flow";
  auto tune = run_flow(
      fmt::format("tune {} --goal dropped=0 --write {}", shell_quote(example("capacity")), shell_quote(out)));
  INFO(tune.out << tune.err);
  REQUIRE(tune.exit_code == 0);
  // Three seeds from the file's own, so a plain run of the written file repeats one.
  CHECK(tune.out.starts_with(fmt::format("goals dropped=0; worst of seeds {} to {}; virtual clock\n",
                                         as_written.seed, as_written.seed + 2)));
  CHECK(row_of(tune.out, "edge") ==
        std::vector<std::string>{"edge", "now", "recommended", "dropped", "one", "below", "dropped"});
  CHECK(row_of(tune.out, "requests -> service") ==
        std::vector<std::string>{"requests", "->", "service", fmt::format("{}", now),
                                 fmt::format("{}", burst), "0", fmt::format("{}", burst - 1),
                                 fmt::format("{}*", bursts)});
  // A block edge never drops, so any capacity meets dropped=0; with no memory
  // goal nothing asks for less than the file's default 256, and it stays.
  CHECK(row_of(tune.out, "service -> store") ==
        std::vector<std::string>{"service", "->", "store", "256", "256", "0", "-", "-"});
  CHECK(tune.out.find("* misses its goal\n") != std::string::npos);
  CHECK(tune.out.find("nothing goes below the file's value: no memory goal (peak_messages, peak_bytes) asks "
                      "for less\n") != std::string::npos);
  CHECK(tune.out.find("every goal met on every seed: ") != std::string::npos);
  // Checked on the real clock before writing: the example's 4 bursts 500 ms
  // apart take 1.5 s and the last burst's service some more.
  auto said = fmt::format("\nchecking on the real clock: one run on seed {}, about ", as_written.seed);
  auto at = tune.out.find(said);
  REQUIRE(at != std::string::npos);
  auto seconds = std::stod(tune.out.substr(at + said.size()));
  CHECK(seconds >= 1.5);
  CHECK(seconds < 2.5);
  CHECK(row_of(tune.out, "real clock") == std::vector<std::string>{"real", "clock", "0"});
  CHECK(tune.out.find("every goal met on the real clock (the run took 1.") != std::string::npos);
  CHECK(tune.out.ends_with(fmt::format("wrote {}\n", out)));

  // The written file is the example with that one value changed, nothing else.
  auto original = read_file(example("capacity"));
  auto expected = replaced(original, fmt::format("requests -> service [capacity={},", now),
                           fmt::format("requests -> service [capacity={},", burst));
  CHECK(read_file(out) == expected);
  auto written = load_file(out);
  CHECK(written.edges.at(0).capacity == static_cast<std::uint64_t>(burst));

  // And a run of it, on its own seed and the virtual clock (one of the runs
  // judged), meets the goal.
  auto json = temp_directory() + "/run.json";
  auto run = run_flow(
      fmt::format("run {} --quiet --clock virtual --metrics-json {}", shell_quote(out), shell_quote(json)));
  REQUIRE(run.exit_code == 0);
  auto metrics = nlohmann::json::parse(read_file(json));
  CHECK(metrics.at("edges").at(0).at("dropped") == 0);
  CHECK(metrics.at("sinks").at(0).at("delivered") == bursts * burst);
}

TEST_CASE("tune --vary capacity,workers: raised as the goals need, lowered only for a memory goal",
          "[cli][tune]") {
  auto out = temp_directory() + "/out.flow";
  auto tune = run_flow(fmt::format("tune {} --goal dropped=0 --vary capacity,workers --seeds 1 --write {}",
                                   shell_quote(data("bursts")), shell_quote(out)));
  INFO(tune.out << tune.err);
  REQUIRE(tune.exit_code == 0);
  CHECK(row_of(tune.out, "edge or node").front() == "edge");
  // Drops happen when the burst is offered, before any worker takes: the edge
  // must hold the whole burst of 20. Nothing else is asked for: the workers
  // and the block edge stay as the file has them.
  CHECK(row_of(tune.out, "work workers") ==
        std::vector<std::string>{"work", "workers", "4", "4", "0", "-", "-"});
  CHECK(row_of(tune.out, "store workers") ==
        std::vector<std::string>{"store", "workers", "1", "1", "0", "-", "-"});
  CHECK(row_of(tune.out, "requests -> work") ==
        std::vector<std::string>{"requests", "->", "work", "4", "20", "0", "19", "1*"});
  CHECK(row_of(tune.out, "work -> store") ==
        std::vector<std::string>{"work", "->", "store", "256", "256", "0", "-", "-"});
  auto expected = replaced(read_file(data("bursts")), "[capacity=4, overflow=drop_newest]",
                           "[capacity=20, overflow=drop_newest]");
  CHECK(read_file(out) == expected);

  // A memory goal asks for less: one worker is enough (the burst is already
  // in the edge), and the block edge needs 1; the fewest workers first.
  auto least = run_flow(fmt::format(
      "tune {} --goal dropped=0 --goal 'peak_messages<=1000' --vary capacity,workers --seeds 1 --write {}",
      shell_quote(data("bursts")), shell_quote(out)));
  INFO(least.out << least.err);
  REQUIRE(least.exit_code == 0);
  CHECK(row_of(least.out, "work workers").at(3) == "1");
  CHECK(row_of(least.out, "requests -> work").at(4) == "20");
  CHECK(row_of(least.out, "work -> store").at(4) == "1");
  CHECK(least.out.find("nothing goes below the file's value") == std::string::npos);
  expected = replaced(expected, "[workers=4]", "[workers=1]");
  expected = replaced(expected, "work -> store\n", "work -> store [capacity=1]\n");
  CHECK(read_file(out) == expected);
}

TEST_CASE("tune: an endless source runs for --duration, on the real clock too", "[cli][tune]") {
  auto tune = run_flow(
      fmt::format("tune {} --goal dropped=0 --duration 30ms --seeds 1", shell_quote(data("endless"))));
  INFO(tune.out << tune.err);
  REQUIRE(tune.exit_code == 0);
  // Block edges never drop: the file's own setting meets the goal.
  CHECK(row_of(tune.out, "ticks -> work") ==
        std::vector<std::string>{"ticks", "->", "work", "4", "4", "0", "-", "-"});
  CHECK(row_of(tune.out, "work -> out") ==
        std::vector<std::string>{"work", "->", "out", "4", "4", "0", "-", "-"});
  CHECK(tune.out.find("nothing to change: the file's own setting meets every goal\n") != std::string::npos);
  // The check's source stops after --duration, well within --check-time.
  CHECK(tune.out.find("checking on the real clock: one run on seed 1, about 0.0") != std::string::npos);
  CHECK(tune.out.find("every goal met on the real clock") != std::string::npos);
}

TEST_CASE("tune: goals no setting meets show the closest and exit 3, writing nothing", "[cli][tune]") {
  auto out = temp_directory() + "/out.flow";
  auto tune = run_flow(
      fmt::format("tune {} --goal 'p99<=1ms' --write {}", shell_quote(data("slow_stage")), shell_quote(out)));
  CHECK(tune.exit_code == 3);
  CHECK(row_of(tune.out, "edge") ==
        std::vector<std::string>{"edge", "now", "closest", "p99", "one", "below", "p99"});
  CHECK(tune.out.find("no setting up to the ceilings meets every goal: ") != std::string::npos);
  CHECK(tune.err ==
        fmt::format("flow: error: no setting up to the ceilings meets every goal on every seed; the "
                    "closest tried is shown ('{}' not written)\n",
                    out));
  CHECK(read_file(out).empty());
}

TEST_CASE("tune: a wrong goal is shown with a caret under what is wrong", "[cli][tune]") {
  struct Case {
    const char* goal;
    const char* message;
    const char* caret;
  };
  for (const auto& c : {
           Case{"p98<=200ms", "unknown goal 'p98'; did you mean 'p99'?", "^^^"},
           Case{"p99>=200ms",
                "expected <=, < or = after 'p99': a goal is a limit that a smaller figure meets (e.g. "
                "p99<=...)",
                "   ^^"},
           Case{"p99<=200", "'200' is an integer, expected a duration such as 200ms", "     ^^^"},
           Case{"peak_bytes<=lots", "'lots' is a name, expected a size such as 64MB", "            ^^^^"},
       }) {
    auto tune = run_flow(fmt::format("tune {} --goal '{}'", shell_quote(data("bursts")), c.goal));
    CHECK(tune.exit_code == 2);
    CHECK(tune.err ==
          fmt::format("flow: error: --goal '{}': {}\n    {}\n    {}\n", c.goal, c.message, c.goal, c.caret));
    CHECK(tune.out.empty());
  }
}

TEST_CASE("tune: what it cannot tune is said before any run", "[cli][tune]") {
  auto stdin_file = run_flow(fmt::format("tune {} --goal dropped=0", shell_quote(data("stdin_lines"))));
  CHECK(stdin_file.exit_code == 2);
  // After the checker's warning about standard input under the virtual clock.
  CHECK(stdin_file.err.ends_with(
      "flow: error: source 'lines' reads standard input, which only the first of tune's runs would see; "
      "tune a copy that reads a file\n"));
  auto endless = run_flow(fmt::format("tune {} --goal dropped=0", shell_quote(data("endless"))));
  CHECK(endless.exit_code == 2);
  CHECK(endless.err ==
        "flow: error: source 'ticks' is endless (generate without count); give --duration so that "
        "each of tune's runs ends\n");
  auto unbounded = run_flow(fmt::format("tune {} --goal dropped=0", shell_quote(data("unbounded"))));
  CHECK(unbounded.exit_code == 2);
  CHECK(unbounded.err.ends_with(
      "flow: error: nothing to vary: every edge is unbounded (capacity=unbounded is left alone)\n"));
}

TEST_CASE("tune: --seeds, --vary and a missing --goal are checked", "[cli][tune]") {
  auto file = shell_quote(data("bursts"));
  auto seeds = run_flow(fmt::format("tune {} --goal dropped=0 --seeds 0", file));
  CHECK(seeds.exit_code == 2);
  CHECK(seeds.err == "flow: error: --seeds: '0' is not a whole number from 1 to 1000\n");
  auto vary = run_flow(fmt::format("tune {} --goal dropped=0 --vary capacity,threads", file));
  CHECK(vary.exit_code == 2);
  CHECK(vary.err ==
        "flow: error: --vary: 'threads' is not a knob; expected capacity, workers, NODE.workers or "
        "FROM->TO.capacity\n");
  auto none = run_flow(fmt::format("tune {}", file));
  CHECK(none.exit_code == 2);
  CHECK(none.err == "flow: error: tune: missing --goal; see 'flow tune --help'\n");
}

TEST_CASE("tune: a --write path that cannot be written exits 1 after the table", "[cli][tune]") {
  auto out = temp_directory() + "/missing/out.flow";
  auto tune = run_flow(fmt::format("tune {} --goal dropped=0 --seeds 1 --write {}",
                                   shell_quote(data("bursts")), shell_quote(out)));
  CHECK(tune.exit_code == 1);
  CHECK(row_of(tune.out, "requests -> work").at(4) == "20");
  CHECK(tune.err == fmt::format("flow: error: cannot write '{}': No such file or directory\n", out));
}

TEST_CASE("tune: one below, a run that failed misses the goal, and the table says why", "[cli][tune]") {
  // bursts.flow with an edge that fails instead of dropping: a burst of 20
  // overflows any capacity below 20, and a failed run drops nothing, so its
  // figure alone (0) would seem to meet dropped=0.
  auto file = temp_directory() + "/failing.flow";
  write_file(file, replaced(read_file(data("bursts")), "overflow=drop_newest", "overflow=fail"));
  auto tune = run_flow(fmt::format("tune {} --goal dropped=0 --seeds 1", shell_quote(file)));
  INFO(tune.out << tune.err);
  REQUIRE(tune.exit_code == 0);
  CHECK(row_of(tune.out, "requests -> work") ==
        std::vector<std::string>{"requests", "->", "work", "4", "20", "0", "19", "0*"});
  CHECK(tune.out.find("* misses its goal\n") != std::string::npos);
  CHECK(tune.out.find(
            "with requests -> work at 19 a run failed: edge requests -> work overflowed: capacity 19, "
            "at 0.00 s\n") != std::string::npos);
}

TEST_CASE("tune: --seeds may not run past the largest seed", "[cli][tune]") {
  // The seeds are the pipeline's own and the ones after it; a seed is a
  // non-negative 64-bit integer, so from the largest one only 1 seed fits.
  auto file = shell_quote(data("bursts"));
  auto past = run_flow(
      fmt::format("tune {} --goal dropped=0 --set pipeline.seed=9223372036854775806 --seeds 3", file));
  CHECK(past.exit_code == 2);
  CHECK(past.out.empty());
  CHECK(
      past.err ==
      "flow: error: --seeds: 3 seeds from the pipeline's seed 9223372036854775806 go past the largest seed, "
      "9223372036854775807\n");
  auto last = run_flow(
      fmt::format("tune {} --goal dropped=0 --set pipeline.seed=9223372036854775806 --seeds 2", file));
  INFO(last.out << last.err);
  CHECK(last.exit_code == 0);
  CHECK(last.out.starts_with(
      "goals dropped=0; worst of seeds 9223372036854775806 to 9223372036854775807; virtual clock\n"));
}

TEST_CASE("tune: a table that cannot reach standard output exits 1 with the reason", "[cli][tune]") {
  auto out = temp_directory() + "/out.flow";
  auto met = run_flow(fmt::format("tune {} --goal dropped=0 --seeds 1 --write {} >/dev/full",
                                  shell_quote(data("bursts")), shell_quote(out)));
  CHECK(met.exit_code == 1);
  CHECK(met.err == "flow: error: cannot write standard output: No space left on device\n");
  // The file asked for is still written: only the table was lost.
  CHECK(read_file(out).find("[capacity=20, overflow=drop_newest]") != std::string::npos);
  // Without --write nothing is printed after the table: the reason is still the device's.
  auto table =
      run_flow(fmt::format("tune {} --goal dropped=0 --seeds 1 >/dev/full", shell_quote(data("bursts"))));
  CHECK(table.exit_code == 1);
  CHECK(table.err == "flow: error: cannot write standard output: No space left on device\n");
  // A goal no setting meets: the output error, then the search's, and 1 rather than 3.
  auto missed =
      run_flow(fmt::format("tune {} --goal 'p99<=1ms' >/dev/full", shell_quote(data("slow_stage"))));
  CHECK(missed.exit_code == 1);
  CHECK(
      missed.err.starts_with("flow: error: cannot write standard output: No space left on device\n"
                             "flow: error: no setting up to the ceilings meets every goal"));
}

TEST_CASE("tune: an endless source that nothing holds back is refused, not run for ever", "[cli][tune]") {
  // endless.flow's source has no rate; behind a block edge the full edge makes
  // it wait while work's delay takes simulated time. Behind a dropping edge
  // nothing ever does: it would make messages at one simulated instant for
  // ever, and --duration would never come.
  auto file = temp_directory() + "/dropping.flow";
  write_file(file, replaced(read_file(data("endless")), "edge [capacity=4]",
                            "edge [capacity=4, overflow=drop_newest]"));
  // Under `timeout`: before the refusal, this run never ended.
  auto refused = flow::test::run_command(
      fmt::format("timeout 60 {} tune {} --goal dropped=0 --duration 30ms", FLOW_BINARY, shell_quote(file)));
  CHECK(refused.exit_code == 2);
  CHECK(refused.out.empty());
  CHECK(
      refused.err ==
      "flow: error: source 'ticks' makes messages without a rate and none of its edges holds it back: on the "
      "virtual clock no time would pass and no run would reach --duration; give it a rate or a count\n");
  // With a rate, time passes between its messages: tune runs it.
  auto paced = temp_directory() + "/paced.flow";
  write_file(paced, replaced(read_file(file), "generate(size=16B)", "generate(size=16B, rate=100/s)"));
  auto tuned =
      run_flow(fmt::format("tune {} --goal dropped=0 --duration 30ms --seeds 1", shell_quote(paced)));
  INFO(tuned.out << tuned.err);
  CHECK(tuned.exit_code == 0);
}
