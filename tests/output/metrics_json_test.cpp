#include "flow/metrics_json.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "pipelines.hpp"

using namespace flow;
using namespace flow::test;
using Json = nlohmann::json;

namespace {

// Gives every count and time of `run` its own value, so a value written under
// one key and read back into another field (in for out, p50 for p99) is noticed.
// Times are multiples of 1/64, exact in binary, though the JSON keeps any double.
void make_every_number_distinct(RunMetrics& run) {
  std::uint64_t n = 1000;
  auto count = [&n] { return ++n; };
  auto seconds = [&n] { return static_cast<double>(++n) / 64; };
  run.elapsed_s = seconds();
  run.peak_rss_bytes = count();
  run.peak_messages = count();
  run.peak_payload_bytes = count();
  run.messages_per_s = seconds();
  run.latency_p50_s = seconds();
  run.latency_p99_s = seconds();
  run.latency_mean_s = seconds();
  run.latency_max_s = seconds();
  for (auto& node : run.nodes) {
    node.workers = static_cast<int>(count());
    node.in = count();
    node.out = count();
    node.errors = count();
    node.filtered = count();
    node.busy_s = seconds();
    node.busy = 1.0 / static_cast<double>(count());
    node.latency_p50_s = seconds();
    node.latency_p99_s = seconds();
    node.counts = {{"accepted", count()}, {"rejected", count()}};
    node.expired = count();
    node.dead_lettered = count();
  }
  for (auto& edge : run.edges) {
    edge.in = count();
    edge.out = count();
    edge.dropped = count();
    edge.held = count();
    edge.high_water = count();
    edge.bytes_held = count();
    edge.high_water_bytes = count();
    edge.blocked_s = seconds();
    edge.full_s = seconds();
    edge.expired = count();
    edge.dead_lettered = count();
  }
  for (auto& sink : run.sinks) {
    sink.delivered = count();
    sink.latency_p50_s = seconds();
    sink.latency_p99_s = seconds();
    sink.latency_mean_s = seconds();
    sink.latency_max_s = seconds();
  }
  for (auto& source : run.sources) {
    source.produced = count();
    source.delivered = count();
    source.dropped = count();
    source.filtered = count();
    source.errors = count();
    source.dead_lettered = count();
    source.expired = count();
  }
}

RunMetrics full_run() {
  auto run = end_to_end_run();
  run.bottleneck = {"process", "1 worker busy 98 %, its input edge 5/5 for 92 % of the run"};
  make_every_number_distinct(run);
  run.edges[2].capacity.reset();
  run.edges[2].policy = Overflow::DropOldest;
  run.edges[1].dead_letter = true;
  run.sources[0].expected.reset();
  // A second sink and source, so the lists are compared element by element.
  run.sinks.push_back(SinkMetrics{"audit", 7, 0.125, 0.25, 0.5, 0.1875});
  run.sources.push_back(SourceBalance{"replay", 11, 7, 1, 2, 1, 11});
  return run;
}

// Every field of every element, so the round trip cannot lose one unseen.
void require_same(const RunMetrics& a, const RunMetrics& b) {
  CHECK(a.pipeline == b.pipeline);
  CHECK(a.status == b.status);
  CHECK(a.error == b.error);
  CHECK(a.signal == b.signal);
  CHECK(a.elapsed_s == b.elapsed_s);
  CHECK(a.peak_rss_bytes == b.peak_rss_bytes);
  CHECK(a.peak_messages == b.peak_messages);
  CHECK(a.peak_payload_bytes == b.peak_payload_bytes);
  CHECK(a.messages_per_s == b.messages_per_s);
  CHECK(a.latency_p50_s == b.latency_p50_s);
  CHECK(a.latency_p99_s == b.latency_p99_s);
  CHECK(a.latency_mean_s == b.latency_mean_s);
  CHECK(a.latency_max_s == b.latency_max_s);
  CHECK(a.bottleneck.node == b.bottleneck.node);
  CHECK(a.bottleneck.reason == b.bottleneck.reason);
  REQUIRE(a.nodes.size() == b.nodes.size());
  for (std::size_t i = 0; i < a.nodes.size(); ++i) {
    INFO("nodes[" << i << "]");
    CHECK(a.nodes[i].name == b.nodes[i].name);
    CHECK(a.nodes[i].kind == b.nodes[i].kind);
    CHECK(a.nodes[i].workers == b.nodes[i].workers);
    CHECK(a.nodes[i].in == b.nodes[i].in);
    CHECK(a.nodes[i].out == b.nodes[i].out);
    CHECK(a.nodes[i].filtered == b.nodes[i].filtered);
    CHECK(a.nodes[i].errors == b.nodes[i].errors);
    CHECK(a.nodes[i].busy == b.nodes[i].busy);
    CHECK(a.nodes[i].busy_s == b.nodes[i].busy_s);
    CHECK(a.nodes[i].latency_p50_s == b.nodes[i].latency_p50_s);
    CHECK(a.nodes[i].latency_p99_s == b.nodes[i].latency_p99_s);
    CHECK(a.nodes[i].counts == b.nodes[i].counts);
    CHECK(a.nodes[i].expired == b.nodes[i].expired);
    CHECK(a.nodes[i].dead_lettered == b.nodes[i].dead_lettered);
  }
  REQUIRE(a.edges.size() == b.edges.size());
  for (std::size_t i = 0; i < a.edges.size(); ++i) {
    INFO("edges[" << i << "]");
    CHECK(a.edges[i].from == b.edges[i].from);
    CHECK(a.edges[i].to == b.edges[i].to);
    CHECK(a.edges[i].capacity == b.edges[i].capacity);
    CHECK(a.edges[i].policy == b.edges[i].policy);
    CHECK(a.edges[i].in == b.edges[i].in);
    CHECK(a.edges[i].out == b.edges[i].out);
    CHECK(a.edges[i].dropped == b.edges[i].dropped);
    CHECK(a.edges[i].held == b.edges[i].held);
    CHECK(a.edges[i].high_water == b.edges[i].high_water);
    CHECK(a.edges[i].bytes_held == b.edges[i].bytes_held);
    CHECK(a.edges[i].high_water_bytes == b.edges[i].high_water_bytes);
    CHECK(a.edges[i].full_s == b.edges[i].full_s);
    CHECK(a.edges[i].blocked_s == b.edges[i].blocked_s);
    CHECK(a.edges[i].expired == b.edges[i].expired);
    CHECK(a.edges[i].dead_lettered == b.edges[i].dead_lettered);
    CHECK(a.edges[i].dead_letter == b.edges[i].dead_letter);
  }
  REQUIRE(a.sinks.size() == b.sinks.size());
  for (std::size_t i = 0; i < a.sinks.size(); ++i) {
    INFO("sinks[" << i << "]");
    CHECK(a.sinks[i].name == b.sinks[i].name);
    CHECK(a.sinks[i].delivered == b.sinks[i].delivered);
    CHECK(a.sinks[i].latency_p50_s == b.sinks[i].latency_p50_s);
    CHECK(a.sinks[i].latency_p99_s == b.sinks[i].latency_p99_s);
    CHECK(a.sinks[i].latency_mean_s == b.sinks[i].latency_mean_s);
    CHECK(a.sinks[i].latency_max_s == b.sinks[i].latency_max_s);
  }
  REQUIRE(a.sources.size() == b.sources.size());
  for (std::size_t i = 0; i < a.sources.size(); ++i) {
    INFO("sources[" << i << "]");
    CHECK(a.sources[i].name == b.sources[i].name);
    CHECK(a.sources[i].produced == b.sources[i].produced);
    CHECK(a.sources[i].delivered == b.sources[i].delivered);
    CHECK(a.sources[i].dropped == b.sources[i].dropped);
    CHECK(a.sources[i].filtered == b.sources[i].filtered);
    CHECK(a.sources[i].errors == b.sources[i].errors);
    CHECK(a.sources[i].expected == b.sources[i].expected);
    CHECK(a.sources[i].dead_lettered == b.sources[i].dead_lettered);
    CHECK(a.sources[i].expired == b.sources[i].expired);
  }
}
}  // namespace

