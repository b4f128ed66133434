#pragma once
// The virtual clock (`clock=virtual`): simulated time that stands still while
// any worker has work and, when none has, jumps to the earliest timer and
// fires it — tokio's paused clock with auto-advance, for a whole pipeline.
//
// "Work" is counted: every task put into the graph enters before it is put
// and leaves when its body returns; a timer's callback holds one count while
// it runs. The thread whose leave() brings the count to zero fires the next
// timer itself, inline, so an event costs no thread switch. The runtime runs a
// virtual run on one TBB thread, so only one thing happens at a time and the
// same seed gives the same run (docs/capacity.md).
#include <atomic>
#include <functional>
#include <mutex>
#include <optional>

#include "runtime/exec/timer.hpp"

namespace flow::exec {

class VirtualClock final : public Timer, public SimulatedTime {
 public:
  /// Starts at `start`, with no work counted: the first leave() comes from
  /// the work that starts the run (GraphBuilder::execute).
  explicit VirtualClock(Clock::time_point start);

  void at(Clock::time_point when, std::function<void()> callback) override;
  void stop() override;

  /// A piece of work begins (a task is about to be put into the graph).
  void enter() noexcept { active_.fetch_add(1, std::memory_order_acq_rel); }
  /// A piece of work is done; the last one advances the clock and fires timers.
  void leave();
  /// The time of the earliest timer set and not yet fired, if any.
  std::optional<Clock::time_point> next_timer();
  /// Once `over` says so, the clock stops: the run has ended at the time it reads.
  void halt_when(std::function<bool()> over) { over_ = std::move(over); }

 private:
  /// Fires due timers, one at a time, for as long as no work is left after one.
  void drive();

  std::atomic<long> active_{0};
  std::mutex mutex_;  ///< guards entries_ and stopped_
  TimerQueue entries_;
  bool stopped_ = false;
  std::function<bool()> over_;
};

}  // namespace flow::exec
