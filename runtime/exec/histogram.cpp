#include "runtime/exec/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace flow::exec {

LatencyHistogram::~LatencyHistogram() {
  for (auto& block : blocks_) delete block.load(std::memory_order_relaxed);
  delete kept_.load(std::memory_order_relaxed);
}

// ---------------------------------------------------------------- buckets

// Below 128 ns (block 0) the sample is its own bucket; from there on the
// bit width picks the power of two and the kSubBits bits after the leading
// one pick its part.
std::size_t LatencyHistogram::block_of(std::uint64_t ns) {
  auto width = static_cast<std::size_t>(std::bit_width(ns));
  return width <= kSubBits ? 0 : width - kSubBits;
}

std::size_t LatencyHistogram::sub_of(std::uint64_t ns, std::size_t block) {
  if (block == 0) return static_cast<std::size_t>(ns);
  return static_cast<std::size_t>(ns >> (block - 1)) - kSubBuckets;
}

std::uint64_t LatencyHistogram::low_ns(std::size_t block, std::size_t sub) {
  if (block == 0) return sub;
  return static_cast<std::uint64_t>(kSubBuckets + sub) << (block - 1);
}

std::uint64_t LatencyHistogram::width_ns(std::size_t block) {
  return block == 0 ? 1 : std::uint64_t{1} << (block - 1);
}

LatencyHistogram::Block& LatencyHistogram::block_at(std::size_t block) {
  Block* present = blocks_[block].load(std::memory_order_acquire);
  return present != nullptr ? *present : new_block(block);
}

// The first sample in this power of two: racing records each allocate one,
// the first to publish it wins and the others free theirs.
LatencyHistogram::Block& LatencyHistogram::new_block(std::size_t block) {
  Block* present = nullptr;
  auto* fresh = new Block{};
  if (blocks_[block].compare_exchange_strong(present, fresh, std::memory_order_acq_rel)) return *fresh;
  delete fresh;
  return *present;
}

// ---------------------------------------------------------------- recording

// Claims one of the kExact slots while any is left (the caller has seen
// claimed_ at most kExact: past it, a record costs one load here).
bool LatencyHistogram::keep(std::uint64_t ns, std::uint64_t count) {
  auto slot = claimed_.fetch_add(1, std::memory_order_relaxed);
  if (slot >= kExact) return false;  // this one made claimed_ pass kExact: readers now read the buckets
  Kept& kept = kept_records()[slot];
  kept.ns.store(ns, std::memory_order_relaxed);
  kept.count.store(count, std::memory_order_release);
  return true;
}

// Allocated with the first record, as a block is: a histogram that records
// nothing (a node that never runs) costs no more than its pointers.
LatencyHistogram::KeptRecords& LatencyHistogram::kept_records() {
  KeptRecords* present = kept_.load(std::memory_order_acquire);
  if (present != nullptr) return *present;
  auto* fresh = new KeptRecords{};
  if (kept_.compare_exchange_strong(present, fresh, std::memory_order_acq_rel)) return *fresh;
  delete fresh;
  return *present;
}

void LatencyHistogram::place(std::uint64_t ns, std::uint64_t count) {
  if (claimed_.load(std::memory_order_relaxed) <= kExact && keep(ns, count)) return;
  std::size_t block = block_of(ns);
  block_at(block)[sub_of(ns, block)].fetch_add(count, std::memory_order_relaxed);
}

// Marks the buckets as in use without a record to claim a slot with (a merge).
void LatencyHistogram::overflow() {
  auto seen = claimed_.load(std::memory_order_relaxed);
  while (seen <= kExact && !claimed_.compare_exchange_weak(seen, kExact + 1, std::memory_order_relaxed)) {
  }
}

void LatencyHistogram::raise(std::atomic<std::uint64_t>& to, std::uint64_t ns) {
  auto seen = to.load(std::memory_order_relaxed);
  while (ns > seen && !to.compare_exchange_weak(seen, ns, std::memory_order_relaxed)) {
  }
}