TEST_CASE("Metrics JSON holds every documented key", "[output][json]") {
  auto json = Json::parse(to_json(full_run()));
  for (const char* key :
       {"pipeline", "status", "error", "signal", "elapsed_s", "peak_rss_bytes", "peak_messages",
        "peak_payload_bytes", "bottleneck", "bottleneck_reason", "messages_per_s", "latency_p50_s",
        "latency_p99_s", "latency_mean_s", "latency_max_s", "nodes", "edges", "sinks", "sources"})
    CHECK(json.contains(key));
  for (const char* key : {"name", "kind", "workers", "in", "out", "errors", "filtered", "busy", "busy_s",
                          "latency_p50_s", "latency_p99_s", "expired", "dead_lettered"})
    CHECK(json["nodes"][0].contains(key));
  for (const char* key :
       {"from", "to", "capacity", "policy", "in", "out", "dropped", "held", "high_water", "bytes_held",
        "high_water_bytes", "blocked_s", "full_s", "expired", "dead_lettered"})
    CHECK(json["edges"][0].contains(key));
  for (const char* key :
       {"name", "delivered", "latency_p50_s", "latency_p99_s", "latency_mean_s", "latency_max_s"})
    CHECK(json["sinks"][0].contains(key));
  for (const char* key : {"name", "produced", "delivered", "dropped", "filtered", "errors", "expected",
                          "dead_lettered", "expired"})
    CHECK(json["sources"][0].contains(key));
}

