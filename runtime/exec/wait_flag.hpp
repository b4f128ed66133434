#pragma once
// A node's "waiting for X" flag (room downstream, input upstream) that can
// never go stale. The node sets it after it found X missing; the event that
// brings X clears it and wakes the node. Set plainly, the flag could land after
// such an event had already come and gone, and the node would sleep forever.
// So the event also counts itself, and the flag is set only if no event came
// since the node looked (the count it read before looking).
#include <atomic>
#include <cstdint>

namespace flow::exec {

class WaitFlag {
 public:
  /// Read before looking for X.
  std::uint64_t epoch() const { return state_.load(std::memory_order_acquire) >> 1; }
  bool waiting() const { return (state_.load(std::memory_order_acquire) & 1) != 0; }

  /// X was missing when looked for at `epoch`: wait, unless it came since.
  void wait(std::uint64_t epoch) {
    auto expected = epoch << 1;
    state_.compare_exchange_strong(expected, expected | 1, std::memory_order_acq_rel);
  }
  /// X was found after all: stop waiting.
  void found() {
    auto state = state_.load(std::memory_order_relaxed);
    while ((state & 1) != 0 && !state_.compare_exchange_weak(state, state & ~std::uint64_t{1})) {
    }
  }
  /// X came: stop waiting, and count the event.
  void arrived() {
    auto state = state_.load(std::memory_order_relaxed);
    while (!state_.compare_exchange_weak(state, ((state >> 1) + 1) << 1, std::memory_order_acq_rel)) {
    }
  }

 private:
  std::atomic<std::uint64_t> state_{0};  ///< bit 0: waiting; the rest: events so far
};

}  // namespace flow::exec
