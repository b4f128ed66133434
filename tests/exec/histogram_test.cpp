// The latency histogram against known samples. Its buckets are eight per power
// of two: a sample in [2^e × (1 + k/8), 2^e × (1 + (k+1)/8)) is reported as the
// bucket's midpoint, so a quantile is within 6.25 % of the sample (the header
// promises about 9 %, the width of a bucket: 2^(1/8) = 1.09), and never above
// the largest sample. The mean is not read from the buckets: it is exact.
#include "runtime/exec/histogram.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <vector>

using flow::exec::LatencyHistogram;
using namespace std::chrono_literals;

namespace {

// The documented resolution: a bucket is an eighth of a power of two wide.
constexpr double kResolution = 0.09;

bool within_resolution(double reported_s, double true_s) {
  return reported_s >= true_s / (1 + kResolution) && reported_s <= true_s * (1 + kResolution);
}

}  // namespace

TEST_CASE("an empty latency histogram reports zero", "[runtime][histogram]") {
  LatencyHistogram h;
  CHECK(h.quantile_s(0.5) == 0);
  CHECK(h.quantile_s(0.99) == 0);
  CHECK(h.max_s() == Approx(0));
  CHECK(h.mean_s() == 0);
  CHECK(h.count() == 0);
}

TEST_CASE("a latency histogram reports below 8 ns exactly and a negative latency as zero",
          "[runtime][histogram]") {
  // Buckets 0..7 hold 0..7 ns one value each: their midpoint is the value.
  for (int ns = 0; ns < 8; ++ns) {
    LatencyHistogram h;
    h.record(std::chrono::nanoseconds(ns));
    INFO(ns);
    CHECK(h.quantile_s(0.5) == ns * 1e-9);
    CHECK(h.max_s() == ns * 1e-9);
  }
  LatencyHistogram h;
  h.record(-5ms);
  CHECK(h.quantile_s(0.5) == 0);
  CHECK(h.max_s() == Approx(0));
  CHECK(h.mean_s() == 0);
}

TEST_CASE("a latency sample is reported within a bucket's width from 8 ns to 100 s", "[runtime][histogram]") {
  // Steps of 1.5 % visit every bucket of every power of two from 8 ns on. A
  // sample v in [low, low × 1.125) is reported as the midpoint low × 1.0625:
  // between 0.944 v (1.0625 / 1.125) and 1.0625 v. A bucket off by
  // one is an eighth of a power of two away, outside that. One sample of an
  // hour keeps the report from being capped at the maximum, which would hide a
  // bucket that is too high.
  for (double ns = 8; ns < 1e11; ns *= 1.015) {
    auto sample = std::chrono::nanoseconds(static_cast<std::int64_t>(ns));
    double true_s = static_cast<double>(sample.count()) * 1e-9;
    LatencyHistogram h;
    h.record(sample, 2);
    h.record(1h);
    double reported = h.quantile_s(0.5);  // rank 0.5 × 2 = 1: the sample's bucket
    INFO(sample.count() << " ns reported as " << reported << " s");
    CHECK(within_resolution(reported, true_s));
    CHECK(reported >= true_s * 0.944);
    CHECK(reported <= true_s * 1.0625);
    CHECK(h.max_s() == Approx(3600.0));

    // Alone, the sample is also the maximum, which is exact and caps the report.
    LatencyHistogram alone;
    alone.record(sample);
    CHECK(alone.max_s() == Approx(true_s).epsilon(1e-12));
    CHECK(alone.quantile_s(0.99) <= alone.max_s());
    CHECK(alone.quantile_s(0.99) >= true_s * 0.944);
  }
}

TEST_CASE("latency quantiles of 1 to 100 ms are the 50th and 99th samples within the resolution",
          "[runtime][histogram]") {
  LatencyHistogram h;
  for (int ms = 100; ms >= 1; --ms) h.record(std::chrono::milliseconds(ms));  // order does not matter
  // The q-quantile is the sample of rank q × (n - 1), counted from 0: 49 → 50 ms, 98 → 99 ms.
  CHECK(within_resolution(h.quantile_s(0.5), 0.050));
  CHECK(within_resolution(h.quantile_s(0.99), 0.099));
  CHECK(within_resolution(h.quantile_s(0.0), 0.001));
  CHECK(h.max_s() == Approx(0.1));
  // Quantiles never decrease with q.
  double last = 0;
  for (int percent = 0; percent <= 100; ++percent) {
    double q = h.quantile_s(percent / 100.0);
    CHECK(q >= last);
    last = q;
  }
}

TEST_CASE("a latency tail of 2 % moves p99 but not p50", "[runtime][histogram]") {
  LatencyHistogram h;
  h.record(1ms, 980);  // one call counts many samples
  h.record(1s, 20);
  // Of 1,000 samples, rank 0.5 × 999 = 499 is among the 980 at 1 ms, rank
  // 0.99 × 999 = 989 among the 20 at 1 s.
  CHECK(within_resolution(h.quantile_s(0.5), 0.001));
  CHECK(within_resolution(h.quantile_s(0.99), 1.0));
  CHECK(h.max_s() == Approx(1.0));

  // With the tail at 1 %, rank 989 falls among the 990 at 1 ms.
  LatencyHistogram thin;
  thin.record(1ms, 990);
  thin.record(1s, 10);
  CHECK(within_resolution(thin.quantile_s(0.99), 0.001));
  CHECK(thin.max_s() == Approx(1.0));
}

