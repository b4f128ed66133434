// The pieces of the command line on their own: report line, trace rows, the
// plot, the summary lines and --set parsing.
#include <catch2/catch.hpp>

#include "cli/options.hpp"
#include "cli/plot_svg.hpp"
#include "cli/report.hpp"
#include "cli/summary.hpp"
#include "cli/trace.hpp"

namespace {

flow::RunMetrics snapshot(double elapsed, std::uint64_t held_first, std::uint64_t held_second) {
  flow::RunMetrics metrics;
  metrics.pipeline = "p";
  metrics.elapsed_s = elapsed;
  flow::EdgeMetrics first;
  first.from = "a";
  first.to = "b";
  first.capacity = 5;
  first.held = held_first;
  first.in = 10 * held_first;
  flow::EdgeMetrics second;
  second.from = "b";
  second.to = "c";
  second.held = held_second;
  metrics.edges = {first, second};
  flow::NodeMetrics node;
  node.name = "b";
  node.workers = 2;
  node.busy_s = elapsed;
  metrics.nodes = {node};
  return metrics;
}

}  // namespace

TEST_CASE("a report line shows every edge as held/capacity and the bottleneck", "[cli]") {
  auto metrics = snapshot(0.5, 5, 12);
  metrics.bottleneck.node = "b";
  CHECK(flow::cli::report_line(metrics) == "[0.50s] a->b 5/5 b->c 12/inf | bottleneck b");
  metrics.bottleneck.node.clear();
  CHECK(flow::cli::report_line(metrics) == "[0.50s] a->b 5/5 b->c 12/inf | bottleneck -");
}

TEST_CASE("the terminal table has a row per edge and per node and marks the bottleneck", "[cli]") {
  auto metrics = snapshot(1.0, 3, 0);
  metrics.bottleneck.node = "b";
  auto rows = flow::cli::report_table(metrics, nullptr);
  CHECK(rows.size() == 1 + 1 + 2 + 1 + 1);  // title, edge header, 2 edges, node header, 1 node
  CHECK(rows[2].find("3/5") != std::string::npos);
  CHECK(rows.back().find("bottleneck") != std::string::npos);
}

TEST_CASE("trace rows give held per edge and the interval's busy fraction per node", "[cli]") {
  auto before = snapshot(1.0, 1, 0);
  auto now = snapshot(2.0, 4, 2);
  now.nodes[0].busy_s = before.nodes[0].busy_s + 1.0;  // 1 worker-second of 2 available
  auto rows = flow::cli::trace_rows(now, &before);
  CHECK(rows == "2.000,edge,a->b,4,40,0,0,\n2.000,edge,b->c,2,0,0,0,\n2.000,node,b,,0,0,,0.500\n");
}

TEST_CASE("a trace reads back as one series per edge and plots as valid SVG text", "[cli]") {
  std::string csv = std::string(flow::cli::trace_header) + "\n" + flow::cli::trace_rows(snapshot(0.1, 2, 1), nullptr) +
                    flow::cli::trace_rows(snapshot(0.2, 5, 3), nullptr);
  std::string error;
  auto series = flow::cli::read_trace_edges(csv, error);
  REQUIRE(series);
  REQUIRE(series->size() == 2);
  CHECK((*series)[0].name == "a->b");
  CHECK((*series)[0].points == std::vector<std::pair<double, double>>{{0.1, 2}, {0.2, 5}});
  auto svg = flow::cli::plot_svg(*series, "t <1>");
  CHECK(svg.find("<polyline") != std::string::npos);
  CHECK(svg.find("a-&gt;b") != std::string::npos);
  CHECK(svg.find("t &lt;1&gt;") != std::string::npos);
}

TEST_CASE("a malformed trace is refused with the line number", "[cli]") {
  std::string error;
  CHECK_FALSE(flow::cli::read_trace_edges("time,x\n", error));
  CHECK(error.find("not a flow trace") != std::string::npos);
  auto csv = std::string(flow::cli::trace_header) + "\n0.1,edge,a->b,lots,1,1,0,\n";
  CHECK_FALSE(flow::cli::read_trace_edges(csv, error));
  CHECK(error.find("line 2") != std::string::npos);
}

