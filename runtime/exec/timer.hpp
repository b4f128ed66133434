#pragma once
// The run's timers. Work that must wait (delay, throttle, a source's next pull,
// a batch's flush deadline) is scheduled here instead of parking a worker
// thread; callbacks only hand work back to the graph, so they must be short
// and must not throw. Two kinds: ThreadTimer waits in real time on a thread of
// its own; VirtualClock (virtual_clock.hpp) fires them in simulated time.
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

#include "flow/message.hpp"

namespace flow::exec {

class Timer {
 public:
  virtual ~Timer() = default;
  /// Calls `callback` at `when` (as soon as it can if `when` has passed).
  virtual void at(Clock::time_point when, std::function<void()> callback) = 0;
  /// No callback runs after this returns; those not yet due are dropped, never called.
  virtual void stop() = 0;
};

/// Timers due at the same time fire in the order they were set.
class TimerQueue {
 public:
  void push(Clock::time_point when, std::function<void()> callback);
  bool empty() const { return entries_.empty(); }
  Clock::time_point earliest() const { return entries_.top().when; }
  std::function<void()> pop();
  void clear() { entries_ = {}; }

 private:
  struct Entry {
    Clock::time_point when;
    std::uint64_t order;
    std::function<void()> callback;
    bool operator>(const Entry& other) const {
      return when != other.when ? when > other.when : order > other.order;
    }
  };
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> entries_;
  std::uint64_t next_order_ = 0;
};

/// Real time: one thread for the whole run calls each callback when it is due.
class ThreadTimer final : public Timer {
 public:
  ThreadTimer();
  ~ThreadTimer() override;
  ThreadTimer(const ThreadTimer&) = delete;
  ThreadTimer& operator=(const ThreadTimer&) = delete;

  void at(Clock::time_point when, std::function<void()> callback) override;
  void stop() override;

 private:
  void loop();

  std::mutex mutex_;
  std::condition_variable wake_;
  TimerQueue entries_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace flow::exec
