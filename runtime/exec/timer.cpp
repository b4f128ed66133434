#include "runtime/exec/timer.hpp"

namespace flow::exec {

Timer::Timer() : thread_([this] { loop(); }) {}

Timer::~Timer() { stop(); }

void Timer::at(Clock::time_point when, std::function<void()> callback) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    entries_.push(Entry{when, next_order_++, std::move(callback)});
  }
  wake_.notify_one();
}

void Timer::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mutex_);
  entries_ = {};
}

void Timer::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (entries_.empty()) {
      wake_.wait(lock);
      continue;
    }
    auto when = entries_.top().when;
    if (Clock::now() < when) {
      wake_.wait_until(lock, when);
      continue;
    }
    // priority_queue::top is const: copy the callback out, then pop.
    auto callback = entries_.top().callback;
    entries_.pop();
    lock.unlock();
    callback();
    lock.lock();
  }
}

}  // namespace flow::exec