void LatencyHistogram::lower(std::atomic<std::uint64_t>& to, std::uint64_t ns) {
  auto seen = to.load(std::memory_order_relaxed);
  while (ns < seen && !to.compare_exchange_weak(seen, ns, std::memory_order_relaxed)) {
  }
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
  if (count == 0) return;
  auto ns = static_cast<std::uint64_t>(latency.count() < 0 ? 0 : latency.count());
  place(ns, count);
  add_sum(ns, count);
  lower(min_ns_, ns);
  raise(max_ns_, ns);
}

void LatencyHistogram::merge_into(LatencyHistogram& total) const {
  // The kept records stay exact in the total while it has slots for them.
  for (const auto& [ns, count] : kept_sorted()) total.place(ns, count);
  for (std::size_t b = 0; b < kBlocks; ++b) {
    const Block* block = blocks_[b].load(std::memory_order_acquire);
    if (block == nullptr) continue;
    for (std::size_t sub = 0; sub < kSubBuckets; ++sub) {
      auto n = (*block)[sub].load(std::memory_order_relaxed);
      if (n == 0) continue;
      total.overflow();
      total.block_at(b)[sub].fetch_add(n, std::memory_order_relaxed);
    }
  }
  total.add_sum_words(sum_low_ns_.load(std::memory_order_relaxed),
                      sum_high_ns_.load(std::memory_order_relaxed));
  lower(total.min_ns_, min_ns_.load(std::memory_order_relaxed));
  raise(total.max_ns_, max_ns_.load(std::memory_order_relaxed));
}

// ---------------------------------------------------------------- reading

bool LatencyHistogram::exact() const {
  return claimed_.load(std::memory_order_acquire) <= kExact;
}

std::vector<LatencyHistogram::Sample> LatencyHistogram::kept_sorted() const {
  auto claimed = std::min<std::uint64_t>(claimed_.load(std::memory_order_acquire), kExact);
  const KeptRecords* records = kept_.load(std::memory_order_acquire);
  std::vector<Sample> kept;
  if (records == nullptr) return kept;
  kept.reserve(claimed);
  for (std::size_t i = 0; i < claimed; ++i) {
    auto count = (*records)[i].count.load(std::memory_order_acquire);
    if (count != 0) kept.emplace_back((*records)[i].ns.load(std::memory_order_relaxed), count);
  }
  std::sort(kept.begin(), kept.end());
  return kept;
}

std::uint64_t LatencyHistogram::bucket_total() const {
  std::uint64_t total = 0;
  for (const auto& pointer : blocks_) {
    const Block* block = pointer.load(std::memory_order_acquire);
    if (block == nullptr) continue;
    for (const auto& bucket : *block) total += bucket.load(std::memory_order_relaxed);
  }
  return total;
}

std::uint64_t LatencyHistogram::count() const {
  std::uint64_t total = bucket_total();
  auto claimed = std::min<std::uint64_t>(claimed_.load(std::memory_order_acquire), kExact);
  const KeptRecords* records = kept_.load(std::memory_order_acquire);
  if (records == nullptr) return total;
  for (std::size_t i = 0; i < claimed; ++i) total += (*records)[i].count.load(std::memory_order_acquire);
  return total;
}

// A record that raced the read may have counted its sample and not yet its
// minimum: then the range is the maximum alone.
double LatencyHistogram::clamp_ns(double ns) const {
  auto low = static_cast<double>(min_ns_.load(std::memory_order_relaxed));
  auto high = static_cast<double>(max_ns_.load(std::memory_order_relaxed));
  return std::clamp(ns, std::min(low, high), high);
}

