// Every example in examples/ is checked, drawn, run, and its behaviour asserted
// from the metrics JSON against what the seed's tokio programs do.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <algorithm>
#include <optional>
#include <sstream>

#include "process.hpp"

namespace {

using flow::test::run_command;
using flow::test::shell_quote;
using Json = nlohmann::json;
namespace fs = std::filesystem;

std::string example(const std::string& name) { return fmt::format("{}/examples/{}.flow", FLOW_SOURCE_DIR, name); }

std::vector<std::string> all_examples() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(fs::path(FLOW_SOURCE_DIR) / "examples")) {
    if (entry.path().extension() == ".flow") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

struct Run {
  flow::test::ProcessResult process;
  Json metrics;
};

// Runs an example from the repository root (its relative paths point there).
Run run_example(const std::string& name, const std::string& extra = "") {
  auto json_path = flow::test::temp_directory() + "/run.json";
  auto command = fmt::format("{} run {} --metrics-json {} {}", FLOW_BINARY, shell_quote(example(name)),
                             shell_quote(json_path), extra);
  Run run{run_command(command, FLOW_SOURCE_DIR), {}};
  INFO(run.process.out << run.process.err);
  REQUIRE(run.process.exit_code == 0);
  run.metrics = Json::parse(flow::test::read_file(json_path));
  return run;
}

const Json& named(const Json& list, const std::string& key, const std::string& value) {
  for (const auto& item : list) {
    if (item.at(key) == value) return item;
  }
  FAIL("no entry with " << key << " = " << value);
  static Json none;
  return none;
}

const Json& edge(const Json& metrics, const std::string& from, const std::string& to) {
  for (const auto& item : metrics.at("edges")) {
    if (item.at("from") == from && item.at("to") == to) return item;
  }
  FAIL("no edge " << from << " -> " << to);
  static Json none;
  return none;
}

// The plan's bound on messages alive at once, read from `flow plan` (nullopt: unbounded).
std::optional<std::uint64_t> plan_bound(const std::string& name) {
  auto plan = run_command(fmt::format("{} plan {}", FLOW_BINARY, shell_quote(example(name))), FLOW_SOURCE_DIR);
  const std::string key = "messages alive: at most ";
  auto at = plan.out.find(key);
  if (at == std::string::npos) return std::nullopt;
  return std::stoull(plan.out.substr(at + key.size()));
}

// The invariants of every run that did not fail: nothing lost, bounds held,
// never more messages alive at once than `flow plan` says.
void require_invariants(const Json& metrics, const std::string& name) {
  REQUIRE(metrics.at("status") == "ok");
  if (auto bound = plan_bound(name)) CHECK(metrics.at("peak_messages").get<std::uint64_t>() <= *bound);
  for (const auto& e : metrics.at("edges")) {
    INFO(e.dump());
    CHECK(e.at("in").get<std::uint64_t>() == e.at("out").get<std::uint64_t>() + e.at("dropped").get<std::uint64_t>());
    if (!e.at("capacity").is_null()) CHECK(e.at("high_water") <= e.at("capacity"));
  }
  for (const auto& s : metrics.at("sources")) {
    INFO(s.dump());
    CHECK(s.at("produced").get<std::uint64_t>() ==
          s.at("delivered").get<std::uint64_t>() + s.at("dropped").get<std::uint64_t>() +
              s.at("filtered").get<std::uint64_t>() + s.at("errors").get<std::uint64_t>());
  }
}

double elapsed(const Json& metrics) { return metrics.at("elapsed_s").get<double>(); }

}  // namespace

TEST_CASE("every example passes flow check and its DOT renders with Graphviz", "[examples]") {
  auto names = all_examples();
  REQUIRE(names.size() >= 8);
  for (const auto& name : names) {
    INFO(name);
    auto check = run_command(fmt::format("{} check {}", FLOW_BINARY, shell_quote(example(name))));
    CHECK(check.exit_code == 0);
    auto svg = run_command(fmt::format("{} dot {} | dot -Tsvg", FLOW_BINARY, shell_quote(example(name))));
    CHECK(svg.exit_code == 0);
    CHECK(svg.out.find("<svg") != std::string::npos);
  }
}

TEST_CASE("end_to_end stores 100 in about 5.2 s, no edge above 5, p99 the queue in front of process", "[examples]") {
  auto run = run_example("end_to_end", "--quiet");
  require_invariants(run.metrics, "end_to_end");
  CHECK(named(run.metrics.at("sinks"), "name", "store").at("delivered") == 100);
  CHECK(elapsed(run.metrics) == Approx(5.2).margin(0.6));
  for (const auto& e : run.metrics.at("edges")) CHECK(e.at("high_water") <= 5);
  CHECK(edge(run.metrics, "validate", "process").at("high_water") == 5);
  CHECK(run.metrics.at("bottleneck") == "process");
  // Its latency is the queue in front of process, not hidden buffering. A
  // message made once the pipeline is full finds 4 ahead of it on ingest ->
  // validate, 1 in validate's hand, 5 on validate -> process and 1 in process:
  // 11 × 50 ms, then its own 50 ms in process and 20 ms in store: 0.62 s
  // (docs/runtime.md). The histogram's buckets are 19 % wide. A producer that
  // ran a chunk ahead made it 2.95 s.
  auto p99 = run.metrics.at("latency_p99_s").get<double>();
  CHECK(p99 >= 0.62 / 1.19);
  CHECK(p99 <= 0.62 * 1.19);
  CHECK(run.metrics.at("peak_messages").get<std::uint64_t>() >= 5 + 1 + 5 + 1);
}

