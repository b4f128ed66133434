#pragma once
// The one clock every timed thing of a run reads: the machine's steady clock,
// or, under `clock=virtual`, a simulated one (runtime/exec/virtual_clock.hpp)
// that the runtime installs on each thread while it works for that run. A
// thread-local pointer, not a global, so runs on different clocks can share a
// process and its TBB threads.
#include <atomic>
#include <chrono>

namespace flow {

/// Simulated time: it moves only when the runtime moves it.
class SimulatedTime {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  explicit SimulatedTime(time_point start) : ticks_(start.time_since_epoch().count()) {}
  SimulatedTime(const SimulatedTime&) = delete;
  SimulatedTime& operator=(const SimulatedTime&) = delete;

  time_point now() const noexcept {
    return time_point(std::chrono::steady_clock::duration(ticks_.load(std::memory_order_acquire)));
  }

 protected:
  ~SimulatedTime() = default;
  /// Never backwards: a time already passed leaves the clock where it is.
  void advance_to(time_point when) noexcept {
    auto ticks = when.time_since_epoch().count();
    if (ticks > ticks_.load(std::memory_order_relaxed)) ticks_.store(ticks, std::memory_order_release);
  }

 private:
  std::atomic<std::chrono::steady_clock::rep> ticks_;
};

namespace detail {
inline thread_local const SimulatedTime* current_simulated_time = nullptr;
}

/// std::chrono's clock requirements, with steady_clock's time points: a real
/// run's times are steady_clock's, so they mix with waits on condition variables.
struct Clock {
  using duration = std::chrono::steady_clock::duration;
  using rep = duration::rep;
  using period = duration::period;
  using time_point = std::chrono::steady_clock::time_point;
  static constexpr bool is_steady = true;

  static time_point now() noexcept {
    const SimulatedTime* simulated = detail::current_simulated_time;
    return simulated != nullptr ? simulated->now() : std::chrono::steady_clock::now();
  }
  /// True on a thread working for a run on the virtual clock: an operator that
  /// stands for work of some duration (spin) then waits for it in simulated time.
  static bool simulated() noexcept { return detail::current_simulated_time != nullptr; }
};

/// Makes `time` (null: the real clock) this thread's clock until it goes out of scope.
class ClockScope {
 public:
  explicit ClockScope(const SimulatedTime* time) noexcept : saved_(detail::current_simulated_time) {
    detail::current_simulated_time = time;
  }
  ~ClockScope() { detail::current_simulated_time = saved_; }
  ClockScope(const ClockScope&) = delete;
  ClockScope& operator=(const ClockScope&) = delete;

 private:
  const SimulatedTime* saved_;
};

}  // namespace flow
