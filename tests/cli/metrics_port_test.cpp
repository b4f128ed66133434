// `flow run --metrics-port`, run from the outside: /metrics scraped while a
// real run goes on, checked series by series against the pipeline's file
// (tests/cli/data/metered.flow) and by promtool; the port's faults.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <map>
#include <regex>
#include <sstream>
#include <thread>

#include "child.hpp"
#include "helpers.hpp"
#include "http_get.hpp"

using flow::test::Child;
using flow::test::data;
using flow::test::http_get;
using flow::test::run_flow;
using namespace std::chrono_literals;

namespace {

// metered.flow: 40 messages, edges of capacity 5, a sink that takes 50ms.
constexpr double messages = 40;
constexpr double capacity = 5;
constexpr double sink_delay_s = 0.050;
const char* const edges[] = {"ingest -> work", "work -> store"};
const char* const nodes[] = {"ingest", "work", "store"};

using Samples = std::map<std::string, double>;

// `name{labels}` → value, for every sample line (the value follows the last space:
// label values have spaces of their own, "ingest -> work").
Samples samples_of(const std::string& body) {
  Samples samples;
  std::istringstream lines(body);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#') continue;
    auto space = line.rfind(' ');
    samples[line.substr(0, space)] = std::strtod(line.c_str() + space + 1, nullptr);  // reads +Inf too
  }
  return samples;
}

std::string edge_series(const char* family, const char* edge) {
  return fmt::format("{}{{pipeline=\"metered\",edge=\"{}\"}}", family, edge);
}
std::string node_series(const char* family, const char* node) {
  return fmt::format("{}{{pipeline=\"metered\",node=\"{}\"}}", family, node);
}
std::string latency_bucket(const char* le) {
  return fmt::format("flow_sink_latency_seconds_bucket{{pipeline=\"metered\",sink=\"store\",le=\"{}\"}}", le);
}
const std::string elapsed = "flow_run_elapsed_seconds{pipeline=\"metered\"}";

// The port from `flow: metrics at http://127.0.0.1:PORT/metrics`, the first thing flow says.
int served_port(Child& child) {
  static const std::regex url(R"(flow: metrics at http://127\.0\.0\.1:(\d+)/metrics)");
  auto line = child.read_line(10s);
  REQUIRE(line);
  std::smatch match;
  REQUIRE(std::regex_match(*line, match, url));
  return std::stoi(match[1]);
}

Samples scrape(int port) {
  auto reply = http_get(port, "/metrics");
  REQUIRE(reply);
  REQUIRE(reply->status == 200);
  return samples_of(reply->body);
}

void check_promtool_accepts(const std::string& body) {
  auto path = flow::test::temp_directory() + "/scrape.txt";
  flow::test::write_file(path, body);
  auto checked =
      flow::test::run_command(fmt::format("promtool check metrics < {}", flow::test::shell_quote(path)));
  INFO("promtool (Debian's prometheus package, scripts/setup.sh) said: " << checked.out << checked.err);
  CHECK(checked.exit_code == 0);
}

}  // namespace

TEST_CASE("flow run --metrics-port 0 serves every edge, node and sink series during the run",
          "[cli][prometheus]") {
  Child child(FLOW_BINARY, {"run", data("metered"), "--metrics-port", "0", "--report", "100ms", "--quiet"},
              /*merge_stderr=*/true);
  int port = served_port(child);
  // A report line is printed just before its snapshot goes to the endpoint,
  // so once the fifth line is out the fourth snapshot, 0.4 s in, is served.
  for (int lines = 0; lines < 5; ++lines) REQUIRE(child.read_line(10s));
  auto reply = http_get(port, "/metrics");
  REQUIRE(reply);
  CHECK(reply->status == 200);
  CHECK_THAT(reply->headers, Catch::Contains("Content-Type: text/plain; version=0.0.4"));
  auto samples = samples_of(reply->body);
  INFO(reply->body);

  CHECK(samples.at(elapsed) >= 0.4);
  for (const char* edge : edges) {
    INFO(edge);
    CHECK(samples.at(edge_series("flow_edge_capacity", edge)) == capacity);
    CHECK(samples.at(edge_series("flow_edge_held", edge)) <= capacity);
    CHECK(samples.at(edge_series("flow_edge_in_total", edge)) > 0);  // live: the run's numbers, not zeros
    CHECK(samples.at(edge_series("flow_edge_in_total", edge)) <= messages);
    CHECK(samples.at(edge_series("flow_edge_dropped_total", edge)) == 0);  // block edges drop nothing
    CHECK(samples.at(edge_series("flow_edge_blocked_seconds_total", edge)) >= 0);
    CHECK(samples.at(edge_series("flow_edge_blocked_seconds_total", edge)) <= samples.at(elapsed));
  }
  for (const char* node : nodes) {
    INFO(node);
    CHECK(samples.at(node_series("flow_node_busy_seconds_total", node)) >= 0);
    CHECK(samples.at(node_series("flow_node_busy_ratio", node)) <= 1);
    CHECK(samples.at(node_series("flow_node_in_total", node)) <= messages);
    CHECK(samples.at(node_series("flow_node_out_total", node)) <=
          samples.at(node_series("flow_node_in_total", node)));
    CHECK(samples.at(node_series("flow_node_errors_total", node)) == 0);
  }
  // Every latency is at least the sink's 50ms: none at or below 25ms, all below 100 s.
  auto delivered = samples.at("flow_sink_latency_seconds_count{pipeline=\"metered\",sink=\"store\"}");
  CHECK(delivered > 0);
  CHECK(samples.at(latency_bucket("+Inf")) == delivered);
  CHECK(samples.at(latency_bucket("0.025")) == 0);
  CHECK(samples.at(latency_bucket("100")) == delivered);
  CHECK(samples.at("flow_sink_latency_seconds_sum{pipeline=\"metered\",sink=\"store\"}") >=
        delivered * sink_delay_s);
  check_promtool_accepts(reply->body);

  CHECK(child.finish(30s) == 0);  // and flow exits: the server's threads stopped with the run
}

