#pragma once
// What one process measures of one cut edge, beside what the runtime measures
// of the local hand-off: the transport's drops and redeliveries, and the
// stream's fill as the server counts it.
#include <atomic>
#include <cstdint>

namespace flow::cut {

struct CutCounters {
  std::atomic<std::uint64_t> dropped{0};      ///< refused by a full stream (drop_newest), or discarded by it (drop_oldest)
  std::atomic<std::uint64_t> redelivered{0};  ///< taken a second time: another process took it and did not finish it
  std::atomic<std::uint64_t> held{0};         ///< messages in the stream, at the last look
  std::atomic<std::uint64_t> high_water{0};   ///< most seen in the stream
  std::atomic<std::uint64_t> bytes_held{0};

  void saw_held(std::uint64_t messages, std::uint64_t bytes) {
    held.store(messages, std::memory_order_relaxed);
    bytes_held.store(bytes, std::memory_order_relaxed);
    auto high = high_water.load(std::memory_order_relaxed);
    while (messages > high && !high_water.compare_exchange_weak(high, messages, std::memory_order_relaxed)) {
    }
  }
};

}  // namespace flow::cut
