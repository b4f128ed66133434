// The latency histogram against a sorted copy of its samples (issue 22, item
// 2). Its promise (docs/metrics.md, "How exact the quantiles are"): the
// q-quantile is the sample of rank q × (n - 1); exact while at most
// LatencyHistogram::kExact records were made; after that within 1/256 of that
// sample (a bucket of 1/128 of a power of two, reported at its midpoint), and
// never outside the exact minimum and maximum. The mean is exact.
#include "runtime/exec/histogram.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <memory>
#include <random>
#include <thread>
#include <vector>

using flow::exec::LatencyHistogram;
using namespace std::chrono_literals;

namespace {

constexpr double kBound = 1.0 / 256;  // the documented relative error past kExact records
constexpr std::size_t kExact = LatencyHistogram::kExact;

/// Samples and the histogram that recorded them, one record each.
struct Recorded {
  std::vector<std::uint64_t> ns;
  std::unique_ptr<LatencyHistogram> owned = std::make_unique<LatencyHistogram>();  // not movable: atomics
  LatencyHistogram& histogram() const { return *owned; }
  void record(std::uint64_t sample, std::uint64_t count = 1) {
    owned->record(std::chrono::nanoseconds(sample), count);
    ns.insert(ns.end(), count, sample);
  }
};

double seconds(std::uint64_t ns) {
  return static_cast<double>(ns) / 1e9;
}

/// Every per-mille quantile and the far tail of `h` against the sorted copy:
/// equal when `exact`, else within kBound of the sample of that rank. Returns
/// the worst relative error seen, so a case can also say it is not exact.
double check_quantiles(const LatencyHistogram& h, std::vector<std::uint64_t> ns, bool exact) {
  std::sort(ns.begin(), ns.end());
  REQUIRE(h.count() == ns.size());
  CHECK(h.min_s() == seconds(ns.front()));
  CHECK(h.max_s() == seconds(ns.back()));
  std::vector<double> qs{0.999, 0.9999, 0.99999};
  for (int per_mille = 0; per_mille <= 1000; ++per_mille) qs.push_back(per_mille / 1000.0);
  double worst = 0;
  double worst_q = 0;
  for (double q : qs) {
    auto rank = static_cast<std::uint64_t>(q * static_cast<double>(ns.size() - 1));
    double truth = seconds(ns[rank]);
    double reported = h.quantile_s(q);
    double error = truth == 0 ? (reported == 0 ? 0 : 1) : std::abs(reported - truth) / truth;
    if (error > worst) std::tie(worst, worst_q) = std::pair{error, q};
  }
  INFO(ns.size() << " samples; worst relative error " << worst << " at q = " << worst_q);
  if (exact) {
    CHECK(worst == 0);
  } else {
    CHECK(worst <= kBound * (1 + 1e-9));  // the 1e-9: nanoseconds to seconds in doubles
  }
  return worst;
}

std::mt19937_64 rng(std::uint64_t seed) {
  return std::mt19937_64(seed);
}

/// n samples from `draw` (nanoseconds as a double), clipped to [0, 2^62].
template <class Draw>
Recorded drawn(std::size_t n, Draw draw) {
  Recorded r;
  for (std::size_t i = 0; i < n; ++i) {
    double x = std::clamp(draw(), 0.0, std::ldexp(1.0, 62));
    r.record(static_cast<std::uint64_t>(x));
  }
  return r;
}

}  // namespace

TEST_CASE("an empty latency histogram reports zero", "[runtime][histogram]") {
  LatencyHistogram h;
  CHECK(h.quantile_s(0.5) == 0);
  CHECK(h.quantile_s(0.99) == 0);
  CHECK(h.min_s() == 0);
  CHECK(h.max_s() == 0);
  CHECK(h.mean_s() == 0);
  CHECK(h.count() == 0);
  CHECK(h.cumulative_counts(std::vector<double>{1e-3}) == std::vector<std::uint64_t>{0, 0});
}

TEST_CASE("a negative latency counts as zero and a record of no samples counts nothing",
          "[runtime][histogram]") {
  LatencyHistogram h;
  h.record(-5ms);
  h.record(7ms, 0);
  CHECK(h.count() == 1);
  CHECK(h.quantile_s(0.5) == 0);
  CHECK(h.max_s() == 0);
  CHECK(h.mean_s() == 0);
}

TEST_CASE("a constant latency reads as itself, however many samples", "[runtime][histogram]") {
  // 50 ms is in the bucket [49.81, 50.20) ms: past kExact records only the
  // clamp to the exact minimum and maximum makes it read 50 ms, not the midpoint.
  for (std::size_t records : {std::size_t{1}, kExact, kExact + 1, std::size_t{100000}}) {
    LatencyHistogram h;
    for (std::size_t i = 0; i < records; ++i) h.record(50ms);
    INFO(records << " records");
    CHECK(h.quantile_s(0.0) == 0.05);
    CHECK(h.quantile_s(0.5) == 0.05);
    CHECK(h.quantile_s(0.99) == 0.05);
    CHECK(h.quantile_s(1.0) == 0.05);
    CHECK(h.min_s() == 0.05);
    CHECK(h.mean_s() == 0.05);
  }
}