TEST_CASE("Metrics JSON writes the values cli.md shows, with null for absent ones", "[output][json]") {
  auto json = Json::parse(to_json(full_run()));
  CHECK(json["pipeline"] == "end_to_end");
  CHECK(json["status"] == "ok");
  CHECK(json["error"].is_null());
  CHECK(json["bottleneck"] == "process");
  CHECK(json["edges"][0]["capacity"] == 5);
  CHECK(json["edges"][2]["capacity"].is_null());
  CHECK(json["edges"][2]["policy"] == "drop_oldest");
  CHECK(json["nodes"][0]["kind"] == "source");
  CHECK(json["sources"][0]["expected"].is_null());

  RunMetrics none;
  auto empty = Json::parse(to_json(none));
  CHECK(empty["status"] == "running");
  CHECK(empty["bottleneck"].is_null());
  CHECK(empty["nodes"].is_array());
  // Nothing delivered: the mean is written as p50 is, a plain 0.
  CHECK(empty["latency_mean_s"] == 0);
  CHECK(empty["latency_mean_s"] == empty["latency_p50_s"]);
}

TEST_CASE("Metrics JSON writes each number under its own key", "[output][json]") {
  // A writer that swapped two keys would read back unchanged through a reader
  // with the same swap: the keys are checked against docs/metrics.md's meaning here.
  auto run = full_run();
  auto json = Json::parse(to_json(run));
  CHECK(json["elapsed_s"] == run.elapsed_s);
  CHECK(json["peak_rss_bytes"] == run.peak_rss_bytes);
  CHECK(json["peak_messages"] == run.peak_messages);
  CHECK(json["peak_payload_bytes"] == run.peak_payload_bytes);
  CHECK(json["messages_per_s"] == run.messages_per_s);
  CHECK(json["latency_p50_s"] == run.latency_p50_s);
  CHECK(json["latency_p99_s"] == run.latency_p99_s);
  CHECK(json["latency_mean_s"] == run.latency_mean_s);
  CHECK(json["latency_max_s"] == run.latency_max_s);
  const auto& node = run.nodes[1];
  const auto& n = json["nodes"][1];
  CHECK(n["workers"] == node.workers);
  CHECK(n["in"] == node.in);
  CHECK(n["out"] == node.out);
  CHECK(n["errors"] == node.errors);
  CHECK(n["filtered"] == node.filtered);
  CHECK(n["busy"] == node.busy);
  CHECK(n["busy_s"] == node.busy_s);
  CHECK(n["latency_p50_s"] == node.latency_p50_s);
  CHECK(n["latency_p99_s"] == node.latency_p99_s);
  CHECK(n["expired"] == node.expired);
  CHECK(n["dead_lettered"] == node.dead_lettered);
  const auto& edge = run.edges[1];
  const auto& e = json["edges"][1];
  CHECK(e["in"] == edge.in);
  CHECK(e["out"] == edge.out);
  CHECK(e["dropped"] == edge.dropped);
  CHECK(e["held"] == edge.held);
  CHECK(e["high_water"] == edge.high_water);
  CHECK(e["bytes_held"] == edge.bytes_held);
  CHECK(e["high_water_bytes"] == edge.high_water_bytes);
  CHECK(e["blocked_s"] == edge.blocked_s);
  CHECK(e["full_s"] == edge.full_s);
  CHECK(e["expired"] == edge.expired);
  CHECK(e["dead_lettered"] == edge.dead_lettered);
  const auto& sink = run.sinks[0];
  const auto& k = json["sinks"][0];
  CHECK(k["delivered"] == sink.delivered);
  CHECK(k["latency_p50_s"] == sink.latency_p50_s);
  CHECK(k["latency_p99_s"] == sink.latency_p99_s);
  CHECK(k["latency_mean_s"] == sink.latency_mean_s);
  CHECK(k["latency_max_s"] == sink.latency_max_s);
  const auto& source = run.sources[1];
  const auto& s = json["sources"][1];
  CHECK(s["produced"] == source.produced);
  CHECK(s["delivered"] == source.delivered);
  CHECK(s["dropped"] == source.dropped);
  CHECK(s["filtered"] == source.filtered);
  CHECK(s["errors"] == source.errors);
  CHECK(s["expected"] == *source.expected);
  CHECK(s["dead_lettered"] == source.dead_lettered);
  CHECK(s["expired"] == source.expired);
}

