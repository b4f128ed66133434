// The Prometheus text runtime/output/prometheus.cpp makes of a run's metrics:
// exact lines for a small run, label escaping, the latency histogram's
// cumulative buckets, and promtool's verdict on the text.
#include "flow/prometheus.hpp"

#include <catch2/catch.hpp>
#include <limits>

#include "helpers.hpp"

using flow::EdgeMetrics;
using flow::LatencyBucket;
using flow::NodeMetrics;
using flow::RunMetrics;
using flow::SinkMetrics;
using flow::to_prometheus;

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

// One edge a -> b into one sink b with two workers, 2.5 s into the run.
RunMetrics small_run() {
  RunMetrics run;
  run.pipeline = "p";
  run.elapsed_s = 2.5;
  EdgeMetrics edge;
  edge.from = "a";
  edge.to = "b";
  edge.capacity = 5;
  edge.held = 3;
  edge.high_water = 5;
  edge.in = 10;
  edge.out = 7;
  edge.dropped = 1;
  edge.blocked_s = 0.5;
  edge.full_s = 0.25;
  run.edges = {edge};
  NodeMetrics node;
  node.name = "b";
  node.kind = flow::NodeKind::Sink;
  node.workers = 2;
  node.busy_s = 1.5;
  node.busy = 1.5 / (2 * 2.5);
  node.in = 7;
  node.out = 6;
  node.errors = 1;
  run.nodes = {node};
  run.bottleneck.node = "b";
  SinkMetrics sink;
  sink.name = "b";
  sink.delivered = 6;
  sink.latency_mean_s = 0.25;
  sink.latency_buckets = {{0.01, 1}, {0.1, 4}, {inf, 6}};
  run.sinks = {sink};
  return run;
}

}  // namespace

