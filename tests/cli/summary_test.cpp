// The summary's words and figures (issue 22): the edge table says `overflow`,
// the file's word; predicted against measured says apart what a node took in
// and what was dropped in front of it; the balance says why it does not hold.
#include <catch2/catch.hpp>

#include "cli/summary.hpp"

namespace {

flow::EdgeMetrics edge(const std::string& from, const std::string& to, std::uint64_t in,
                       std::uint64_t dropped) {
  flow::EdgeMetrics e;
  e.from = from;
  e.to = to;
  e.capacity = 10;
  e.policy = dropped > 0 ? flow::Overflow::DropNewest : flow::Overflow::Block;
  e.in = in;
  e.out = in - dropped;
  e.dropped = dropped;
  return e;
}

// 4 s of a source offering 400 messages to `service`: it took `taken`, its input edge dropped the rest.
flow::RunMetrics offered_400(std::uint64_t taken) {
  flow::RunMetrics metrics;
  metrics.pipeline = "bursty";
  metrics.status = flow::RunStatus::Ok;
  metrics.elapsed_s = 4.0;
  flow::NodeMetrics source;
  source.name = "requests";
  source.kind = flow::NodeKind::Source;
  source.in = source.out = 400;
  flow::NodeMetrics service;
  service.name = "service";
  service.kind = flow::NodeKind::Sink;
  service.in = service.out = taken;
  metrics.nodes = {source, service};
  metrics.edges = {edge("requests", "service", 400, 400 - taken)};
  return metrics;
}

}  // namespace

TEST_CASE("the summary's edge table heads the policy column overflow, as the file writes it", "[cli]") {
  auto metrics = offered_400(110);
  auto summary = flow::cli::render_summary(metrics, std::nullopt, {});
  CHECK(summary.find("\nedge                           overflow           in ") != std::string::npos);
  CHECK(summary.find("policy") == std::string::npos);
  CHECK(summary.find("requests -> service            drop_newest       400       110       290") !=
        std::string::npos);
}

TEST_CASE("predicted against measured says apart what the node took in and what was dropped in front of it",
          "[cli]") {
  // 110 taken in and 290 dropped over 4 s: 27.5/s and 72.5/s, against the 100/s the plan predicted.
  flow::cli::PredictedThroughput predicted{"service", 100.0};
  auto dropping = offered_400(110);
  CHECK(flow::cli::comparison_line(dropping, predicted) ==
        "predicted vs measured: service predicted 100.0/s, measured 27.5/s taken in (28 %), "
        "72.5/s dropped in front of it");
  // Nothing dropped: the plain comparison.
  auto whole = offered_400(400);
  CHECK(flow::cli::comparison_line(whole, predicted) ==
        "predicted vs measured: service predicted 100.0/s, measured 100.0/s (100 %)");
  // And it is the line the summary prints.
  auto summary = flow::cli::render_summary(dropping, predicted, {});
  CHECK(summary.find("\n" + flow::cli::comparison_line(dropping, predicted) + "\n") != std::string::npos);
}

TEST_CASE("a balance that does not hold says why: in flight when the run failed, else a bug", "[cli]") {
  flow::SourceBalance source{"ingest", 100, 80, 5, 3, 2, 100};
  CHECK(flow::cli::balance_line(source, /*run_failed=*/true) ==
        "source ingest: produced 100 != delivered 80 + dropped 5 + filtered 3 + errors 2"
        "  (10 still in flight when the run failed)");
  CHECK(flow::cli::balance_line(source) ==
        "source ingest: produced 100 != delivered 80 + dropped 5 + filtered 3 + errors 2"
        "  (10 not accounted for: a bug in flow)");
  source.delivered = 95;
  CHECK(flow::cli::balance_line(source, /*run_failed=*/true) ==
        "source ingest: produced 100 != delivered 95 + dropped 5 + filtered 3 + errors 2"
        "  (5 counted more than made: a bug in flow)");
  // The summary passes the run's status.
  auto metrics = offered_400(400);
  metrics.sources = {flow::SourceBalance{"requests", 400, 300, 0, 0, 0, 400}};
  metrics.status = flow::RunStatus::Failed;
  CHECK(flow::cli::render_summary(metrics, std::nullopt, {})
            .find("(100 still in flight when the run failed)") != std::string::npos);
}

TEST_CASE("a source's own counts are a line under the node table, only for a source that counts", "[cli]") {
  auto metrics = offered_400(110);
  auto before = flow::cli::render_summary(metrics, std::nullopt, {});
  CHECK(before.find("requests:") == std::string::npos);
  metrics.nodes[0].counts = {{"accepted", 110}, {"rejected", 290}};
  auto summary = flow::cli::render_summary(metrics, std::nullopt, {});
  auto line = summary.find("\nrequests: accepted 110 rejected 290\n");
  CHECK(line != std::string::npos);
  CHECK(line < summary.find("\nedge "));
}
