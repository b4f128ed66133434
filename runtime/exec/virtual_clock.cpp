#include "runtime/exec/virtual_clock.hpp"

namespace flow::exec {

VirtualClock::VirtualClock(Clock::time_point start) : SimulatedTime(start) {}

void VirtualClock::at(Clock::time_point when, std::function<void()> callback) {
  std::lock_guard lock(mutex_);
  if (!stopped_) entries_.push(when, std::move(callback));
}

void VirtualClock::stop() {
  std::lock_guard lock(mutex_);
  stopped_ = true;
  entries_.clear();
}

std::optional<Clock::time_point> VirtualClock::next_timer() {
  std::lock_guard lock(mutex_);
  if (entries_.empty()) return std::nullopt;
  return entries_.earliest();
}

void VirtualClock::leave() {
  if (active_.fetch_sub(1, std::memory_order_acq_rel) == 1) drive();
}

void VirtualClock::drive() {
  while (true) {
    std::function<void()> callback;
    {
      std::lock_guard lock(mutex_);
      if (stopped_ || entries_.empty() || (over_ && over_())) return;
      // Work that entered since the count reached zero drives the clock when it leaves.
      long idle = 0;
      if (!active_.compare_exchange_strong(idle, 1, std::memory_order_acq_rel)) return;
      advance_to(entries_.earliest());
      callback = entries_.pop();
    }
    callback();
    if (active_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  }
}

}  // namespace flow::exec
