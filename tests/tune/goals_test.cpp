// `--goal` texts: what each parses to, and what a wrong one says and where.
#include <catch2/catch.hpp>

#include "flow/diagnostic.hpp"
#include "flow/tune.hpp"
#include "runtime/tune/goals.hpp"

using namespace flow;
using namespace flow::tune;

namespace {

Goal goal_of(const std::string& text) {
  auto read = parse_goal(text);
  if (!read.goal) FAIL(text << ": " << read.diagnostics.front().message);
  CHECK(read.diagnostics.empty());
  return *read.goal;
}

/// The one diagnostic of a goal that does not parse.
Diagnostic error_of(const std::string& text) {
  auto read = parse_goal(text);
  REQUIRE_FALSE(read.goal);
  REQUIRE(read.diagnostics.size() == 1);
  CHECK(read.diagnostics.front().severity == Severity::Error);
  return read.diagnostics.front();
}

}  // namespace

TEST_CASE("each goal key takes a limit in its own unit", "[tune]") {
  auto none = goal_of("dropped=0");
  CHECK(none.metric == Metric::Dropped);
  CHECK(none.comparison == Comparison::AtMost);
  CHECK(none.limit == 0);
  CHECK(goal_of("dropped<=10").limit == 10);
  auto p99 = goal_of("p99<=200ms");
  CHECK(p99.metric == Metric::LatencyP99);
  CHECK(p99.limit == Approx(0.2));
  CHECK(goal_of("p50<=1.5s").limit == Approx(1.5));
  auto mean = goal_of("latency_mean<50ms");
  CHECK(mean.metric == Metric::LatencyMean);
  CHECK(mean.comparison == Comparison::Below);
  CHECK(mean.limit == Approx(0.05));
  CHECK(goal_of("latency_max<=1s").metric == Metric::LatencyMax);
  CHECK(goal_of("peak_bytes<=64MB").limit == 64e6);
  CHECK(goal_of("peak_bytes<=64MiB").limit == 64.0 * 1024 * 1024);
  CHECK(goal_of("peak_messages<=100").metric == Metric::PeakMessages);
}

TEST_CASE("a goal may have blanks around its operator and keeps its text for the table", "[tune]") {
  auto goal = goal_of(" p99 <= 200ms ");
  CHECK(goal.limit == Approx(0.2));
  CHECK(goal.text == "p99 <= 200ms");
}

TEST_CASE("an unknown goal key is named, with the keys there are or the closest one", "[tune]") {
  auto close = error_of("p98<=200ms");
  CHECK(close.message == "unknown goal 'p98'; did you mean 'p99'?");
  CHECK(close.location.offset == 0);
  CHECK(close.width == 3);
  auto far = error_of("throughput>=5");
  CHECK(
      far.message ==
      "unknown goal 'throughput'; expected one of dropped, p50, p99, latency_mean, latency_max, peak_bytes, "
      "peak_messages, delivered");
  CHECK(far.width == 10);
}

TEST_CASE("a goal asks for less: >= and a missing operator are errors under the operator", "[tune]") {
  auto more = error_of("p99>=1s");
  CHECK(more.message.starts_with("expected <=, < or = after 'p99'"));
  CHECK(more.location.offset == 3);
  CHECK(more.width == 2);
  auto none = error_of("dropped");
  CHECK(none.location.offset == 7);
  // `=<` reversed is an operator error too, under both characters, not a limit '<3'.
  auto reversed = error_of("dropped=<3");
  CHECK(reversed.message.starts_with("expected <=, < or = after 'dropped'"));
  CHECK(reversed.location.offset == 7);
  CHECK(reversed.width == 2);
  CHECK(error_of("p99=>1s").width == 2);
}

TEST_CASE("= is only for dropped=0", "[tune]") {
  auto latency = error_of("p99=200ms");
  CHECK(latency.message == "'=' is only for dropped=0; write p99<=200ms for a limit");
  CHECK(latency.location.offset == 3);
  CHECK(error_of("dropped=3").message == "'=' is only for dropped=0; write dropped<=3 for a limit");
}

TEST_CASE("a limit of the wrong kind, or none, is an error under the value", "[tune]") {
  auto count = error_of("p99<=200");
  CHECK(count.message == "'200' is an integer, expected a duration such as 200ms");
  CHECK(count.location.offset == 5);
  CHECK(count.width == 3);
  CHECK(error_of("peak_bytes<=10ms").message == "'10ms' is a duration, expected a size such as 64MB");
  CHECK(error_of("dropped<=1.5").message ==
        "'1.5' is a decimal number, expected a whole number of messages such as 0");
  CHECK(error_of("dropped<=-1").message == "'-1' is negative, expected a whole number of messages such as 0");
  auto unit = error_of("p99<=2xs");
  CHECK(unit.message.starts_with("'2xs' is not a duration such as 200ms ("));
  CHECK(unit.location.offset == 5);
  auto empty = error_of("p99<=");
  CHECK(empty.message == "expected a duration such as 200ms after '<='");
  CHECK(empty.location.offset == 5);
}

TEST_CASE("a goal's diagnostic points into its text, so it renders with a caret under the wrong part",
          "[tune]") {
  std::string text = "p99 <= 2xs";
  auto error = error_of(text);
  CHECK(error.location.line == 1);
  CHECK(error.location.column == 8);  // the 8th byte: where the limit starts
  CHECK(render(SourceFile{"--goal", text}, error) ==
        "--goal:1:8: error: " + error.message + "\n    p99 <= 2xs\n           ^^^\n");
}

TEST_CASE("a goal no figure can meet is refused", "[tune]") {
  CHECK(error_of("dropped<0").message == "dropped<0 can never be met; expected a limit above zero");
  CHECK(error_of("p99<=0ms").message == "p99<=0ms can never be met; expected a limit above zero");
}

