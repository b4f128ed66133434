#pragma once
// What one process measures of one cut edge, beside what the runtime measures
// of the local hand-off: the transport's drops and redeliveries, the stream's
// fill as the server counts it, what the producers put into it, and what a
// stopped producer could not publish.
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>

#include "flow/message.hpp"

namespace flow::cut {

struct CutCounters {
  std::atomic<std::uint64_t> dropped{
      0};  ///< refused by a full stream (drop_newest), or discarded by it (drop_oldest)
  std::atomic<std::uint64_t> redelivered{
      0};                              ///< taken a second time: another process took it and did not finish it
  std::atomic<std::uint64_t> held{0};  ///< messages in the stream, at the last look
  std::atomic<std::uint64_t> high_water{0};  ///< most seen in the stream
  std::atomic<std::uint64_t> bytes_held{0};
  std::atomic<std::uint64_t> last_sequence{0};  ///< the stream's last sequence number, at the last look
  /// The consuming side: the last stream sequence delivered to the durable
  /// consumer when this process opened it. What the stream received after it
  /// is this run's input (`in` of the cut edge in the consuming part).
  std::atomic<std::uint64_t> sequence_base{0};

  void saw_stream(std::uint64_t messages, std::uint64_t bytes, std::uint64_t last) {
    held.store(messages, std::memory_order_relaxed);
    bytes_held.store(bytes, std::memory_order_relaxed);
    last_sequence.store(last, std::memory_order_relaxed);
    auto high = high_water.load(std::memory_order_relaxed);
    while (messages > high && !high_water.compare_exchange_weak(high, messages, std::memory_order_relaxed)) {
    }
  }

  /// A message the producing part could not publish before it was stopped:
  /// counted for its source (batch members one by one), as the runtime counts.
  void not_published(const Message& message) {
    std::lock_guard lock(unpublished_mutex_);
    ++unpublished_;
    count_for_sources(message);
  }
  std::uint64_t unpublished() const {
    std::lock_guard lock(unpublished_mutex_);
    return unpublished_;
  }
  /// Source node id (Message::source) → messages not published.
  std::map<std::uint32_t, std::uint64_t> unpublished_by_source() const {
    std::lock_guard lock(unpublished_mutex_);
    return unpublished_by_source_;
  }

 private:
  void count_for_sources(const Message& message) {
    if (!message.is_batch()) {
      ++unpublished_by_source_[message.source];
      return;
    }
    for (const auto& member : message.members) count_for_sources(member);
  }

  mutable std::mutex unpublished_mutex_;
  std::uint64_t unpublished_ = 0;  ///< messages as the stand-in sink took them (a batch is one)
  std::map<std::uint32_t, std::uint64_t> unpublished_by_source_;
};

}  // namespace flow::cut
