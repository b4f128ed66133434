#pragma once
// A lock-free latency histogram whose quantiles a user can quote (issue 22,
// item 2). The first kExact records are kept as they are, so a small run's
// quantiles are exact; later ones go to log-linear buckets, 128 to a power of
// two, whose midpoint is within 1/256 (0.4 %) of any sample in it. A quantile
// is always clamped to the exact minimum and maximum, so a constant latency
// reads as itself. Beside them it keeps the exact sum of the samples, so the
// mean is exact, not read from the buckets. The record path stays a handful
// of relaxed atomics: it runs for every message.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace flow::exec {

class LatencyHistogram {
 public:
  LatencyHistogram() = default;
  ~LatencyHistogram();
  LatencyHistogram(const LatencyHistogram&) = delete;
  LatencyHistogram& operator=(const LatencyHistogram&) = delete;
  LatencyHistogram(LatencyHistogram&&) = delete;
  LatencyHistogram& operator=(LatencyHistogram&&) = delete;

  /// Counts `count` samples of `latency` (a negative latency as zero).
  void record(std::chrono::nanoseconds latency, std::uint64_t count = 1);
  /// Adds every sample of `other` (not concurrently with records to `other`).
  void merge_into(LatencyHistogram& total) const;
  /// The q-quantile (0..1) in seconds, the sample of rank q × (count - 1)
  /// counted from 0; 0 when empty. Exact while at most kExact records were
  /// made; after that within 1/256 of that sample (a bucket's midpoint), and
  /// never outside [min_s(), max_s()].
  double quantile_s(double q) const;
  /// The smallest sample, exactly; 0 when empty.
  double min_s() const;
  /// The largest sample, exactly.
  double max_s() const;
  /// The mean in seconds, exactly (sum of the samples / their count); 0 when empty.
  double mean_s() const;
  /// How many samples were recorded.
  std::uint64_t count() const;
  /// For each of `upper_bounds_s` (ascending): how many samples took at most
  /// that long. A sample kept exactly counts under every bound it is within;
  /// one in a bucket only when all of the bucket is within the bound (a sample
  /// up to a bucket's width, 1/128, below a bound may count under the next,
  /// never under a bound it exceeds). One entry more at the end: the total.
  /// Read in one pass, so the counts never decrease and the last is the total.
  std::vector<std::uint64_t> cumulative_counts(std::span<const double> upper_bounds_s) const;

  /// How many records are kept exactly before the buckets take over.
  static constexpr std::size_t kExact = 1024;

 private:
  // A bucket is one of 128 equal parts of a power of two, so it is at most
  // 1/128 of its lowest value wide. Block 0 holds 0..127 ns one value each,
  // block b >= 1 the power of two [128, 256) << (b - 1): below 256 ns every
  // bucket is one nanosecond. Samples are below 2^63 ns (a signed count), so
  // 57 blocks cover them. A block (1 KiB) is allocated when a sample first
  // falls in it: a run's latencies span a few powers of two, not 57.
  static constexpr int kSubBits = 7;
  static constexpr std::size_t kSubBuckets = std::size_t{1} << kSubBits;
  static constexpr std::size_t kBlocks = 63 - kSubBits + 1;
  using Block = std::array<std::atomic<std::uint64_t>, kSubBuckets>;
  /// One record kept exactly; `count` is stored last and is never 0 once
  /// stored, so a reader skips a slot claimed but not yet written.
  struct Kept {
    std::atomic<std::uint64_t> ns{0};
    std::atomic<std::uint64_t> count{0};
  };
  using KeptRecords = std::array<Kept, kExact>;
  using Sample = std::pair<std::uint64_t, std::uint64_t>;  // ns, count

  static std::size_t block_of(std::uint64_t ns);
  static std::size_t sub_of(std::uint64_t ns, std::size_t block);
  static std::uint64_t low_ns(std::size_t block, std::size_t sub);
  static std::uint64_t width_ns(std::size_t block);
  Block& block_at(std::size_t block);
  [[gnu::noinline]] Block& new_block(std::size_t block);
  [[gnu::noinline]] bool keep(std::uint64_t ns, std::uint64_t count);
  KeptRecords& kept_records();
  void place(std::uint64_t ns, std::uint64_t count);
  void overflow();
  bool exact() const;
  std::vector<Sample> kept_sorted() const;
  std::uint64_t bucket_total() const;
  double bucket_quantile_ns(const std::vector<Sample>& kept, std::uint64_t rank) const;
  double clamp_ns(double ns) const;
  void add_sum(std::uint64_t ns, std::uint64_t count);
  void add_sum_words(std::uint64_t low, std::uint64_t high);
  static void raise(std::atomic<std::uint64_t>& to, std::uint64_t ns);
  static void lower(std::atomic<std::uint64_t>& to, std::uint64_t ns);

  std::atomic<KeptRecords*> kept_{nullptr};  // 16 KiB, allocated by the first record
  // How many records claimed a slot of kept_; past kExact, every record and
  // merge goes to the buckets, and readers read them. Read on every record,
  // written only by the first kExact + 1 or so: it shares a cache line with
  // the block pointers, min and max (read-mostly), not with the sum.
  std::atomic<std::uint64_t> claimed_{0};
  std::array<std::atomic<Block*>, kBlocks> blocks_{};
  std::atomic<std::uint64_t> min_ns_{UINT64_MAX};
  std::atomic<std::uint64_t> max_ns_{0};
  // The exact sum of the samples in nanoseconds, as a 128-bit number in two
  // words: a carry out of the low word is added to the high one by the one
  // record whose fetch_add wrapped it, so the sum never overflows or
  // saturates. 64 bits alone would: the sum is the integral of the messages
  // in flight over the run (Little's law), and a million in flight for five
  // hours passes 2^64 ns.
  alignas(64) std::atomic<std::uint64_t> sum_low_ns_{0};
  std::atomic<std::uint64_t> sum_high_ns_{0};
};

}  // namespace flow::exec
