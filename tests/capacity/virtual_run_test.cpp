// The virtual clock from the command line (issue 10, item 3): the design's
// end-to-end example in simulated time, and long runs in a fraction of it.
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "process.hpp"

namespace flow::test {
namespace {

using Json = nlohmann::json;

struct VirtualRun {
  ProcessResult process;
  Json metrics;
};

VirtualRun run_virtual(const std::string& file, const std::string& extra, const std::string& directory) {
  auto json = temp_directory() + "/run.json";
  auto command = fmt::format("{} run {} --clock virtual --metrics-json {} {}", FLOW_BINARY, shell_quote(file),
                             shell_quote(json), extra);
  VirtualRun run{run_command(command, directory), {}};
  INFO(run.process.out << run.process.err);
  REQUIRE(run.process.exit_code == 0);
  run.metrics = Json::parse(read_file(json));
  REQUIRE(run.metrics.at("clock") == "virtual");
  return run;
}

const Json& edge(const Json& metrics, const std::string& from, const std::string& to) {
  for (const auto& e : metrics.at("edges")) {
    if (e.at("from") == from && e.at("to") == to) return e;
  }
  FAIL("no edge " << from << " -> " << to);
  throw std::logic_error("unreachable");
}

/// Three stages at 1,000 messages a second, with random service times.
const char* const steady_traffic =
    "pipeline steady\n"
    "source ingest   = generate(rate=1000/s, size=16B)\n"
    "stage  validate = delay(exponential(200us))\n"
    "stage  process  = spin(uniform(300us, 900us))\n"
    "sink   store    = delay(100us) | discard()\n"
    "edge [capacity=20]\n"
    "ingest -> validate -> process -> store\n";

void check_steady(const Json& metrics, double seconds) {
  CHECK(metrics.at("elapsed_s").get<double>() == Approx(seconds).margin(1e-6));
  CHECK(metrics.at("sinks").at(0).at("delivered") == static_cast<std::uint64_t>(seconds * 1000));
}

}  // namespace

TEST_CASE("end_to_end on the virtual clock: 5.03 simulated seconds in a small fraction of one", "[capacity]") {
  auto run = run_virtual(fmt::format("{}/examples/end_to_end.flow", FLOW_SOURCE_DIR), "", FLOW_SOURCE_DIR);
  const auto& m = run.metrics;
  // 100 messages through process at 50 ms, plus the first one's 10 ms in
  // validate and the last one's 20 ms in store: exact, nothing else takes time.
  CHECK(m.at("elapsed_s").get<double>() == Approx(5.03).margin(1e-9));
  CHECK(m.at("wall_s").get<double>() < 0.5);
  CHECK(m.at("bottleneck") == "process");
  CHECK(edge(m, "ingest", "validate").at("high_water") == 5);
  CHECK(edge(m, "validate", "process").at("high_water") == 5);
  // Once the pipeline is full a message waits behind 11 others at 50 ms,
  // then 50 ms in process and 20 ms in store (docs/runtime.md): 0.62 s.
  CHECK(m.at("latency_max_s").get<double>() == Approx(0.62).margin(1e-9));
  CHECK(run.process.err.find("ok after 5.03 s simulated (") != std::string::npos);  // the summary
}

TEST_CASE("ten simulated minutes at 1,000 messages a second take a few real seconds", "[capacity]") {
  auto dir = temp_directory();
  write_file(dir + "/steady.flow", steady_traffic);
  auto run = run_virtual("steady.flow", "--duration 10m -q", dir);
  check_steady(run.metrics, 600);
  // At least 60 times faster than real time (the release build: about 600).
  CHECK(run.metrics.at("wall_s").get<double>() < 10);
}

TEST_CASE("an hour at 1,000 messages a second in well under a minute (soak)", "[.soak][capacity]") {
  auto dir = temp_directory();
  write_file(dir + "/steady.flow", steady_traffic);
  auto run = run_virtual("steady.flow", "--duration 1h -q", dir);
  check_steady(run.metrics, 3600);
  CHECK(run.metrics.at("wall_s").get<double>() < 60);
}

}  // namespace flow::test