TEST_CASE("a small run becomes every family with HELP, TYPE and one sample per edge, node and sink",
          "[cli][prometheus]") {
  // Values are the run's own; the busy ratio is 1.5 worker-seconds of 2 × 2.5,
  // the histogram's sum 6 deliveries × 0.25 s.
  CHECK(
      to_prometheus(small_run()) ==
      R"(# HELP flow_run_elapsed_seconds Time since the run started, on its clock (simulated under --clock virtual).
# TYPE flow_run_elapsed_seconds gauge
flow_run_elapsed_seconds{pipeline="p"} 2.5
# HELP flow_edge_held Messages the edge holds now.
# TYPE flow_edge_held gauge
flow_edge_held{pipeline="p",edge="a -> b"} 3
# HELP flow_edge_capacity Messages the edge can hold, +Inf when it is unbounded.
# TYPE flow_edge_capacity gauge
flow_edge_capacity{pipeline="p",edge="a -> b"} 5
# HELP flow_edge_high_water Most messages the edge has held at once.
# TYPE flow_edge_high_water gauge
flow_edge_high_water{pipeline="p",edge="a -> b"} 5
# HELP flow_edge_in_total Messages offered to the edge, accepted or dropped.
# TYPE flow_edge_in_total counter
flow_edge_in_total{pipeline="p",edge="a -> b"} 10
# HELP flow_edge_out_total Messages the edge's consumer took from it.
# TYPE flow_edge_out_total counter
flow_edge_out_total{pipeline="p",edge="a -> b"} 7
# HELP flow_edge_dropped_total Messages the edge discarded (drop_newest, drop_oldest).
# TYPE flow_edge_dropped_total counter
flow_edge_dropped_total{pipeline="p",edge="a -> b"} 1
# HELP flow_edge_blocked_seconds_total Time the edge's producer waited for room on it.
# TYPE flow_edge_blocked_seconds_total counter
flow_edge_blocked_seconds_total{pipeline="p",edge="a -> b"} 0.5
# HELP flow_edge_full_seconds_total Time the edge spent full.
# TYPE flow_edge_full_seconds_total counter
flow_edge_full_seconds_total{pipeline="p",edge="a -> b"} 0.25
# HELP flow_edge_expired_total Messages shed by a deadline when the consumer would take them.
# TYPE flow_edge_expired_total counter
flow_edge_expired_total{pipeline="p",edge="a -> b"} 0
# HELP flow_edge_dead_lettered_total Of the messages the edge dropped or shed, those sent on along a dead-letter route.
# TYPE flow_edge_dead_lettered_total counter
flow_edge_dead_lettered_total{pipeline="p",edge="a -> b"} 0
# HELP flow_node_workers Workers the node runs.
# TYPE flow_node_workers gauge
flow_node_workers{pipeline="p",node="b"} 2
# HELP flow_node_busy_seconds_total Worker-seconds the node spent working or waiting on a timer for a message.
# TYPE flow_node_busy_seconds_total counter
flow_node_busy_seconds_total{pipeline="p",node="b"} 1.5
# HELP flow_node_busy_ratio Busy seconds over workers times elapsed seconds, for the run so far (0 to 1).
# TYPE flow_node_busy_ratio gauge
flow_node_busy_ratio{pipeline="p",node="b"} 0.3
# HELP flow_node_in_total Messages the node took from its input edges (a source: made).
# TYPE flow_node_in_total counter
flow_node_in_total{pipeline="p",node="b"} 7
# HELP flow_node_out_total Messages the node emitted (a sink: delivered).
# TYPE flow_node_out_total counter
flow_node_out_total{pipeline="p",node="b"} 6
# HELP flow_node_errors_total Messages whose operator failed.
# TYPE flow_node_errors_total counter
flow_node_errors_total{pipeline="p",node="b"} 1
# HELP flow_node_filtered_total Messages an operator removed (grep, sample...).
# TYPE flow_node_filtered_total counter
flow_node_filtered_total{pipeline="p",node="b"} 0
# HELP flow_node_expired_total Messages shed by the node's own deadline.
# TYPE flow_node_expired_total counter
flow_node_expired_total{pipeline="p",node="b"} 0
# HELP flow_node_dead_lettered_total Of the messages the node failed on or shed, those sent on along a dead-letter route.
# TYPE flow_node_dead_lettered_total counter
flow_node_dead_lettered_total{pipeline="p",node="b"} 0
# HELP flow_node_bottleneck 1 for the node named the bottleneck so far, else 0.
# TYPE flow_node_bottleneck gauge
flow_node_bottleneck{pipeline="p",node="b"} 1
# HELP flow_source_dead_lettered_total Messages of this source delivered at a sink after a dead-letter route.
# TYPE flow_source_dead_lettered_total counter
# HELP flow_source_expired_total Messages of this source shed by a deadline and routed nowhere.
# TYPE flow_source_expired_total counter
# HELP flow_sink_latency_seconds End-to-end latency: from a message's creation at a source to the end of this sink's chain.
# TYPE flow_sink_latency_seconds histogram
flow_sink_latency_seconds_bucket{pipeline="p",sink="b",le="0.01"} 1
flow_sink_latency_seconds_bucket{pipeline="p",sink="b",le="0.1"} 4
flow_sink_latency_seconds_bucket{pipeline="p",sink="b",le="+Inf"} 6
flow_sink_latency_seconds_sum{pipeline="p",sink="b"} 1.5
flow_sink_latency_seconds_count{pipeline="p",sink="b"} 6
)");
}

TEST_CASE("a source's own counts are one counter family, a sample per node and event, absent without any",
          "[cli][prometheus]") {
  RunMetrics run = small_run();
  CHECK(to_prometheus(run).find("flow_source_events_total") == std::string::npos);
  run.nodes[0].counts = {{"accepted", 4}, {"rejected", 2}};
  auto text = to_prometheus(run);
  CHECK(text.find("# TYPE flow_source_events_total counter\n") != std::string::npos);
  CHECK(text.find("flow_source_events_total{pipeline=\"p\",node=\"b\",event=\"accepted\"} 4\n") !=
        std::string::npos);
  CHECK(text.find("flow_source_events_total{pipeline=\"p\",node=\"b\",event=\"rejected\"} 2\n") !=
        std::string::npos);
}

