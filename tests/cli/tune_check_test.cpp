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

TEST_CASE("tune: the file's own setting that meets every goal exits 0, where the ceiling misses", "[cli][tune]") {
  // Capacity 4 keeps 4 of the burst: the last waits 4 x 5 ms = 20 ms, within
  // 100 ms. The ceiling (256) keeps all 50: 250 ms, a miss.
  auto own = run_flow(fmt::format("tune {} --goal 'latency_max<=100ms' --seeds 1", shell_quote(burst_file(4))));
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
  auto set = run_flow(fmt::format("tune {} --goal 'latency_max<=100ms' --seeds 1 --set 'burst->work.capacity=4'",
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
  CHECK(row_of(tune.out, "s -> k") == std::vector<std::string>{"s", "->", "k", "4", "4", "30.0", "ms", "-", "-"});
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
  auto unchecked = run_flow(fmt::format("tune {} --goal 'latency_max<50ms' --seeds 1 --threads 1 --no-check --write {}",
                                        shell_quote(file), shell_quote(out)));
  CHECK(unchecked.exit_code == 0);
  CHECK(unchecked.out.find("not checked on the real clock (--no-check)\n") != std::string::npos);
  CHECK(read_file(out) == read_file(file));
}

TEST_CASE("tune: a run longer than --check-time is checked on its first part, and says so", "[cli][tune]") {
  // 100 messages 20 ms apart: 1.98 s of simulated time; the check runs 100 ms of it.
  auto file = file_with("long.flow",
                        "source s = generate(count=100, every=20ms)\n"
                        "sink   k = discard()\n"
                        "s -> k [capacity=4, overflow=drop_newest]\n");
  auto tune =
      run_flow(fmt::format("tune {} --goal 'dropped<1%' --seeds 1 --check-time 100ms", shell_quote(file)));
  INFO(tune.out << tune.err);
  CHECK(tune.exit_code == 0);
  CHECK(tune.out.find("checking on the real clock: one run on seed 1, its first 0.10 s only (a run lasts 1.98 s "
                      "on the virtual clock, more than --check-time)\n") != std::string::npos);
  CHECK(tune.out.find("the sources were stopped at 0.10 s: the real clock's figures are of that first part") !=
        std::string::npos);
  CHECK(row_of(tune.out, "real clock") == std::vector<std::string>{"real", "clock", "0%"});
  auto zero = run_flow(fmt::format("tune {} --goal 'dropped<1%' --check-time 0s", shell_quote(file)));
  CHECK(zero.exit_code == 2);
  CHECK(zero.err == "flow: error: --check-time: '0s' is not a duration above zero; --no-check skips the check\n");
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
