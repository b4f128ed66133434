#include "runtime/exec/timer.hpp"

namespace flow::exec {

void TimerQueue::push(Clock::time_point when, std::function<void()> callback) {
  entries_.push(Entry{when, next_order_++, std::move(callback)});
}

std::function<void()> TimerQueue::pop() {
  // priority_queue::top is const: copy the callback out, then pop.
  auto callback = entries_.top().callback;
  entries_.pop();
  return callback;
}

ThreadTimer::ThreadTimer() : thread_([this] { loop(); }) {}

ThreadTimer::~ThreadTimer() { stop(); }

void ThreadTimer::at(Clock::time_point when, std::function<void()> callback) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    entries_.push(when, std::move(callback));
  }
  wake_.notify_one();
}

void ThreadTimer::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mutex_);
  entries_.clear();
}

void ThreadTimer::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (entries_.empty()) {
      wake_.wait(lock);
      continue;
    }
    auto when = entries_.earliest();
    if (Clock::now() < when) {
      wake_.wait_until(lock, when);
      continue;
    }
    auto callback = entries_.pop();
    lock.unlock();
    callback();
    lock.lock();
  }
}

}  // namespace flow::exec