TEST_CASE("an unbounded edge's capacity is +Inf", "[cli][prometheus]") {
  RunMetrics run = small_run();
  run.edges[0].capacity.reset();
  CHECK_THAT(to_prometheus(run),
             Catch::Contains("\nflow_edge_capacity{pipeline=\"p\",edge=\"a -> b\"} +Inf\n"));
}

TEST_CASE("label values escape backslash, double quote and newline", "[cli][prometheus]") {
  CHECK(flow::escape_label_value("plain -> name") == "plain -> name");
  CHECK(flow::escape_label_value(R"(a\b)") == R"(a\\b)");
  CHECK(flow::escape_label_value(R"(say "hi")") == R"(say \"hi\")");
  CHECK(flow::escape_label_value("two\nlines") == R"(two\nlines)");
  CHECK(flow::escape_label_value("\\\"\n") == R"(\\\"\n)");

  RunMetrics run = small_run();
  run.pipeline = "p\"1\"";
  run.edges[0].from = "a\\x";
  run.nodes[0].name = "b\nc";
  auto text = to_prometheus(run);
  CHECK_THAT(text, Catch::Contains(R"(flow_edge_held{pipeline="p\"1\"",edge="a\\x -> b"} 3)"));
  CHECK_THAT(text, Catch::Contains(R"(flow_node_in_total{pipeline="p\"1\"",node="b\nc"} 7)"));
}

