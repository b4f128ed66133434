// `flow tune` from the outside, issue 22's part: the file's own setting that
// meets the goals, the recommendation checked on the real clock before it is
// written, single knobs in --vary and pinned ones in --fix, and goals on rates.
#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <sstream>

#include "helpers.hpp"

using flow::test::data;
using flow::test::read_file;
using flow::test::run_flow;
using flow::test::shell_quote;
using flow::test::temp_directory;
using flow::test::write_file;

namespace {

/// The words of the first line of `text` that starts with `start`; empty when none does.
std::vector<std::string> row_of(const std::string& text, const std::string& start) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with(start)) continue;
    std::istringstream words(line);
    std::vector<std::string> row;
    for (std::string word; words >> word;) row.push_back(word);
    return row;
  }
  return {};
}

std::string file_with(const std::string& name, const std::string& text) {
  auto path = temp_directory() + "/" + name;
  write_file(path, text);
  return path;
}

// A burst of 50 at once into a dropping edge in front of a 5 ms stage: the
// edge keeps `capacity` of them, and the last kept waits for the ones before.
// The larger the edge, the longer the wait: a latency goal is not monotone here.
const char* const kBurst =
    "pipeline own\n"
    "source burst = generate(count=50, burst=50, every=1s)\n"
    "stage  work  = delay(5ms)\n"
    "sink   out   = discard()\n"
    "burst -> work [capacity=CAPACITY, overflow=drop_newest]\n"
    "work -> out\n";

std::string burst_file(int capacity) {
  std::string text = kBurst;
  text.replace(text.find("CAPACITY"), 8, std::to_string(capacity));
  return file_with(fmt::format("burst{}.flow", capacity), text);
}

}  // namespace

TEST_CASE("tune: the file's own setting that meets every goal exits 0, where the ceiling misses",
          "[cli][tune]") {
  // Capacity 4 keeps 4 of the burst: the last waits 4 x 5 ms = 20 ms, within
  // 100 ms. The ceiling (256) keeps all 50: 250 ms, a miss.
  auto own =
      run_flow(fmt::format("tune {} --goal 'latency_max<=100ms' --seeds 1", shell_quote(burst_file(4))));
  INFO(own.out << own.err);
  CHECK(own.exit_code == 0);
  CHECK(row_of(own.out, "edge") ==
        std::vector<std::string>{"edge", "now", "recommended", "latency_max", "one", "below", "latency_max"});
  CHECK(row_of(own.out, "burst -> work") ==
        std::vector<std::string>{"burst", "->", "work", "4", "4", "20.0", "ms", "-", "-"});
  CHECK(own.out.find("nothing to change: the file's own setting meets every goal\n") != std::string::npos);
  CHECK(own.out.find("every goal met on every seed: ") != std::string::npos);
  CHECK(own.err.empty());
  // The same with the setting given by --set, as the file's own: `now` shows it.
  auto set =
      run_flow(fmt::format("tune {} --goal 'latency_max<=100ms' --seeds 1 --set 'burst->work.capacity=4'",
                           shell_quote(burst_file(100))));
  INFO(set.out << set.err);
  CHECK(set.exit_code == 0);
  CHECK(row_of(set.out, "burst -> work").at(3) == "4");
  CHECK(row_of(set.out, "burst -> work").at(4) == "4");
}

TEST_CASE("tune: a recommendation that misses on the real clock is not written, exit 4", "[cli][tune]") {
  // Two messages at once into a sink of two workers spinning 30 ms each: in
  // simulated time they overlap (30 ms); on a pool of one thread the second
  // spins after the first (60 ms), past latency_max<50ms.
  auto file = file_with("spin.flow",
                        "source s = generate(count=2, burst=2, every=1s)\n"
                        "sink   k = spin(30ms) | discard() [workers=2]\n"
                        "s -> k [capacity=4]\n");
  auto out = temp_directory() + "/sized.flow";
  auto tune = run_flow(fmt::format("tune {} --goal 'latency_max<50ms' --seeds 1 --threads 1 --write {}",
                                   shell_quote(file), shell_quote(out)));
  INFO(tune.out << tune.err);
  CHECK(tune.exit_code == 4);
  CHECK(row_of(tune.out, "s -> k") ==
        std::vector<std::string>{"s", "->", "k", "4", "4", "30.0", "ms", "-", "-"});
  auto simulated = row_of(tune.out, "virtual clock (seed 1)");
  CHECK(simulated == std::vector<std::string>{"virtual", "clock", "(seed", "1)", "30.0", "ms"});
  auto real = row_of(tune.out, "real clock");
  REQUIRE(real.size() == 4);
  CHECK(real.back() == "ms*");
  CHECK(std::stod(real.at(2)) >= 60.0);
  CHECK(tune.err.starts_with("flow: error: the recommendation misses latency_max<50ms ("));
  CHECK(tune.err.ends_with(
      fmt::format(" ms) on the real clock ('{}' not written); --no-check skips the check\n", out)));
  CHECK(read_file(out).empty());
  // --no-check writes it, and says it was not checked.
  auto unchecked =
      run_flow(fmt::format("tune {} --goal 'latency_max<50ms' --seeds 1 --threads 1 --no-check --write {}",
                           shell_quote(file), shell_quote(out)));
  CHECK(unchecked.exit_code == 0);
  CHECK(unchecked.out.find("not checked on the real clock (--no-check)\n") != std::string::npos);
  CHECK(read_file(out) == read_file(file));
}