TEST_CASE("up to kExact records the quantiles are the sorted samples exactly", "[runtime][histogram]") {
  auto random = rng(1);
  std::exponential_distribution<double> exponential(1 / 3e6);  // mean 3 ms
  for (std::size_t n : {std::size_t{1}, std::size_t{2}, std::size_t{100}, kExact}) {
    auto r = drawn(n, [&] { return exponential(random); });
    check_quantiles(r.histogram(), r.ns, true);
  }
  // Records of many samples each: still kExact records, so still exact.
  Recorded many;
  std::uniform_int_distribution<std::uint64_t> value(1000, 9'000'000), count(1, 50);
  for (std::size_t i = 0; i < kExact; ++i) many.record(value(random), count(random));
  check_quantiles(many.histogram(), many.ns, true);
}

TEST_CASE("past kExact records every quantile is within 1/256 of the sorted samples",
          "[runtime][histogram]") {
  auto random = rng(2);
  std::exponential_distribution<double> exponential(1 / 3e6);
  std::uniform_real_distribution<double> unit(0, 1);
  std::lognormal_distribution<double> lognormal(std::log(10e6), 1.0);
  auto pareto = [&] { return 20e3 / std::pow(1 - unit(random), 1 / 1.1); };  // heavy: alpha 1.1 from 20 us
  for (std::size_t n : {kExact + 1, std::size_t{5000}, std::size_t{200000}}) {
    INFO(n << " samples");
    auto uniform = drawn(n, [&] { return 1e6 + unit(random) * 99e6; });  // 1 to 100 ms
    auto exp = drawn(n, [&] { return exponential(random); });
    auto heavy = drawn(n, pareto);
    auto log = drawn(n, [&] { return lognormal(random); });
    // A sample in the top half of its bucket is above the bucket's low end by
    // more than 1/256: reporting that end instead of the midpoint fails here.
    CHECK(check_quantiles(uniform.histogram(), uniform.ns, false) > 0);
    check_quantiles(exp.histogram(), exp.ns, false);
    check_quantiles(heavy.histogram(), heavy.ns, false);
    check_quantiles(log.histogram(), log.ns, false);
  }
}

TEST_CASE("tiny and huge latencies keep the bound: nanoseconds to centuries", "[runtime][histogram]") {
  auto random = rng(3);
  // 0 to 600 ns: one-nanosecond buckets below 256 ns, so zero reads as zero.
  std::uniform_int_distribution<std::uint64_t> tiny(0, 600);
  Recorded small;
  for (int i = 0; i < 20000; ++i) small.record(tiny(random));
  check_quantiles(small.histogram(), small.ns, false);
  CHECK(small.histogram().quantile_s(0) == 0);
  // Hours to 2^62 ns (146 years): the top powers of two.
  std::uniform_real_distribution<double> exponent(42, 62);
  auto huge = drawn(20000, [&] { return std::exp2(exponent(random)); });
  check_quantiles(huge.histogram(), huge.ns, false);
  // Every power of two from 1 ns, each step 1.5 % above the last.
  Recorded sweep;
  for (double ns = 1; ns < 0x1p62; ns *= 1.015) sweep.record(static_cast<std::uint64_t>(ns), 3);
  REQUIRE(sweep.ns.size() > 3 * kExact);
  check_quantiles(sweep.histogram(), sweep.ns, false);
}

TEST_CASE("merged latency histograms keep the bound, and stay exact while the records fit",
          "[runtime][histogram]") {
  auto random = rng(4);
  std::exponential_distribution<double> exponential(1 / 2e6);
  std::uniform_real_distribution<double> slow(40e6, 90e6);
  // 300 + 500 + 200 records: 1,000, within kExact, so the total is exact.
  auto a = drawn(300, [&] { return exponential(random); });
  auto b = drawn(500, [&] { return slow(random); });
  auto c = drawn(200, [&] { return exponential(random); });
  LatencyHistogram total;
  a.histogram().merge_into(total);
  b.histogram().merge_into(total);
  c.histogram().merge_into(total);
  std::vector<std::uint64_t> all = a.ns;
  all.insert(all.end(), b.ns.begin(), b.ns.end());
  all.insert(all.end(), c.ns.begin(), c.ns.end());
  check_quantiles(total, all, true);
  std::uint64_t sum = 0;
  for (auto ns : all) sum += ns;  // below 2^53: exact in a double
  CHECK(total.mean_s() == static_cast<double>(sum) / static_cast<double>(all.size()) / 1e9);
  // Merging leaves the parts as they were.
  check_quantiles(a.histogram(), a.ns, true);

  // One part past kExact (its buckets and its kept records both move), merged
  // into a total that already holds samples: the bound holds over all of them.
  auto big = drawn(30000, [&] { return slow(random); });
  big.histogram().merge_into(total);
  all.insert(all.end(), big.ns.begin(), big.ns.end());
  check_quantiles(total, all, false);
  check_quantiles(big.histogram(), big.ns, false);
  // Into an empty one, its kept records fill exactly kExact slots: its buckets must still be read.
  LatencyHistogram copy;
  big.histogram().merge_into(copy);
  check_quantiles(copy, big.ns, false);
}

