#include "runtime/exec/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace flow::exec {

// Below kSubBuckets ns a bucket holds one value; from there on, the bits
// after the leading one pick one of kSubBuckets equal parts of the power of two.
int LatencyHistogram::bucket_of(std::uint64_t ns) {
  if (ns < kSubBuckets) return static_cast<int>(ns);
  int exponent = static_cast<int>(std::bit_width(ns)) - 1;  // ns in [2^e, 2^(e+1))
  auto sub = static_cast<int>((ns >> (exponent - kSubBits)) & (kSubBuckets - 1));
  return exponent * kSubBuckets + sub;
}

double LatencyHistogram::midpoint_ns(int bucket) {
  if (bucket < kSubBuckets) return bucket;
  int exponent = bucket / kSubBuckets;
  int sub = bucket % kSubBuckets;
  double width = static_cast<double>(std::uint64_t{1} << exponent) / kSubBuckets;
  double low = static_cast<double>(std::uint64_t{1} << exponent) + sub * width;
  return low + width / 2;
}

double LatencyHistogram::end_ns(int bucket) {
  if (bucket < kSubBuckets) return bucket + 1;
  int exponent = bucket / kSubBuckets;
  // Buckets kSubBuckets up to 8 ns (exponents below kSubBits) are never filled: bucket_of
  // sends everything under 8 ns to the one-value buckets.
  if (exponent < kSubBits) return kSubBuckets;
  // In doubles: the last bucket ends at 2^64, and every end has at most four significant bits.
  return std::ldexp(kSubBuckets + bucket % kSubBuckets + 1, exponent - kSubBits);
}

void LatencyHistogram::add_sum(std::uint64_t ns, std::uint64_t count) {
  __extension__ using Wide = unsigned __int128;
  Wide product = static_cast<Wide>(ns) * count;  // < 2^127: ns < 2^63
  auto low = static_cast<std::uint64_t>(product);
  auto high = static_cast<std::uint64_t>(product >> 64);
  add_sum_words(low, high);
}

void LatencyHistogram::add_sum_words(std::uint64_t low, std::uint64_t high) {
  auto before = sum_low_ns_.fetch_add(low, std::memory_order_relaxed);
  if (before + low < before) ++high;  // this add wrapped the low word: carry one
  if (high != 0) sum_high_ns_.fetch_add(high, std::memory_order_relaxed);
}

void LatencyHistogram::record(std::chrono::nanoseconds latency, std::uint64_t count) {
  auto ns = static_cast<std::uint64_t>(latency.count() < 0 ? 0 : latency.count());
  buckets_[static_cast<std::size_t>(bucket_of(ns))].fetch_add(count, std::memory_order_relaxed);
  add_sum(ns, count);
  auto seen = max_ns_.load(std::memory_order_relaxed);
  while (ns > seen && !max_ns_.compare_exchange_weak(seen, ns, std::memory_order_relaxed)) {
  }
}

void LatencyHistogram::merge_into(LatencyHistogram& total) const {
  for (std::size_t i = 0; i < buckets_.size(); ++i) {
    auto n = buckets_[i].load(std::memory_order_relaxed);
    if (n) total.buckets_[i].fetch_add(n, std::memory_order_relaxed);
  }
  total.add_sum_words(sum_low_ns_.load(std::memory_order_relaxed),
                      sum_high_ns_.load(std::memory_order_relaxed));
  auto mine = max_ns_.load(std::memory_order_relaxed);
  auto seen = total.max_ns_.load(std::memory_order_relaxed);
  while (mine > seen && !total.max_ns_.compare_exchange_weak(seen, mine, std::memory_order_relaxed)) {
  }
}

std::uint64_t LatencyHistogram::count() const {
  std::uint64_t total = 0;
  for (const auto& bucket : buckets_) total += bucket.load(std::memory_order_relaxed);
  return total;
}

std::vector<std::uint64_t> LatencyHistogram::cumulative_counts(std::span<const double> upper_bounds_s) const {
  std::vector<std::uint64_t> counts(upper_bounds_s.size() + 1, 0);
  std::size_t next = 0;
  std::uint64_t seen = 0;
  for (int i = 0; i < kBuckets; ++i) {
    // A bucket holds whole nanoseconds below its end: all of it is within a
    // bound of b ns when its end is at most b + 1.
    while (next < upper_bounds_s.size() && end_ns(i) > std::round(upper_bounds_s[next] * 1e9) + 1) {
      counts[next++] = seen;
    }
    seen += buckets_[static_cast<std::size_t>(i)].load(std::memory_order_relaxed);
  }
  while (next < counts.size()) counts[next++] = seen;
  return counts;
}

double LatencyHistogram::mean_s() const {
  std::uint64_t samples = count();
  if (samples == 0) return 0;
  double sum_ns = static_cast<double>(sum_high_ns_.load(std::memory_order_relaxed)) * 0x1p64 +
                  static_cast<double>(sum_low_ns_.load(std::memory_order_relaxed));
  // Dividing by 1e9 rather than multiplying by 1e-9 (not exact in binary)
  // rounds once: 2.75 ms comes out as the double nearest 0.00275.
  return sum_ns / static_cast<double>(samples) / 1e9;
}

double LatencyHistogram::quantile_s(double q) const {
  std::uint64_t total = count();
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