TEST_CASE("the balance line shows the sum, and flags a mismatch", "[cli]") {
  flow::SourceBalance source{"ingest", 100, 90, 5, 3, 2, 100};
  CHECK(flow::cli::balance_line(source) ==
        "source ingest: produced 100 = delivered 90 + dropped 5 + filtered 3 + errors 2");
  source.delivered = 80;
  CHECK(flow::cli::balance_line(source).find("!=") != std::string::npos);
}

TEST_CASE("the peak line sets the run's peaks beside the plan's bound", "[cli]") {
  flow::RunMetrics metrics;
  metrics.peak_messages = 13;
  metrics.peak_payload_bytes = 208;
  flow::HoldBound bound;
  bound.messages = 18;
  bound.payload_bytes = 288;
  CHECK(flow::cli::peak_line(metrics, bound) == "held at once: peak 13 messages of the plan's 18, 208 B of payload of 288 B");
  bound.payload_bytes.reset();
  CHECK(flow::cli::peak_line(metrics, bound) == "held at once: peak 13 messages of the plan's 18, 208 B of payload");
  bound.messages.reset();
  CHECK(flow::cli::peak_line(metrics, bound) == "held at once: peak 13 messages (the plan: unbounded), 208 B of payload");
}

TEST_CASE("the totals line gives the exact mean latency before the histogram's p50, p99 and max", "[cli]") {
  flow::RunMetrics metrics;
  metrics.elapsed_s = 5.05;
  metrics.messages_per_s = 19.8;
  metrics.latency_mean_s = 0.0123;
  metrics.latency_p50_s = 0.0125;
  metrics.latency_p99_s = 0.0201;
  metrics.latency_max_s = 0.025;
  metrics.peak_rss_bytes = 5767168;
  CHECK(flow::cli::totals_line(metrics) ==
        "elapsed 5.05 s, 19.8/s at the sinks, "
        "end-to-end latency mean 12.3 ms p50 12.5 ms p99 20.1 ms max 25.0 ms, peak RSS 5.5 MiB");
  // The mean is printed in the same units as the quantiles.
  metrics.latency_mean_s = 0.000045;
  CHECK(flow::cli::totals_line(metrics).find("latency mean 45 us p50 12.5 ms") != std::string::npos);
  // And it is the line the summary prints.
  auto summary = flow::cli::render_summary(metrics, std::nullopt, {});
  CHECK(summary.find("\n" + flow::cli::totals_line(metrics) + "\n") != std::string::npos);
}

TEST_CASE("the bottleneck line gives the node and the reason in words", "[cli]") {
  CHECK(flow::cli::bottleneck_line({"process", "1 worker busy 98 %"}) == "bottleneck: process — 1 worker busy 98 %");
  CHECK(flow::cli::bottleneck_line({}) == "bottleneck: none");
}

TEST_CASE("a --set override splits NODE.KEY=VALUE at the first dot and the first equals sign", "[cli]") {
  std::string error;
  auto parsed = flow::cli::parse_override("errors.path=\"a.b=c\"", error);
  REQUIRE(parsed);
  CHECK(parsed->node == "errors");
  CHECK(parsed->key == "path");
  CHECK(parsed->value == "\"a.b=c\"");
  auto edge = flow::cli::parse_override("ingest -> work.capacity=12", error);
  REQUIRE(edge);
  CHECK(edge->node == "ingest->work");  // spaced or not, one name for the edge
  CHECK(edge->key == "capacity");
  CHECK(edge->value == "12");
  // An edge from a labeled output has a dot of its own: the key follows the last one.
  auto labeled = flow::cli::parse_override("r.errors -> errs.capacity=9", error);
  REQUIRE(labeled);
  CHECK(labeled->node == "r.errors->errs");
  CHECK(labeled->key == "capacity");
  CHECK(labeled->value == "9");
  for (const char* bad : {"nokey=1", ".count=1", "ingest.=1", "ingest.count=", "ingest.count"}) {
    INFO(bad);
    CHECK_FALSE(flow::cli::parse_override(bad, error));
  }
}