TEST_CASE("bounded_latency makes about 100 messages in its second, each waiting behind at most 5", "[examples]") {
  auto run = run_example("bounded_latency", "--quiet --duration 1s");
  require_invariants(run.metrics, "bounded_latency");
  // The consumer takes one message per 10 ms: 100 in the second; when the source
  // stops, at most the 5 on the edge and the 1 in the consumer's hand are made
  // and not yet taken. Pulling chunks of 64 regardless of room made 128.
  auto produced = named(run.metrics.at("sources"), "name", "producer").at("produced").get<std::uint64_t>();
  CHECK(produced <= 100 + 5 + 1);
  CHECK(produced >= 80);
  // 4 ahead on the edge and 1 in the consumer, then its own 10 ms: 60 ms, within the 19 % buckets.
  auto p99 = run.metrics.at("latency_p99_s").get<double>();
  CHECK(p99 < 0.1);
  CHECK(p99 >= 0.05 / 1.19);
  CHECK(run.metrics.at("peak_messages") == 5 + 1);  // the plan's bound, reached
}

TEST_CASE("the bounded producer takes about 5.1 s and never holds more than 10", "[examples]") {
  auto run = run_example("bounded", "--quiet");
  require_invariants(run.metrics, "bounded");
  CHECK(elapsed(run.metrics) == Approx(5.1).margin(0.6));
  const auto& held = edge(run.metrics, "producer", "consumer");
  CHECK(held.at("high_water") == 10);
  CHECK(held.at("blocked_s").get<double>() > 3.0);
  CHECK(named(run.metrics.at("sinks"), "name", "consumer").at("delivered") == 50);
}

TEST_CASE("the unbounded producer never waits and the edge holds almost everything", "[examples]") {
  auto run = run_example("unbounded", "--quiet");
  require_invariants(run.metrics, "unbounded");
  const auto& held = edge(run.metrics, "producer", "consumer");
  CHECK(held.at("capacity").is_null());
  CHECK(held.at("high_water") >= 45);
  CHECK(held.at("blocked_s").get<double>() == 0.0);
  CHECK(named(run.metrics.at("sinks"), "name", "consumer").at("delivered") == 50);
}

TEST_CASE("the semaphore runs 20 waits of 200 ms five at a time in about 0.8 s", "[examples]") {
  auto run = run_example("semaphore", "--quiet --threads 2");
  require_invariants(run.metrics, "semaphore");
  // 20 waits five at a time are four waves of 200 ms; a wave that started
  // short (three workers, say) makes five: 1.0 s.
  CHECK(elapsed(run.metrics) >= 0.8);
  CHECK(elapsed(run.metrics) < 0.95);
  CHECK(named(run.metrics.at("sinks"), "name", "done").at("delivered") == 20);
}

TEST_CASE("adaptive batching turns three bursts of 200 into six batches of 100", "[examples]") {
  auto run = run_example("adaptive_batching", "--quiet");
  require_invariants(run.metrics, "adaptive_batching");
  const auto& batcher = named(run.metrics.at("nodes"), "name", "batcher");
  CHECK(batcher.at("in") == 600);
  CHECK(batcher.at("out") == 6);
  CHECK(edge(run.metrics, "batcher", "store").at("in") == 6);
  CHECK(named(run.metrics.at("sinks"), "name", "store").at("delivered") == 600);
}

TEST_CASE("the drop collector sheds about 3,900 of 5,000 and the producer never waits", "[examples]") {
  auto run = run_example("drop_metrics", "--quiet");
  require_invariants(run.metrics, "drop_metrics");
  const auto& shed = edge(run.metrics, "metrics", "collector");
  CHECK(shed.at("dropped").get<double>() == Approx(3900).margin(400));
  CHECK(shed.at("blocked_s").get<double>() == 0.0);
  auto delivered = named(run.metrics.at("sinks"), "name", "collector").at("delivered").get<std::uint64_t>();
  CHECK(delivered + shed.at("dropped").get<std::uint64_t>() == 5000);
}

TEST_CASE("monitoring prints a report line a second naming every edge", "[examples]") {
  auto run = run_example("monitoring");
  require_invariants(run.metrics, "monitoring");
  std::size_t lines = 0;
  std::istringstream out(run.process.out);
  for (std::string line; std::getline(out, line);) {
    if (line.find("ingest->validate") != std::string::npos && line.find("/5") != std::string::npos) ++lines;
  }
  CHECK(lines >= 4);
  CHECK(lines <= 7);
}

TEST_CASE("log_errors keeps the 42 error lines of the sample log, tagged and upper-cased", "[examples]") {
  auto out = flow::test::temp_directory() + "/errors.txt";
  auto run = run_example("log_errors", fmt::format("--quiet --set errors.path={}", shell_quote('"' + out + '"')));
  require_invariants(run.metrics, "log_errors");
  auto text = flow::test::read_file(out);
  std::size_t lines = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line); ++lines) {
    INFO(line);
    CHECK(line.rfind("flow: ", 0) == 0);
    CHECK((line.find("ERROR") != std::string::npos || line.find("FATAL") != std::string::npos));
  }
  CHECK(lines == 42);
  const auto& logs = named(run.metrics.at("sources"), "name", "logs");
  CHECK(logs.at("produced") == 400);
  CHECK(logs.at("filtered") == 358);
}
