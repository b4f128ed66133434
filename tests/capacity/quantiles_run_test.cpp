// Quantiles a user can quote (issue 22, item 2), end to end through the `flow`
// binary: a fixed delay(50ms) reads 50.0 ms at p50 and p99 on the virtual
// clock, where every latency is exactly 50 ms, and no less than 50 ms on the
// real clock, where every latency is 50 ms and a little. The old histogram
// read 48.2 ms (the midpoint of its bucket [46.1, 50.3) ms) on both.
#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "process.hpp"

namespace flow::test {
namespace {

using Json = nlohmann::json;

struct Run {
  ProcessResult process;
  Json metrics;
};

/// `count` messages, `rate` a second, through delay(50ms) with enough workers
/// that none waits for another: every latency is the delay.
Run run_delay(int count, int rate, const std::string& clock) {
  auto dir = temp_directory();
  write_file(dir + "/fixed.flow", fmt::format("pipeline fixed\n"
                                              "source ingest = generate(count={}, rate={}/s)\n"
                                              "stage  wait   = delay(50ms) [workers=8]\n"
                                              "sink   store  = discard()\n"
                                              "ingest -> wait -> store\n",
                                              count, rate));
  Run run{run_command(fmt::format("{} run fixed.flow --clock {} --metrics-json run.json", FLOW_BINARY, clock),
                      dir),
          {}};
  INFO(run.process.out << run.process.err);
  REQUIRE(run.process.exit_code == 0);
  run.metrics = Json::parse(read_file(dir + "/run.json"));
  REQUIRE(run.metrics.at("sinks").at(0).at("delivered") == count);
  return run;
}

const Json& node(const Json& metrics, const std::string& name) {
  for (const auto& n : metrics.at("nodes")) {
    if (n.at("name") == name) return n;
  }
  FAIL("no node " << name);
  throw std::logic_error("unreachable");
}

double number(const Json& object, const char* key) {
  return object.at(key).get<double>();
}

}  // namespace

TEST_CASE("delay(50ms) reads 50.0 ms at p50 and p99 on the virtual clock", "[capacity]") {
  // 100 messages are kept exactly; 3,000 go through the buckets, where the
  // clamp to the exact minimum and maximum gives the same 50 ms.
  auto count = GENERATE(100, 3000);
  auto run = run_delay(count, 100, "virtual");
  const auto& m = run.metrics;
  INFO(count << " messages");
  // The end-to-end latency, run-wide and at the sink, and the stage's time per message.
  for (const char* key : {"latency_p50_s", "latency_p99_s", "latency_mean_s", "latency_max_s"}) {
    INFO(key);
    CHECK(number(m, key) == 0.05);
    CHECK(number(m.at("sinks").at(0), key) == 0.05);
  }
  CHECK(number(node(m, "wait"), "latency_p50_s") == 0.05);
  CHECK(number(node(m, "wait"), "latency_p99_s") == 0.05);
  // And the summary prints it so: on the end-to-end line and in the stage's row.
  auto printed = run.process.out + run.process.err;
  CHECK(printed.find("mean 50.0 ms p50 50.0 ms p99 50.0 ms max 50.0 ms") != std::string::npos);
  CHECK(printed.find("50.0 ms   50.0 ms\n") != std::string::npos);
}

TEST_CASE("delay(50ms) reads no less than 50 ms at p50 and p99 on the real clock", "[capacity]") {
  // Every latency is the 50 ms timer plus the time to wake and hand on: the
  // quantiles lie between the exact minimum, at least 50 ms, and the maximum.
  auto run = run_delay(20, 40, "real");
  const auto& m = run.metrics;
  for (const Json* where : {&m, &m.at("sinks").at(0)}) {
    CHECK(number(*where, "latency_p50_s") >= 0.05);
    CHECK(number(*where, "latency_p99_s") >= number(*where, "latency_p50_s"));
    CHECK(number(*where, "latency_p99_s") <= number(*where, "latency_max_s"));
  }
  CHECK(number(node(m, "wait"), "latency_p50_s") >= 0.05);
  CHECK(number(node(m, "wait"), "latency_p99_s") >= 0.05);
}

}  // namespace flow::test
