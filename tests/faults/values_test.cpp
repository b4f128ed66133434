// Values past what the runtime can represent: `flow` refuses them with exit 2,
// a caret under the value and the limit, instead of overflowing a clock,
// spinning, or dying of bad_alloc (runtime/model/value_limits.hpp).
#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "process.hpp"
#include "sanitized.hpp"

using Catch::Matchers::Contains;
using flow::test::run_command;
using flow::test::sanitized;
using flow::test::temp_directory;
using flow::test::write_file;

namespace {

// `flow ARGS` under a time limit: a hang shows as exit 124, never as a stuck suite.
flow::test::ProcessResult flow_with(const std::string& args, const std::string& directory) {
  return run_command(fmt::format("timeout 20 {} {}", FLOW_BINARY, args), directory);
}

// A directory holding t.flow: a source, the stage `work` given by `stage_line` (line 2), a sink.
std::string pipeline_dir(const std::string& stage_line) {
  auto dir = temp_directory();
  write_file(dir + "/t.flow", "source ingest = generate(count=3)\n" + stage_line +
                                  "\nsink store = discard()\ningest -> work -> store\n");
  return dir;
}

}  // namespace

TEST_CASE("flow check refuses a delay past the clock's range with a caret and the limit", "[faults]") {
  auto result = flow_with("check t.flow", pipeline_dir("stage work = delay(9223372000s)"));
  CHECK(result.exit_code == 2);
  CHECK(
      result.err ==
      "t.flow:2:20: error: 9223372000s is longer than the longest duration flow supports, 8760h (365 days)\n"
      "    stage work = delay(9223372000s)\n"
      "                       ^^^^^^^^^^^\n");
}

TEST_CASE("flow check accepts a delay of exactly the longest duration", "[faults]") {
  auto result = flow_with("check t.flow", pipeline_dir("stage work = delay(8760h)"));
  CHECK(result.exit_code == 0);
  CHECK(result.err.empty());
}

TEST_CASE("a delay of the longest duration waits: now plus a year does not overflow the clock", "[faults]") {
  // Still waiting after two seconds, so `timeout` kills it (exit 137). Not
  // SIGTERM: that drains, and the drain would wait the year.
  auto dir = pipeline_dir("stage work = delay(8760h)");
  auto result = run_command(fmt::format("timeout -s KILL 2 {} run t.flow --quiet", FLOW_BINARY), dir);
  CHECK(result.exit_code == 128 + 9);
}

TEST_CASE("a rate of exactly one message a nanosecond runs and ends", "[faults]") {
  auto dir = temp_directory();
  write_file(dir + "/t.flow",
             "source ingest = generate(count=100000, rate=1/ns)\nsink store = discard()\n"
             "ingest -> store\n");
  auto result = flow_with("run t.flow --quiet", dir);
  CHECK(result.exit_code == 0);
  CHECK(result.err.empty());
}

TEST_CASE("flow run refuses a rate faster than one a nanosecond instead of spinning", "[faults]") {
  auto dir = temp_directory();
  write_file(dir + "/t.flow",
             "source ingest = generate(count=3, rate=1000000000000000/ns)\nsink store = discard()\n"
             "ingest -> store\n");
  auto result = flow_with("run t.flow", dir);
  CHECK(result.exit_code == 2);
  CHECK_THAT(result.err,
             Contains("t.flow:1:40: error: 1e+24/s is faster than the fastest rate flow supports, 1/ns "
                      "(one message a nanosecond)\n"));
}

TEST_CASE("flow run refuses batch(max=1000000000) instead of dying of bad_alloc", "[faults]") {
  auto result = flow_with("run t.flow", pipeline_dir("stage work = batch(max=1000000000)"));
  CHECK(result.exit_code == 2);
  CHECK(result.err ==
        "t.flow:2:24: error: max must be at most 1000000, got 1000000000\n"
        "    stage work = batch(max=1000000000)\n"
        "                           ^^^^^^^^^^\n");
}

TEST_CASE("batch(max=1000000) runs in 64 MiB of address space: it does not reserve its room up front",
          "[faults]") {
  // A reserve of a million messages is about 72 MB: the run would die of bad_alloc.
  if (sanitized) {
    WARN("skipped: a sanitized flow cannot start in 64 MiB of address space");
    return;
  }
  auto dir = pipeline_dir("stage work = batch(max=1000000, within=10ms)");
  auto result = run_command(
      fmt::format("ulimit -v 65536; exec timeout 20 {} run t.flow --quiet --threads 2", FLOW_BINARY), dir);
  CHECK(result.exit_code == 0);
  CHECK(result.err.empty());
}

TEST_CASE("durations and sizes on the command line are held to the same limits", "[faults]") {
  auto dir = pipeline_dir("stage work = delay(1ms)");
  auto duration = flow_with("run t.flow --duration 9000h", dir);
  CHECK(duration.exit_code == 2);
  CHECK(
      duration.err ==
      "flow: error: --duration: 9000h is longer than the longest duration flow supports, 8760h (365 days)\n");
  auto memory = flow_with("run t.flow --memory-limit 2048GiB", dir);
  CHECK(memory.exit_code == 2);
  CHECK(memory.err ==
        "flow: error: --memory-limit: 2048GiB is larger than the largest size flow supports, 1024GiB\n");
  auto nothing = flow_with("run t.flow --memory-limit 0B", dir);
  CHECK(nothing.exit_code == 2);
  CHECK(nothing.err == "flow: error: --memory-limit: '0B' must be more than zero\n");
  auto set = flow_with("run t.flow --set work.duration=9000h", dir);
  CHECK(set.exit_code == 2);
  CHECK(set.err ==
        "t.flow: error: --set work.duration=9000h: 9000h is longer than the longest duration flow supports, "
        "8760h "
        "(365 days)\n");
}

TEST_CASE("flow plan prints a bound past 64 bits as too many to count, not a wrapped number", "[faults]") {
  // Four nested batches of a million: 10^24 messages per batch on the edge out of `work`.
  auto dir = pipeline_dir(
      "stage work = batch(max=1000000, within=1ms) | batch(max=1000000, within=1ms) | "
      "batch(max=1000000, within=1ms) | batch(max=1000000, within=1ms)");
  auto result = flow_with("plan t.flow", dir);
  CHECK(result.exit_code == 0);
  CHECK_THAT(result.out,
             Contains("\n  messages alive: \u2265 18446744073709551615 messages, too many to count ("));
  CHECK_THAT(result.out,
             Contains("\n  payload bytes alive: \u2265 18446744073709551615B, too many to count\n"));
}