TEST_CASE("tune: a run longer than --check-time is checked on its first part, and says so", "[cli][tune]") {
  // 100 messages 20 ms apart: 1.98 s of simulated time; the check runs 100 ms of it.
  auto file = file_with("long.flow",
                        "source s = generate(count=100, rate=50/s)\n"
                        "sink   k = discard()\n"
                        "s -> k [capacity=4, overflow=drop_newest]\n");
  auto tune =
      run_flow(fmt::format("tune {} --goal 'dropped<1%' --seeds 1 --check-time 100ms", shell_quote(file)));
  INFO(tune.out << tune.err);
  CHECK(tune.exit_code == 0);
  CHECK(tune.out.find(
            "checking on the real clock: one run on seed 1, its first 0.10 s only (a run lasts 1.98 s "
            "on the virtual clock, more than --check-time)\n") != std::string::npos);
  CHECK(
      tune.out.find("the sources were stopped at 0.10 s: the real clock's figures are of that first part") !=
      std::string::npos);
  CHECK(row_of(tune.out, "real clock") == std::vector<std::string>{"real", "clock", "0%"});
  auto zero = run_flow(fmt::format("tune {} --goal 'dropped<1%' --check-time 0s", shell_quote(file)));
  CHECK(zero.exit_code == 2);
  CHECK(zero.err == "flow: error: --check-time: '0s' must be longer than zero\n");
}

TEST_CASE("tune: dropped in % is a share of what was produced", "[cli][tune]") {
  // bursts.flow: a burst of 20 into a dropping edge of 4. At most 20 % of
  // them may drop: the edge must keep 16; at 15 it drops 5 of 20, 25 %.
  auto tune = run_flow(fmt::format("tune {} --goal 'dropped<=20%' --seeds 1", shell_quote(data("bursts"))));
  INFO(tune.out << tune.err);
  CHECK(tune.exit_code == 0);
  CHECK(row_of(tune.out, "requests -> work") ==
        std::vector<std::string>{"requests", "->", "work", "4", "16", "20%", "15", "25%*"});
}

TEST_CASE("tune: --vary takes single knobs and --fix keeps a pool as the file has it", "[cli][tune]") {
  // 16 requests at once; validate takes 10 ms, the database 20 ms with a pool
  // of 8. In simulated time, latency_max<=50ms needs the 16 through validate
  // in at most 3 rounds (6 workers: 10, 20, 30 ms) and a database pool that
  // takes each as it comes: with 6 validating, 8 connections leave two of the
  // second round waiting until 40 ms (done at 60 ms), and 10 do not. With the
  // pool fixed at 8, validate must pass 8 at a time: 10 and 20 ms, done by 50.
  auto file = file_with("service.flow",
                        "pipeline service\n"
                        "source requests = generate(count=16, burst=16, every=1s)\n"
                        "stage  validate = delay(10ms)\n"
                        "stage  db       = delay(20ms) [workers=8]\n"
                        "sink   out      = discard()\n"
                        "requests -> validate -> db -> out [capacity=16]\n");
  auto tune = [&](const std::string& options, const std::string& goal = "latency_max<=50ms") {
    auto result = run_flow(
        fmt::format("tune {} --goal '{}' --seeds 1 --no-check {}", shell_quote(file), goal, options));
    INFO(result.out << result.err);
    CHECK(result.exit_code == 0);
    return result.out;
  };
  auto every = tune("--vary workers");
  CHECK(row_of(every, "validate workers").at(3) == "6");
  CHECK(row_of(every, "db workers").at(3) == "10");
  auto out = temp_directory() + "/fixed.flow";
  auto fixed = tune("--vary workers --fix db.workers --write " + shell_quote(out));
  CHECK(row_of(fixed, "validate workers").at(3) == "8");
  CHECK(row_of(fixed, "db workers").empty());
  CHECK(fixed.find("kept as the file has them (--fix): db workers 8\n") != std::string::npos);
  CHECK(read_file(out).find(
            "stage  validate = delay(10ms) [workers=8]\nstage  db       = delay(20ms) [workers=8]\n") !=
        std::string::npos);
  // One knob alone: nothing else is varied.
  auto single = tune("--vary validate.workers");
  CHECK(row_of(single, "validate workers").at(3) == "8");
  CHECK(row_of(single, "db workers").empty());
  CHECK(row_of(single, "requests -> validate").empty());
  auto edge = tune("--vary 'validate->db.capacity'", "dropped=0");
  CHECK(row_of(edge, "validate -> db").at(3) == "16");
  CHECK(row_of(edge, "requests -> validate").empty());
  // A word that names no knob, under the option that has it.
  auto wrong = run_flow(fmt::format("tune {} --goal dropped=0 --fix dbx.workers", shell_quote(file)));
  CHECK(wrong.exit_code == 2);
  CHECK(wrong.err == "flow: error: --fix: 'dbx.workers': no node 'dbx'; did you mean 'db'?\n");
  auto source = run_flow(fmt::format("tune {} --goal dropped=0 --vary requests.workers", shell_quote(file)));
  CHECK(source.exit_code == 2);
  CHECK(source.err ==
        "flow: error: --vary: 'requests.workers': a source's workers are not varied (its rate or count sets "
        "its "
        "pace)\n");
  auto all =
      run_flow(fmt::format("tune {} --goal dropped=0 --vary db.workers --fix workers", shell_quote(file)));
  CHECK(all.exit_code == 2);
  CHECK(all.err == "flow: error: nothing to vary: --fix pins every knob --vary selects\n");
}