TEST_CASE("Metrics JSON reads back what it wrote", "[output][json]") {
  auto run = full_run();
  require_same(metrics_from_json(to_json(run)).metrics.value(), run);
  run.status = RunStatus::Failed;
  run.error = "edge a -> b (capacity 5, overflow=fail) overflowed at 1.2 s";
  run.bottleneck = {};
  auto back = metrics_from_json(to_json(run)).metrics.value();
  require_same(back, run);
  CHECK(back.status == RunStatus::Failed);
  run.status = RunStatus::Interrupted;
  run.error.reset();
  run.signal = "SIGTERM";
  require_same(metrics_from_json(to_json(run)).metrics.value(), run);
}

TEST_CASE("Metrics JSON writes a source's own counts in its order, and only where there are some",
          "[output][json]") {
  auto run = full_run();
  run.nodes[0].counts = {{"rejected", 3}, {"accepted", 7}};
  run.nodes[1].counts.clear();
  auto json = Json::parse(to_json(run));
  const auto& counts = json["nodes"][0]["counts"];
  REQUIRE(counts.is_object());
  CHECK(counts["rejected"] == 3);
  CHECK(counts["accepted"] == 7);
  CHECK_FALSE(json["nodes"][1].contains("counts"));
  auto back = metrics_from_json(to_json(run)).metrics.value();
  CHECK(back.nodes[0].counts == run.nodes[0].counts);
}

TEST_CASE("Metrics JSON survives invalid UTF-8 in an error line", "[output][json]") {
  auto run = full_run();
  run.error = std::string("bad \xff byte");
  auto back = metrics_from_json(to_json(run)).metrics.value();
  REQUIRE(back.error);
  CHECK(back.error->find("bad ") == 0);
}

TEST_CASE("Metrics JSON reading names the offending key on bad input", "[output][json]") {
  auto good = Json::parse(to_json(full_run()));
  auto message_for = [](const std::string& text) {
    auto read = metrics_from_json(text);
    if (read.metrics) return std::string("no error");
    REQUIRE(read.diagnostics.size() == 1);
    return read.diagnostics.front().message;
  };
  CHECK(message_for("{ not json").rfind("metrics JSON: not valid JSON:", 0) == 0);
  CHECK(message_for("[1, 2]") == "metrics JSON: top level: expected an object, got array");

  auto without_edges = good;
  without_edges.erase("edges");
  CHECK(message_for(without_edges.dump()) == "metrics JSON: edges: missing");

  auto bad_capacity = good;
  bad_capacity["edges"][1]["capacity"] = "five";
  CHECK(message_for(bad_capacity.dump()) ==
        "metrics JSON: edges[1].capacity: expected an integer >= 0 or null, got \"five\"");

  auto bad_status = good;
  bad_status["status"] = "done";
  CHECK(message_for(bad_status.dump()) ==
        "metrics JSON: status: unknown value 'done'; expected one of ok, failed, interrupted, broken_pipe, "
        "running");

  auto negative = good;
  negative["nodes"][2]["in"] = -1;
  CHECK(message_for(negative.dump()) ==
        "metrics JSON: nodes[2].in: expected a count (an integer >= 0), got -1");

  auto no_name = good;
  no_name["sinks"][0].erase("name");
  CHECK(message_for(no_name.dump()) == "metrics JSON: sinks[0].name: missing");
}

TEST_CASE("Metrics JSON reading accepts the minimal shape of cli.md", "[output][json]") {
  auto minimal = R"({
    "pipeline": "end_to_end", "status": "ok", "error": null, "elapsed_s": 5.21,
    "peak_rss_bytes": 7340032, "bottleneck": "process",
    "nodes": [{"name": "process", "kind": "stage", "workers": 1, "in": 100, "out": 100, "errors": 0,
               "busy": 0.97, "latency_p50_s": 0.050, "latency_p99_s": 0.051}],
    "edges": [{"from": "validate", "to": "process", "capacity": 5, "policy": "block", "in": 100,
               "out": 100, "dropped": 0, "high_water": 5, "blocked_s": 4.1}],
    "sinks": [{"name": "store", "delivered": 100, "latency_p50_s": 0.9, "latency_p99_s": 1.2}]
  })";
  auto run = metrics_from_json(minimal).metrics.value();
  CHECK(run.bottleneck.node == "process");
  CHECK(run.elapsed_s == 5.21);
  REQUIRE(run.edges.size() == 1);
  CHECK(run.edges[0].capacity == std::optional<std::uint64_t>(5));
  CHECK(run.edges[0].full_s == 0);
  CHECK(run.nodes[0].busy == 0.97);
  CHECK(run.sources.empty());
  // A file from before latency_mean_s reads as no mean, as one with nothing delivered.
  CHECK(run.latency_mean_s == 0);
  CHECK(run.sinks[0].latency_mean_s == 0);
}
