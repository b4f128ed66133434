#include "runtime/exec/histogram.hpp"

#include <algorithm>
#include <bit>

namespace flow::exec {

int LatencyHistogram::bucket_of(std::uint64_t ns) {
  if (ns < 4) return static_cast<int>(ns);
  int exponent = static_cast<int>(std::bit_width(ns)) - 1;  // ns in [2^e, 2^(e+1))
  auto sub = static_cast<int>((ns >> (exponent - 2)) & (kSubBuckets - 1));
  return exponent * kSubBuckets + sub;
}

double LatencyHistogram::midpoint_ns(int bucket) {
  if (bucket < 4) return bucket;
  int exponent = bucket / kSubBuckets;
  int sub = bucket % kSubBuckets;
  double low = static_cast<double>(std::uint64_t{1} << exponent) * (1.0 + sub / 4.0);
  double width = static_cast<double>(std::uint64_t{1} << exponent) / 4.0;
  return low + width / 2;
}

void LatencyHistogram::record(std::chrono::nanoseconds latency, std::uint64_t count) {
  auto ns = static_cast<std::uint64_t>(latency.count() < 0 ? 0 : latency.count());
  buckets_[static_cast<std::size_t>(bucket_of(ns))].fetch_add(count, std::memory_order_relaxed);
  auto seen = max_ns_.load(std::memory_order_relaxed);
  while (ns > seen && !max_ns_.compare_exchange_weak(seen, ns, std::memory_order_relaxed)) {
  }
}

void LatencyHistogram::merge_into(LatencyHistogram& total) const {
  for (std::size_t i = 0; i < buckets_.size(); ++i) {
    auto n = buckets_[i].load(std::memory_order_relaxed);
    if (n) total.buckets_[i].fetch_add(n, std::memory_order_relaxed);
  }
  auto mine = max_ns_.load(std::memory_order_relaxed);
  auto seen = total.max_ns_.load(std::memory_order_relaxed);
  while (mine > seen && !total.max_ns_.compare_exchange_weak(seen, mine, std::memory_order_relaxed)) {
  }
}

double LatencyHistogram::quantile_s(double q) const {
  std::uint64_t total = 0;
  for (const auto& bucket : buckets_) total += bucket.load(std::memory_order_relaxed);
  if (total == 0) return 0;
  auto rank = static_cast<std::uint64_t>(q * static_cast<double>(total - 1));
  std::uint64_t seen = 0;
  for (int i = 0; i < kBuckets; ++i) {
    seen += buckets_[static_cast<std::size_t>(i)].load(std::memory_order_relaxed);
    if (seen > rank) return std::min(midpoint_ns(i), static_cast<double>(max_ns_.load())) * 1e-9;
  }
  return max_s();
}

double LatencyHistogram::max_s() const { return static_cast<double>(max_ns_.load(std::memory_order_relaxed)) * 1e-9; }

}  // namespace flow::exec