TEST_CASE("each metric reads its figure from a run's metrics", "[tune]") {
  RunMetrics metrics;
  metrics.edges.resize(2);
  metrics.edges[0].dropped = 3;
  metrics.edges[1].dropped = 4;
  metrics.latency_p50_s = 0.01;
  metrics.latency_p99_s = 0.02;
  metrics.latency_mean_s = 0.015;
  metrics.latency_max_s = 0.03;
  metrics.peak_payload_bytes = 4096;
  metrics.peak_messages = 12;
  CHECK(measure(Metric::Dropped, metrics) == 7);  // every edge's drops
  CHECK(measure(Metric::LatencyP50, metrics) == 0.01);
  CHECK(measure(Metric::LatencyP99, metrics) == 0.02);
  CHECK(measure(Metric::LatencyMean, metrics) == 0.015);
  CHECK(measure(Metric::LatencyMax, metrics) == 0.03);
  CHECK(measure(Metric::PeakBytes, metrics) == 4096);
  CHECK(measure(Metric::PeakMessages, metrics) == 12);
}

TEST_CASE("<= meets its limit, < does not, and a miss is measured against the limit", "[tune]") {
  CHECK(meets(goal_of("dropped<=2"), 2));
  CHECK_FALSE(meets(goal_of("dropped<2"), 2));
  CHECK(shortfall(goal_of("p99<=100ms"), 0.1) == 0);
  CHECK(shortfall(goal_of("p99<=100ms"), 0.15) == Approx(0.5));
  CHECK(shortfall(goal_of("dropped=0"), 3) == 3);  // a limit of 0 counts each message
  CHECK(shortfall(goal_of("dropped<2"), 2) > 0);
}

TEST_CASE("dropped with a limit in % is a share of what was produced, delivered a share to reach", "[tune]") {
  auto share = goal_of("dropped<0.1%");
  CHECK(share.metric == Metric::DroppedShare);
  CHECK(share.comparison == Comparison::Below);
  CHECK(share.limit == 0.1);  // in percent
  CHECK(goal_of("dropped=0%").limit == 0);
  auto delivered = goal_of("delivered>=99.9%");
  CHECK(delivered.metric == Metric::DeliveredShare);
  CHECK(delivered.comparison == Comparison::AtLeast);
  CHECK(delivered.limit == 99.9);
  CHECK(goal_of("delivered > 99%").comparison == Comparison::Above);
}

TEST_CASE("a share goal asks for its own direction and a share from 0% to 100%", "[tune]") {
  auto less = error_of("delivered<=99%");
  CHECK(less.message ==
        "expected >= or > after 'delivered': a goal on delivered is a share that a larger figure meets (e.g. "
        "delivered>=99.9%)");
  CHECK(less.location.offset == 9);
  CHECK(less.width == 2);
  CHECK(error_of("dropped>1%").message.starts_with("expected <=, < or = after 'dropped'"));
  CHECK(error_of("dropped<=150%").message ==
        "'150%' is not a share, expected a share such as 0.1% (from 0% to 100%)");
  CHECK(error_of("dropped<=2 %").message ==
        "'2 %' is not a share, expected a share such as 0.1% (from 0% to 100%)");
  CHECK(error_of("delivered>=99.9").message ==
        "'99.9' is not a share, expected a share such as 0.1% (from 0% to 100%)");
  CHECK(error_of("delivered>100%").message == "delivered>100% can never be met; expected a limit below 100%");
  CHECK(error_of("dropped<0%").message == "dropped<0% can never be met; expected a limit above zero");
  CHECK(error_of("dropped=1%").message == "'=' is only for dropped=0; write dropped<=1% for a limit");
}

TEST_CASE("the shares come from the sources' balance: dropped of produced, delivered of those not filtered",
          "[tune]") {
  RunMetrics metrics;
  // produced = delivered + dropped + filtered + errors, for each source.
  metrics.sources.push_back({"a", 600, 400, 1, 199, 0, std::nullopt});
  metrics.sources.push_back({"b", 400, 399, 0, 0, 1, std::nullopt});
  CHECK(measure(Metric::DroppedShare, metrics) == 0.1);                  // 1 of 1000
  CHECK(measure(Metric::DeliveredShare, metrics) == 100.0 * 799 / 801);  // 801 not filtered
  // A share equal to its limit compares equal: 1 of 1000 is 0.1% exactly.
  CHECK(meets(goal_of("dropped<=0.1%"), measure(Metric::DroppedShare, metrics)));
  CHECK_FALSE(meets(goal_of("dropped<0.1%"), measure(Metric::DroppedShare, metrics)));
  CHECK(meets(goal_of("delivered>=99.7%"), measure(Metric::DeliveredShare, metrics)));
  CHECK_FALSE(meets(goal_of("delivered>=99.8%"), measure(Metric::DeliveredShare, metrics)));
  // Nothing produced: nothing dropped, nothing lost.
  CHECK(measure(Metric::DroppedShare, RunMetrics{}) == 0);
  CHECK(measure(Metric::DeliveredShare, RunMetrics{}) == 100);
}

TEST_CASE("a delivered goal's worst seed is its least, and a miss is measured below the limit", "[tune]") {
  CHECK(worse(Metric::DeliveredShare, 99.0, 98.0) == 98.0);
  CHECK(worse(Metric::DroppedShare, 1.0, 2.0) == 2.0);
  CHECK(shortfall(goal_of("delivered>=90%"), 45) == Approx(0.5));
  CHECK(shortfall(goal_of("delivered>=90%"), 95) == 0);
}
