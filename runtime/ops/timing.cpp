// Operators that take time: delay (waits without a thread), spin (burns CPU)
// and throttle (paces messages to a rate).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <mutex>

#include "runtime/model/value.hpp"
#include "runtime/ops/builtins.hpp"

namespace flow::ops {
namespace {

using Nanoseconds = std::chrono::nanoseconds;

/// Waiting is the runtime's job: delay only says until when, so `workers=N`
/// gives N concurrent waits without parking N threads.
class Delay final : public Operator {
 public:
  explicit Delay(Nanoseconds duration) : duration_(duration) {}

  void apply(Chunk&, OperatorContext&) override {}

  std::optional<Clock::time_point> ready_at(const Chunk& messages, Clock::time_point now) override {
    return now + duration_ * static_cast<Nanoseconds::rep>(messages.size());
  }

  Cost cost() const override { return Cost::Wait; }

 private:
  Nanoseconds duration_;
};

class Spin final : public Operator {
 public:
  explicit Spin(Nanoseconds duration) : duration_(duration) {}

  void apply(Chunk& messages, OperatorContext&) override {
    auto until = Clock::now() + duration_ * static_cast<Nanoseconds::rep>(messages.size());
    // Busy on purpose: spin stands for CPU work, so it must hold the core.
    while (Clock::now() < until) {
    }
  }

  Cost cost() const override { return Cost::Cpu; }

 private:
  Nanoseconds duration_;
};

/// Hands out one time slot per message, `1/rate` apart, shared by every worker
/// of the node. A slot never lies in the past: an idle throttle does not save
/// up credit for a burst later.
class Throttle final : public Operator {
 public:
  explicit Throttle(double per_second) : per_second_(per_second) {}

  void apply(Chunk&, OperatorContext&) override {}

  std::optional<Clock::time_point> ready_at(const Chunk& messages, Clock::time_point now) override {
    if (messages.empty()) return std::nullopt;
    std::lock_guard lock(mutex_);
    if (next_slot_ < now) restart(now);
    // The chunk may go when its last message's slot comes.
    slots_taken_ += messages.size() - 1;
    auto ready = slot_time(slots_taken_);
    ++slots_taken_;
    next_slot_ = slot_time(slots_taken_);
    if (ready <= now) return std::nullopt;
    return ready;
  }

  Cost cost() const override { return Cost::Wait; }

 private:
  void restart(Clock::time_point now) {
    anchor_ = now;
    slots_taken_ = 0;
  }

  // Slots are computed from the anchor, not summed, so rounding cannot drift.
  Clock::time_point slot_time(std::uint64_t slot) const {
    return anchor_ + Nanoseconds(std::llround(static_cast<double>(slot) * 1e9 / per_second_));
  }

  double per_second_;
  std::mutex mutex_;
  Clock::time_point anchor_{};
  std::uint64_t slots_taken_ = 0;
  Clock::time_point next_slot_{};
};

}  // namespace

std::unique_ptr<Operator> make_delay(const OperatorCall& call) {
  return std::make_unique<Delay>(required_arg<Duration>(call, "duration").value);
}

std::unique_ptr<Operator> make_spin(const OperatorCall& call) {
  return std::make_unique<Spin>(required_arg<Duration>(call, "duration").value);
}

std::unique_ptr<Operator> make_throttle(const OperatorCall& call) {
  return std::make_unique<Throttle>(required_arg<Rate>(call, "rate").per_second);
}

}  // namespace flow::ops
