// The end-of-run summary of a run with dead-letter routes and deadlines
// (issue 24, items 3 and 4): the balance says where each message went, the
// edge table marks routes and shows what expired, and a run without them
// prints what it always did. The metrics are built by hand.
#include <catch2/catch.hpp>

#include "cli/report.hpp"
#include "cli/summary.hpp"

namespace {

flow::EdgeMetrics edge(std::string from, std::string to, std::uint64_t capacity, std::uint64_t in,
                       std::uint64_t out) {
  flow::EdgeMetrics e;
  e.from = std::move(from);
  e.to = std::move(to);
  e.capacity = capacity;
  e.in = in;
  e.out = out;
  e.high_water = std::min(capacity, in);
  return e;
}

flow::NodeMetrics node(std::string name, flow::NodeKind kind, int workers, std::uint64_t in,
                       std::uint64_t out) {
  flow::NodeMetrics n;
  n.name = std::move(name);
  n.kind = kind;
  n.workers = workers;
  n.in = in;
  n.out = out;
  return n;
}

// ingest -> work [drop_newest, dropped=dlq] -> store [deadline, expired=dlq];
// work [on_error=dlq, deadline]. Of 100: 10 dropped in front of work, 5 failed
// and 3 shed by work, 2 expired in front of store, all routed: 80 + 20.
flow::RunMetrics routed() {
  flow::RunMetrics m;
  m.pipeline = "dead_letters";
  m.status = flow::RunStatus::Ok;
  m.elapsed_s = 2;
  auto work = node("work", flow::NodeKind::Stage, 2, 90, 82);
  work.errors = 5;
  work.expired = 3;
  work.dead_lettered = 8;
  m.nodes = {node("ingest", flow::NodeKind::Source, 1, 100, 100), work,
             node("store", flow::NodeKind::Sink, 1, 80, 80), node("dlq", flow::NodeKind::Sink, 1, 20, 20)};
  auto in = edge("ingest", "work", 5, 100, 90);
  in.policy = flow::Overflow::DropNewest;
  in.dropped = in.dead_lettered = 10;
  auto out = edge("work", "store", 5, 82, 80);
  out.expired = out.dead_lettered = 2;
  m.edges = {in, out};
  for (auto [from, count] : {std::pair{"ingest", 10}, {"work", 8}, {"store", 2}}) {
    auto route = edge(from, "dlq", 256, count, count);
    route.policy = flow::Overflow::DropNewest;
    route.dead_letter = true;
    m.edges.push_back(route);
  }
  flow::SourceBalance balance{"ingest", 100, 80, 0, 0, 0, 100};
  balance.dead_lettered = 20;
  m.sources = {balance};
  return m;
}

bool has_line_starting(const std::string& text, const std::string& start) {
  return text.find("\n" + start) != std::string::npos;
}

}  // namespace

TEST_CASE("the balance counts dead-lettered and expired messages where a run had them", "[cli][routes]") {
  flow::SourceBalance source{"ingest", 100, 80, 0, 0, 0, 100};
  source.dead_lettered = 20;
  CHECK(flow::cli::balance_line(source) ==
        "source ingest: produced 100 = delivered 80 + dead-lettered 20 + dropped 0 + filtered 0 + errors 0");
  // 16 went on along routes, 1 was dropped on a full route, 3 expired where no route took them.
  source.dead_lettered = 16;
  source.dropped = 1;
  source.expired = 3;
  CHECK(flow::cli::balance_line(source) ==
        "source ingest: produced 100 = delivered 80 + dead-lettered 16 + dropped 1 + expired 3 + filtered 0 "
        "+ errors 0");
  source.expired = 4;
  CHECK(flow::cli::balance_line(source) ==
        "source ingest: produced 100 != delivered 80 + dead-lettered 16 + dropped 1 + expired 4 + filtered 0 "
        "+ errors 0"
        "  (1 counted more than made: a bug in flow)");
  // Without routes or deadlines, the line as it always was.
  CHECK(flow::cli::balance_line(flow::SourceBalance{"ingest", 100, 95, 5, 0, 0, 100}) ==
        "source ingest: produced 100 = delivered 95 + dropped 5 + filtered 0 + errors 0");
}

TEST_CASE("the summary's edge table marks dead-letter edges and shows what expired", "[cli][routes]") {
  auto summary = flow::cli::render_summary(routed(), std::nullopt, {});
  INFO(summary);
  CHECK(has_line_starting(
      summary,
      "edge                           overflow           in       out   dropped   expired   high/cap"));
  CHECK(has_line_starting(
      summary,
      "work -> store                  block              82        80         0         2        5/5 "));
  CHECK(has_line_starting(
      summary,
      "ingest -> work                 drop_newest       100        90        10         0        5/5 "));
  CHECK(has_line_starting(
      summary,
      "work \u21e2 dlq (dead letters)      drop_newest         8         8         0         0      8/256 "));
  CHECK(has_line_starting(
      summary,
      "store \u21e2 dlq (dead letters)     drop_newest         2         2         0         0      2/256 "));
  CHECK(has_line_starting(
      summary, "node                 kind   workers        in       out  errors  filtered   expired "));
  CHECK(has_line_starting(
      summary, "work                 stage        2        90        82       5         0         3 "));
  CHECK(has_line_starting(
      summary,
      "source ingest: produced 100 = delivered 80 + dead-lettered 20 + dropped 0 + filtered 0 + errors 0\n"));
}

TEST_CASE("a run without deadlines has no expired column", "[cli][routes]") {
  auto metrics = routed();
  metrics.edges[1].expired = 0;
  metrics.nodes[1].expired = 0;
  auto summary = flow::cli::render_summary(metrics, std::nullopt, {});
  INFO(summary);
  CHECK(summary.find("expired") == std::string::npos);
  CHECK(has_line_starting(
      summary, "edge                           overflow           in       out   dropped   high/cap"));
  CHECK(has_line_starting(
      summary, "work -> store                  block              82        80         0        5/5 "));
}

TEST_CASE("the live report's table draws dead-letter edges with the dashed arrow, its line keeps ->",
          "[cli][routes]") {
  auto metrics = routed();
  metrics.status = flow::RunStatus::Running;
  auto rows = flow::cli::report_table(metrics, nullptr);
  auto row_of = [&rows](const std::string& start) {
    for (const auto& row : rows)
      if (row.rfind(start, 0) == 0) return true;
    return false;
  };
  CHECK(row_of("work \u21e2 dlq "));
  CHECK(row_of("work -> store "));
  CHECK_FALSE(row_of("work -> dlq "));
  CHECK(flow::cli::report_line(metrics).find(" work->dlq 0/256") != std::string::npos);
}
