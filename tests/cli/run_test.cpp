// `flow run`: exit codes, the metrics JSON, --set, --quiet, --duration, a
// failing run and Ctrl-C, run from the outside.
#include <csignal>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "child.hpp"
#include "helpers.hpp"
#include "json_run.hpp"

using flow::test::data;
using flow::test::run_flow;
using flow::test::shell_quote;
using Json = nlohmann::json;
using flow::test::named;
using flow::test::run_with_json;
using namespace std::chrono_literals;

TEST_CASE("run --metrics-json writes the documented keys and names the bottleneck", "[cli]") {
  auto run = run_with_json("slow_process", "--quiet");
  CHECK(run.process.exit_code == 0);
  const auto& m = run.metrics;
  for (const char* key : {"pipeline", "status", "error", "elapsed_s", "peak_rss_bytes", "bottleneck", "nodes",
                          "edges", "sinks"}) {
    CHECK(m.contains(key));
  }
  CHECK(m.at("pipeline") == "slow_process");
  CHECK(m.at("status") == "ok");
  CHECK(m.at("error").is_null());
  CHECK(m.at("bottleneck") == "process");
  for (const char* key : {"name", "kind", "workers", "in", "out", "errors", "busy", "latency_p50_s", "latency_p99_s"}) {
    CHECK(m.at("nodes").at(0).contains(key));
  }
  for (const char* key : {"from", "to", "capacity", "policy", "in", "out", "dropped", "high_water", "blocked_s"}) {
    CHECK(m.at("edges").at(0).contains(key));
  }
  CHECK(named(m.at("sinks"), "store").at("delivered") == 40);
  // Every message took some time: the exact mean is above 0 and at most the largest latency.
  const auto& store = named(m.at("sinks"), "store");
  CHECK(store.at("latency_mean_s").get<double>() > 0);
  CHECK(store.at("latency_mean_s").get<double>() <= store.at("latency_max_s").get<double>());
  CHECK(m.at("latency_mean_s") == store.at("latency_mean_s"));
}

TEST_CASE("run --set changes a source's count", "[cli]") {
  auto run = run_with_json("slow_process", "--quiet --set ingest.count=7");
  CHECK(run.process.exit_code == 0);
  CHECK(named(run.metrics.at("sinks"), "store").at("delivered") == 7);
  CHECK(named(run.metrics.at("nodes"), "ingest").at("out") == 7);
}

TEST_CASE("run prints a summary on standard error with the balance and the bottleneck, and --quiet prints none",
          "[cli]") {
  auto loud = run_flow("run " + shell_quote(data("slow_process")));
  INFO(loud.err);
  CHECK(loud.exit_code == 0);
  // Standard output is the data's: this file's only sink is discard().
  CHECK(loud.out.empty());
  CHECK(loud.err.find("source ingest: produced 40 = delivered 40 + dropped 0 + filtered 0 + errors 0") !=
        std::string::npos);
  CHECK(loud.err.find("bottleneck: process") != std::string::npos);
  CHECK(loud.err.find(" at the sinks, end-to-end latency mean ") != std::string::npos);
  CHECK(loud.err.find("validate -> process") != std::string::npos);
  CHECK(loud.err.find("predicted vs measured") != std::string::npos);
  // The plan's bound for this file: 3 edges × 5 and one message in the hand of
  // validate, process and store; 16 bytes each.
  CHECK(loud.err.find("messages of the plan's 18, ") != std::string::npos);
  CHECK(loud.err.find(" of payload of 288 B\n") != std::string::npos);
  auto quiet = run_flow("run --quiet " + shell_quote(data("slow_process")));
  CHECK(quiet.exit_code == 0);
  CHECK(quiet.out.empty());
  CHECK(quiet.err.empty());
}

TEST_CASE("run --duration stops an endless source, drains and exits 0", "[cli]") {
  auto run = run_with_json("endless", "--quiet --duration 300ms");
  CHECK(run.process.exit_code == 0);
  CHECK(run.metrics.at("status") == "ok");
  CHECK(run.metrics.at("elapsed_s").get<double>() >= 0.3);
  CHECK(run.metrics.at("elapsed_s").get<double>() < 5.0);
  auto delivered = named(run.metrics.at("sinks"), "out").at("delivered").get<std::uint64_t>();
  CHECK(delivered > 0);
  CHECK(named(run.metrics.at("nodes"), "ticks").at("out") == delivered);
}

TEST_CASE("a failing run exits 1 and names the edge that overflowed", "[cli]") {
  auto result = run_flow("run --quiet " + shell_quote(data("overflow")));
  INFO(result.err);
  CHECK(result.exit_code == 1);
  CHECK(result.err.find("s -> k") != std::string::npos);
}

TEST_CASE("a run past --memory-limit fails with exit 1 and says so", "[cli]") {
  // Run as a child with a deadline: a run that never ends must fail this test, not stall the suite.
  flow::test::Child child(FLOW_BINARY, {"run", "--quiet", "--memory-limit", "100B", data("unbounded")});
  int status = child.finish(20s);
  INFO(child.err());
  CHECK(status == 1);
  CHECK(child.err().find("memory") != std::string::npos);
}

TEST_CASE("run of a file with a check error exits 2 without running", "[cli]") {
  auto result = run_flow("run " + shell_quote(data("unknown_node")));
  CHECK(result.exit_code == 2);
  CHECK(result.err.find("error:") != std::string::npos);
  CHECK(result.out.empty());
}

TEST_CASE("SIGINT after the first report drains, prints the summary and exits 130", "[cli]") {
  auto json = flow::test::temp_directory() + "/run.json";
  // Reports and the summary are on standard error: read them there, as they come.
  flow::test::Child child(FLOW_BINARY, {"run", data("endless"), "--report", "100ms", "--metrics-json", json},
                          /*merge_stderr=*/true);
  auto first = child.read_line(20s);
  REQUIRE(first);
  CHECK(first->find("ticks->work") != std::string::npos);
  child.send(SIGINT);
  int status = child.finish(20s);
  INFO(child.out() << child.err());
  CHECK(status == 130);
  CHECK(child.out().find("interrupted") != std::string::npos);
  CHECK(child.out().find("source ticks: produced") != std::string::npos);
  auto metrics = Json::parse(flow::test::read_file(json));
  CHECK(metrics.at("status") == "interrupted");
}

TEST_CASE("with a 50 MB memory limit, 10 MB messages through capacity 1 run under 50 MB of resident memory", "[cli]") {
  auto run = run_with_json("big_payloads", "--quiet --memory-limit 50MB");
  INFO(run.process.err);
  CHECK(run.process.exit_code == 0);
  // Two messages alive at most (plan: edge 1 + the consumer's hand 1): 20 MB of payload.
  CHECK(run.metrics.at("peak_payload_bytes").get<std::uint64_t>() <= 2 * 10'000'000);
  CHECK(run.process.children_peak_rss_bytes < 50'000'000);
}

TEST_CASE("with a 50 MB memory limit, capacity 10 of 10 MB messages fails before memory is spent", "[cli]") {
  auto run = run_flow("run --quiet --memory-limit 50MB " + shell_quote(data("big_payloads_deep")));
  INFO(run.err);
  CHECK(run.exit_code == 1);
  CHECK(run.err.find("memory limit passed: source s would make a message of 10000000 bytes") != std::string::npos);
  // Five messages alive (50 MB) and the source's template: well under the 200 MB
  // that pulling 64 at a time reached before it failed.
  CHECK(run.children_peak_rss_bytes < 100'000'000);
}