TEST_CASE("without --report the metrics endpoint serves zeros from the start, then a snapshot a second",
          "[cli][prometheus]") {
  Child child(FLOW_BINARY, {"run", data("metered"), "--metrics-port", "0", "--quiet"}, /*merge_stderr=*/true);
  int port = served_port(child);
  // Before the first snapshot every series is there, at zero (the edges' capacities filled in).
  auto first = scrape(port);
  if (first.at(elapsed) == 0) {
    for (const char* edge : edges) {
      CHECK(first.at(edge_series("flow_edge_capacity", edge)) == capacity);
      CHECK(first.at(edge_series("flow_edge_in_total", edge)) == 0);
    }
  }
  // The first snapshot comes a second into the run (polled, with a deadline).
  auto deadline = std::chrono::steady_clock::now() + 20s;
  Samples live = first;
  while (live.at(elapsed) == 0) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(20ms);  // the poll's pace, not a wait for anything
    live = scrape(port);
  }
  CHECK(live.at(elapsed) >= 1.0);
  CHECK(live.at(edge_series("flow_edge_in_total", "ingest -> work")) > 0);
  CHECK(child.finish(30s) == 0);
}

TEST_CASE("flow run --metrics-listen ADDR:PORT serves on that address and says where", "[cli][prometheus]") {
  auto result = run_flow(fmt::format("run {} --metrics-listen 127.0.0.1:0 --quiet", data("slow_stage")));
  CHECK(result.exit_code == 0);
  CHECK(
      std::regex_match(result.err, std::regex(R"(flow: metrics at http://127\.0\.0\.1:[1-9]\d*/metrics\n)")));
}

TEST_CASE("a metrics port in use stops flow run before the run, exit 1", "[cli][prometheus]") {
  flow::test::HeldPort taken;
  auto result = run_flow(fmt::format("run {} --metrics-port {}", data("slow_stage"), taken.port()));
  CHECK(result.exit_code == 1);
  CHECK(result.err ==
        fmt::format("flow: error: metrics: cannot listen on 127.0.0.1:{}: Address already in use\n",
                    taken.port()));
  CHECK(result.out.empty());  // no run, no summary
}

TEST_CASE("a bad metrics port or address is a usage error, exit 2", "[cli][prometheus]") {
  auto too_big = run_flow(fmt::format("run {} --metrics-port 65536", data("slow_stage")));
  CHECK(too_big.exit_code == 2);
  CHECK_THAT(too_big.err, Catch::Contains("--metrics-port: '65536' is not a port"));
  auto no_port = run_flow(fmt::format("run {} --metrics-listen 127.0.0.1", data("slow_stage")));
  CHECK(no_port.exit_code == 2);
  CHECK_THAT(no_port.err, Catch::Contains("--metrics-listen: '127.0.0.1' is not ADDR:PORT"));
  auto both =
      run_flow(fmt::format("run {} --metrics-port 0 --metrics-listen 127.0.0.1:0", data("slow_stage")));
  CHECK(both.exit_code == 2);
  CHECK_THAT(both.err, Catch::Contains("excludes"));
}