TEST_CASE("records from several threads at once are all counted, past kExact too", "[runtime][histogram]") {
  // Four writers cross from kept records to buckets together while a reader
  // reads: nothing is lost or counted twice, and the count never goes down.
  constexpr int kThreads = 4;
  constexpr int kEach = 20000;
  LatencyHistogram h;
  std::vector<std::vector<std::uint64_t>> samples(kThreads);
  std::atomic<bool> done{false};
  std::thread reader([&] {
    std::uint64_t last = 0;
    bool fell = false;
    while (!done.load()) {
      auto now = h.count();
      fell = fell || now < last;
      last = now;
      (void)h.quantile_s(0.99);
    }
    CHECK_FALSE(fell);
  });
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      auto random = rng(10 + static_cast<std::uint64_t>(t));
      std::uniform_int_distribution<std::uint64_t> value(1000, 50'000'000);
      for (int i = 0; i < kEach; ++i) {
        auto ns = value(random);
        samples[static_cast<std::size_t>(t)].push_back(ns);
        h.record(std::chrono::nanoseconds(ns));
      }
    });
  }
  for (auto& writer : writers) writer.join();
  done = true;
  reader.join();
  std::vector<std::uint64_t> all;
  for (const auto& part : samples) all.insert(all.end(), part.begin(), part.end());
  check_quantiles(h, all, false);
}

TEST_CASE("latency quantiles never decrease with q", "[runtime][histogram]") {
  auto random = rng(5);
  std::exponential_distribution<double> exponential(1 / 1e6);
  for (std::size_t n : {std::size_t{500}, std::size_t{50000}}) {
    auto r = drawn(n, [&] { return exponential(random); });
    double last = 0;
    for (int per_mille = 0; per_mille <= 1000; ++per_mille) {
      double q = r.histogram().quantile_s(per_mille / 1000.0);
      CHECK(q >= last);
      last = q;
    }
  }
}

TEST_CASE("the latency mean is the exact sum over the count", "[runtime][histogram]") {
  LatencyHistogram h;
  h.record(1ms);
  h.record(2ms, 2);  // one call counts both samples
  h.record(6ms);
  // (1 + 2 + 2 + 6) / 4 = 2.75 ms exactly; p50, rank 0.5 × 3 = 1, is a 2 ms sample.
  CHECK(h.count() == 4);
  CHECK(h.mean_s() == 0.00275);
  CHECK(h.quantile_s(0.5) == 0.002);
  CHECK(h.max_s() == 0.006);

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

TEST_CASE("cumulative latency counts take a kept sample under every bound it is within",
          "[runtime][histogram]") {
  // What a Prometheus histogram's `le` buckets are made of. While its records
  // are kept, a sample counts under a bound exactly when it is at most the bound.
  const std::vector<double> bounds = {5e-9, 1e-4, 1e-3, 1e-2, 1e-1};
  LatencyHistogram h;
  h.record(5ns);
  h.record(6ns, 2);
  h.record(100us, 3);  // exactly on a bound: counts under it
  h.record(1001us);
  h.record(2s);
  CHECK(h.cumulative_counts(bounds) == std::vector<std::uint64_t>{1, 6, 6, 7, 7, 8});
}

TEST_CASE("cumulative latency counts take a bucketed sample under a bound it is below by a bucket's width",
          "[runtime][histogram]") {
  // Past kExact records a sample counts under a bound when its whole bucket is
  // within it: always when it is at most bound / (1 + 1/128), never when it
  // is above the bound.
  const std::vector<double> bounds = {1e-4, 1e-3, 1e-2, 1e-1};
  for (double ns = 1e3; ns < 1e9; ns *= 1.003) {
    LatencyHistogram h;
    for (std::size_t i = 0; i < kExact; ++i) h.record(1ns);  // fills the kept records
    h.record(std::chrono::nanoseconds(static_cast<std::int64_t>(ns)), 3);
    auto counts = h.cumulative_counts(bounds);
    REQUIRE(counts.size() == bounds.size() + 1);
    CHECK(counts.back() == kExact + 3);
    for (std::size_t i = 0; i < bounds.size(); ++i) {
      INFO(ns << " ns against " << bounds[i] << " s");
      if (ns <= bounds[i] * 1e9 / (1 + 1.0 / 128)) CHECK(counts[i] == kExact + 3);
      if (ns > bounds[i] * 1e9) CHECK(counts[i] == kExact);
    }
  }
}
