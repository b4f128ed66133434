#pragma once
// A lock-free latency histogram with logarithmic buckets (eight per power of
// two, so a quantile is within about 9 % of the truth): cheap enough to
// record every message on the hot path. Beside the buckets it keeps the exact
// sum of the samples, so the mean is exact, not read from the buckets.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <span>
#include <vector>

namespace flow::exec {

class LatencyHistogram {
 public:
  /// Counts `count` samples of `latency`.
  void record(std::chrono::nanoseconds latency, std::uint64_t count = 1);
  /// Adds every sample of `other` (not concurrently with records to `other`).
  void merge_into(LatencyHistogram& total) const;
  /// The q-quantile (0..1) in seconds; 0 when empty. Reports the bucket's midpoint.
  double quantile_s(double q) const;
  /// The largest sample, exactly.
  double max_s() const;
  /// The mean in seconds, exactly (sum of the samples / their count); 0 when empty.
  double mean_s() const;
  /// How many samples were recorded.
  std::uint64_t count() const;
  /// For each of `upper_bounds_s` (ascending): how many samples took at most
  /// that long, counting a bucket only when all of it is within the bound (a
  /// sample up to a bucket's width, 12.5 %, below a bound counts under the
  /// next one, never under a bound it exceeds). One entry more at the end: the
  /// total. Read in one pass, so the counts never decrease and the last is the total.
  std::vector<std::uint64_t> cumulative_counts(std::span<const double> upper_bounds_s) const;

 private:
  // Doubling from 4 to 8 cost 2 KiB more per histogram and nothing per
  // record (the same shift and mask); quantile_s and merge_into, which run
  // once per report, scan 512 counters instead of 256.
  static constexpr int kSubBits = 3;
  static constexpr int kSubBuckets = 1 << kSubBits;
  static constexpr int kBuckets = 64 * kSubBuckets;
  static int bucket_of(std::uint64_t ns);
  static double midpoint_ns(int bucket);
  static double end_ns(int bucket);  // the first nanosecond past the bucket
  void add_sum(std::uint64_t ns, std::uint64_t count);
  void add_sum_words(std::uint64_t low, std::uint64_t high);

  std::array<std::atomic<std::uint64_t>, kBuckets> buckets_{};
  std::atomic<std::uint64_t> max_ns_{0};
  // The exact sum of the samples in nanoseconds, as a 128-bit number in two
  // words: a carry out of the low word is added to the high one by the one
  // record whose fetch_add wrapped it, so the sum never overflows or
  // saturates. 64 bits alone would: the sum is the integral of the messages
  // in flight over the run (Little's law), and a million in flight for five
  // hours passes 2^64 ns. The count is the buckets' total, kept by them.
  std::atomic<std::uint64_t> sum_low_ns_{0};
  std::atomic<std::uint64_t> sum_high_ns_{0};
};

}  // namespace flow::exec