TEST_CASE("merged latency histograms report the quantiles and maximum of all their samples",
          "[runtime][histogram]") {
  LatencyHistogram fast, slow, total;
  fast.record(2ms, 60);
  slow.record(40ms, 40);
  slow.record(90ms);
  fast.merge_into(total);
  slow.merge_into(total);
  // 101 samples: ranks 0..59 at 2 ms, 60..99 at 40 ms, 100 at 90 ms.
  CHECK(within_resolution(total.quantile_s(0.5), 0.002));   // rank 50
  CHECK(within_resolution(total.quantile_s(0.99), 0.040));  // rank 99
  CHECK(within_resolution(total.quantile_s(1.0), 0.090));   // rank 100
  CHECK(total.max_s() == Approx(0.09));
  // Merging leaves the parts as they were.
  CHECK(within_resolution(fast.quantile_s(0.99), 0.002));
  CHECK(fast.max_s() == Approx(0.002));
}

TEST_CASE("the latency mean is the exact sum over the count, where p50 is only a bucket's midpoint",
          "[runtime][histogram]") {
  LatencyHistogram h;
  h.record(1ms);
  h.record(2ms, 2);  // one call counts both samples
  h.record(6ms);
  // (1 + 2 + 2 + 6) / 4 = 2.75 ms exactly. p50 (rank 0.5 × 3 = 1) is a 2 ms
  // sample, 2,000,000 ns in the bucket [2^20 × 1.875, 2^21) ns, reported as
  // its midpoint 2^20 × 1.9375 ns = 2.03 ms.
  CHECK(h.count() == 4);
  CHECK(h.mean_s() == 0.00275);
  CHECK(h.quantile_s(0.5) == 1048576 * 1.9375 * 1e-9);
  CHECK(h.quantile_s(0.5) != 0.002);
  CHECK(h.max_s() == Approx(0.006));

  // Merged, the sums add as the samples do: (11 ms + 4 × 3 ms) / 8.
  LatencyHistogram other, total;
  other.record(3ms, 4);
  h.merge_into(total);
  other.merge_into(total);
  CHECK(total.count() == 8);
  CHECK(total.mean_s() == 0.023 / 8);
}

TEST_CASE("the latency mean stays exact past 2^64 ns of summed latency", "[runtime][histogram]") {
  // 2^64 ns is 584 years of summed latency: a million messages in flight for
  // five hours. Samples of 2^62 ns pass it in three ways.
  const auto quarter = std::chrono::nanoseconds(std::int64_t{1} << 62);
  const double quarter_s = std::ldexp(1.0, 62) / 1e9;

  LatencyHistogram carried;  // 3 × 2^62, then 2^62 more: the second add wraps the low word
  carried.record(quarter, 3);
  carried.record(quarter);
  CHECK(carried.count() == 4);
  CHECK(carried.mean_s() == quarter_s);

  LatencyHistogram wide;  // 8 × 2^62 = 2^65 in one record: the product is past 64 bits
  wide.record(quarter, 8);
  CHECK(wide.mean_s() == quarter_s);

  LatencyHistogram part, total;  // 3 × 2^62 merged twice: the merge carries
  part.record(quarter, 3);
  part.merge_into(total);
  part.merge_into(total);
  CHECK(total.count() == 6);
  CHECK(total.mean_s() == quarter_s);
}

TEST_CASE("cumulative latency counts take a sample under every bound it is below by a bucket's width",
          "[runtime][histogram]") {
  // What a Prometheus histogram's `le` buckets are made of. A sample counts
  // under a bound when its whole bucket is within it: always when the sample
  // is at most bound / 1.125 (a bucket is an eighth of a power of two wide),
  // never when it is above the bound.
  const std::vector<double> bounds = {1e-4, 1e-3, 1e-2, 1e-1};
  for (double ns = 1e3; ns < 1e9; ns *= 1.015) {
    LatencyHistogram h;
    h.record(std::chrono::nanoseconds(static_cast<std::int64_t>(ns)), 3);
    auto counts = h.cumulative_counts(bounds);
    REQUIRE(counts.size() == bounds.size() + 1);
    CHECK(counts.back() == 3);
    for (std::size_t i = 0; i < bounds.size(); ++i) {
      INFO(ns << " ns against " << bounds[i] << " s");
      if (ns <= bounds[i] * 1e9 / 1.125) CHECK(counts[i] == 3);
      if (ns > bounds[i] * 1e9) CHECK(counts[i] == 0);
    }
  }
}

TEST_CASE("cumulative latency counts add up the samples below each bound and end with the total",
          "[runtime][histogram]") {
  LatencyHistogram h;
  h.record(1ms, 3);
  h.record(8ms, 2);  // 8 ms is below 10 ms / 1.125
  h.record(50ms);
  h.record(2s);
  const std::vector<double> bounds = {0.01, 0.1, 1};
  CHECK(h.cumulative_counts(bounds) == std::vector<std::uint64_t>{5, 6, 6, 7});

  // Below 8 ns a bucket is one nanosecond: a bound of 5 ns takes 5 ns and not 6.
  LatencyHistogram tiny;
  tiny.record(5ns);
  tiny.record(6ns, 2);
  CHECK(tiny.cumulative_counts(std::vector<double>{5e-9}) == std::vector<std::uint64_t>{1, 3});
  CHECK(LatencyHistogram{}.cumulative_counts(bounds) == std::vector<std::uint64_t>{0, 0, 0, 0});
}