// The buckets and the kept records together, walked in order of value: a kept
// record counts in the bucket its value falls in. Reports the midpoint of the
// whole nanoseconds the bucket holds, so a one-nanosecond bucket reads exactly.
double LatencyHistogram::bucket_quantile_ns(const std::vector<Sample>& kept, std::uint64_t rank) const {
  std::uint64_t seen = 0;
  std::size_t next = 0;
  for (std::size_t b = 0; b < kBlocks; ++b) {
    const Block* block = blocks_[b].load(std::memory_order_acquire);
    bool kept_here = next < kept.size() && block_of(kept[next].first) == b;
    if (block == nullptr && !kept_here) continue;
    for (std::size_t sub = 0; sub < kSubBuckets; ++sub) {
      if (block != nullptr) seen += (*block)[sub].load(std::memory_order_relaxed);
      while (next < kept.size() && block_of(kept[next].first) == b && sub_of(kept[next].first, b) == sub) {
        seen += kept[next++].second;
      }
      if (seen > rank) return static_cast<double>(low_ns(b, sub)) + static_cast<double>(width_ns(b) - 1) / 2;
    }
  }
  return static_cast<double>(max_ns_.load(std::memory_order_relaxed));  // a record raced the count
}

double LatencyHistogram::quantile_s(double q) const {
  bool all_kept = exact();
  auto kept = kept_sorted();
  std::uint64_t total = 0;
  for (const auto& sample : kept) total += sample.second;
  if (!all_kept) total += bucket_total();
  if (total == 0) return 0;
  auto rank = static_cast<std::uint64_t>(std::clamp(q, 0.0, 1.0) * static_cast<double>(total - 1));
  double ns = 0;
  if (all_kept) {
    std::uint64_t seen = 0;
    for (const auto& [value, count] : kept) {
      seen += count;
      ns = static_cast<double>(value);
      if (seen > rank) break;
    }
  } else {
    ns = bucket_quantile_ns(kept, rank);
  }
  // Dividing by 1e9 rounds once: 50 ms comes out as the double nearest 0.05.
  return clamp_ns(ns) / 1e9;
}

double LatencyHistogram::min_s() const {
  auto ns = min_ns_.load(std::memory_order_relaxed);
  return ns == UINT64_MAX ? 0 : static_cast<double>(ns) / 1e9;
}

double LatencyHistogram::max_s() const {
  return static_cast<double>(max_ns_.load(std::memory_order_relaxed)) / 1e9;
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

std::vector<std::uint64_t> LatencyHistogram::cumulative_counts(std::span<const double> upper_bounds_s) const {
  std::vector<std::uint64_t> counts(upper_bounds_s.size() + 1, 0);
  auto kept = kept_sorted();
  std::size_t next_kept = 0;
  std::size_t next = 0;
  std::uint64_t seen = 0;
  // Adds `n` samples that are within a bound of `needs_ns` or more, after
  // closing every bound below that. A kept record needs its value; a bucket,
  // which holds whole nanoseconds below its end, needs its end - 1. Walked in
  // order of what they need, so each bound is closed once, in order.
  auto add = [&](std::uint64_t needs_ns, std::uint64_t n) {
    while (next < upper_bounds_s.size() &&
           static_cast<double>(needs_ns) > std::round(upper_bounds_s[next] * 1e9)) {
      counts[next++] = seen;
    }
    seen += n;
  };
  for (std::size_t b = 0; b < kBlocks; ++b) {
    const Block* block = blocks_[b].load(std::memory_order_acquire);
    for (std::size_t sub = 0; sub < kSubBuckets; ++sub) {
      std::uint64_t last = low_ns(b, sub) + width_ns(b) - 1;  // the bucket's last nanosecond
      for (; next_kept < kept.size() && kept[next_kept].first <= last; ++next_kept) {
        add(kept[next_kept].first, kept[next_kept].second);
      }
      std::uint64_t n = block == nullptr ? 0 : (*block)[sub].load(std::memory_order_relaxed);
      if (n != 0) add(last, n);
    }
  }
  while (next < counts.size()) counts[next++] = seen;
  return counts;
}

}  // namespace flow::exec