TEST_CASE("the latency histogram's buckets are cumulative and +Inf equals the count", "[cli][prometheus]") {
  RunMetrics run = small_run();
  // 2 deliveries up to 1 ms, 3 more up to 10 ms, 4 above 100 s: 9 in all.
  run.sinks[0].latency_buckets = {{0.001, 2}, {0.01, 5}, {100, 5}, {inf, 9}};
  run.sinks[0].latency_mean_s = 20;
  auto text = to_prometheus(run);
  CHECK_THAT(text, Catch::Contains(R"(flow_sink_latency_seconds_bucket{pipeline="p",sink="b",le="0.001"} 2
flow_sink_latency_seconds_bucket{pipeline="p",sink="b",le="0.01"} 5
flow_sink_latency_seconds_bucket{pipeline="p",sink="b",le="100"} 5
flow_sink_latency_seconds_bucket{pipeline="p",sink="b",le="+Inf"} 9
flow_sink_latency_seconds_sum{pipeline="p",sink="b"} 180
flow_sink_latency_seconds_count{pipeline="p",sink="b"} 9
)"));

  // Metrics with no buckets (read back from JSON): +Inf and the count are the deliveries.
  run.sinks[0].latency_buckets.clear();
  run.sinks[0].delivered = 4;
  run.sinks[0].latency_mean_s = 0.5;
  text = to_prometheus(run);
  CHECK_THAT(text, Catch::Contains(R"(flow_sink_latency_seconds_bucket{pipeline="p",sink="b",le="+Inf"} 4
flow_sink_latency_seconds_sum{pipeline="p",sink="b"} 2
flow_sink_latency_seconds_count{pipeline="p",sink="b"} 4
)"));
  CHECK(flow::test::count(text, "flow_sink_latency_seconds_bucket") == 1);
}

TEST_CASE("promtool accepts the text, escaped labels and unbounded edges included", "[cli][prometheus]") {
  RunMetrics run = small_run();
  run.pipeline = "odd \"name\"\\\n";
  run.edges.push_back(run.edges[0]);
  run.edges[1].from = "b";
  run.edges[1].to = "c";
  run.edges[1].capacity.reset();
  run.nodes[0].counts = {{"accepted", 4}, {"rejected", 2}};
  auto path = flow::test::temp_directory() + "/metrics.txt";
  flow::test::write_file(path, to_prometheus(run));
  auto checked =
      flow::test::run_command(fmt::format("promtool check metrics < {}", flow::test::shell_quote(path)));
  INFO("promtool (Debian's prometheus package, scripts/setup.sh) said: " << checked.out << checked.err);
  CHECK(checked.exit_code == 0);
}

namespace {

// small_run with a deadline and a route: a -> b shed 2 by its deadline and
// dropped 1, all 3 sent on to `dlq` along the dead-letter edge b ⇢ dlq (b
// failed on 1 more and shed 4 by its own deadline, 5 sent on); source a's
// balance counts 8 dead-lettered and 1 expired that no route took.
RunMetrics routed_run() {
  RunMetrics run = small_run();
  run.edges[0].expired = 2;
  run.edges[0].dead_lettered = 3;
  EdgeMetrics route;
  route.from = "b";
  route.to = "dlq";
  route.capacity = 256;
  route.policy = flow::Overflow::DropNewest;
  route.in = route.out = 8;
  route.high_water = 4;
  route.dead_letter = true;
  run.edges.push_back(route);
  run.nodes[0].expired = 4;
  run.nodes[0].dead_lettered = 5;
  flow::SourceBalance source{"a", 10, 0, 1, 0, 0, std::nullopt};
  source.dead_lettered = 8;
  source.expired = 1;
  run.sources = {source};
  return run;
}

}  // namespace

TEST_CASE("deadlines and dead-letter routes are counters per edge, node and source, the route labelled",
          "[cli][prometheus]") {
  auto text = to_prometheus(routed_run());
  CHECK_THAT(text, Catch::Contains(
                       "\n# TYPE flow_edge_expired_total counter\n"
                       "flow_edge_expired_total{pipeline=\"p\",edge=\"a -> b\"} 2\n"
                       "flow_edge_expired_total{pipeline=\"p\",edge=\"b -> dlq\",dead_letter=\"true\"} 0\n"));
  CHECK_THAT(text, Catch::Contains("\nflow_edge_dead_lettered_total{pipeline=\"p\",edge=\"a -> b\"} 3\n"));
  // Every family of the route carries the label, its in and out the messages it carried.
  CHECK_THAT(text, Catch::Contains(
                       "\nflow_edge_in_total{pipeline=\"p\",edge=\"b -> dlq\",dead_letter=\"true\"} 8\n"));
  CHECK_THAT(text, Catch::Contains(
                       "\nflow_edge_capacity{pipeline=\"p\",edge=\"b -> dlq\",dead_letter=\"true\"} 256\n"));
  CHECK(flow::test::count(text, "dead_letter=\"true\"") == 10);  // one sample in each of the 10 edge families
  CHECK_THAT(text, Catch::Contains("\nflow_node_expired_total{pipeline=\"p\",node=\"b\"} 4\n"));
  CHECK_THAT(text, Catch::Contains("\nflow_node_dead_lettered_total{pipeline=\"p\",node=\"b\"} 5\n"));
  CHECK_THAT(text, Catch::Contains("\nflow_source_dead_lettered_total{pipeline=\"p\",source=\"a\"} 8\n"));
  CHECK_THAT(text, Catch::Contains("\nflow_source_expired_total{pipeline=\"p\",source=\"a\"} 1\n"));
}

TEST_CASE("promtool accepts the routes' counters and the dead_letter label", "[cli][prometheus]") {
  auto path = flow::test::temp_directory() + "/routed.txt";
  flow::test::write_file(path, to_prometheus(routed_run()));
  auto checked =
      flow::test::run_command(fmt::format("promtool check metrics < {}", flow::test::shell_quote(path)));
  INFO("promtool said: " << checked.out << checked.err);
  CHECK(checked.exit_code == 0);
}
