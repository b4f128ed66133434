#pragma once
// One timer thread for the whole run. Work that must wait (delay, throttle, a
// source's next pull, a batch's flush deadline) is scheduled here instead of
// parking a worker thread; callbacks only hand work back to the graph, so
// they must be short and must not throw.
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

#include "runtime/ops/message.hpp"

namespace flow::exec {

class Timer {
 public:
  Timer();
  ~Timer();
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  /// Calls `callback` on the timer thread at `when` (at once if it has passed).
  void at(Clock::time_point when, std::function<void()> callback);

  /// Stops the thread; callbacks not yet due are dropped, never called.
  void stop();

 private:
  struct Entry {
    Clock::time_point when;
    std::uint64_t order;  ///< equal times fire in the order they were set
    std::function<void()> callback;
    bool operator>(const Entry& other) const {
      return when != other.when ? when > other.when : order > other.order;
    }
  };

  void loop();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> entries_;
  std::uint64_t next_order_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace flow::exec
