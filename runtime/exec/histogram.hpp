#pragma once
// A lock-free latency histogram with logarithmic buckets (four per power of
// two, so a quantile is within about 19 % of the truth): cheap enough to
// record every message on the hot path.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>

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

 private:
  static constexpr int kSubBuckets = 4;
  static constexpr int kBuckets = 64 * kSubBuckets;
  static int bucket_of(std::uint64_t ns);
  static double midpoint_ns(int bucket);

  std::array<std::atomic<std::uint64_t>, kBuckets> buckets_{};
  std::atomic<std::uint64_t> max_ns_{0};
};

}  // namespace flow::exec
