// Operators that take time: delay (waits without a thread), spin (burns CPU)
// and throttle (paces messages to a rate).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <mutex>

#include "flow/value.hpp"
#include "runtime/ops/builtins.hpp"
#include "runtime/ops/random_duration.hpp"

namespace flow::ops {
namespace {

using Nanoseconds = std::chrono::nanoseconds;

/// Waiting is the runtime's job: delay only says until when, so `workers=N`
/// gives N concurrent waits without parking N threads.
/// The messages' durations added up: one draw per message.
Nanoseconds total(DurationSource& durations, std::size_t messages) {
  Nanoseconds sum{0};
  for (std::size_t i = 0; i < messages; ++i) sum += durations.next();
  return sum;
}

class Delay final : public Operator {
 public:
  Delay(const Value& duration, std::uint64_t seed) : durations_(duration, seed) {}

  void apply(Chunk&, OperatorContext&) override {}

  std::optional<Clock::time_point> ready_at(const Chunk& messages, Clock::time_point now) override {
    return now + total(durations_, messages.size());
  }

  Cost cost() const override { return Cost::Wait; }

 private:
  DurationSource durations_;
};

/// Under the virtual clock there is no core to hold: spin then waits like
/// delay, keeping its worker slot for the simulated time.
class Spin final : public Operator {
 public:
  Spin(const Value& duration, std::uint64_t seed) : durations_(duration, seed), simulated_(Clock::simulated()) {}

  void apply(Chunk& messages, OperatorContext&) override {
    if (simulated_) return;
    auto until = Clock::now() + total(durations_, messages.size());
    // Busy on purpose: spin stands for CPU work, so it must hold the core.
    while (Clock::now() < until) {
    }
  }

  std::optional<Clock::time_point> ready_at(const Chunk& messages, Clock::time_point now) override {
    if (!simulated_) return std::nullopt;
    return now + total(durations_, messages.size());
  }

  Cost cost() const override { return simulated_ ? Cost::Wait : Cost::Cpu; }

 private:
  DurationSource durations_;
  const bool simulated_;
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
  return std::make_unique<Delay>(call.args.at("duration"), call.seed);
}

std::unique_ptr<Operator> make_spin(const OperatorCall& call) {
  return std::make_unique<Spin>(call.args.at("duration"), call.seed);
}

std::unique_ptr<Operator> make_throttle(const OperatorCall& call) {
  return std::make_unique<Throttle>(required_arg<Rate>(call, "rate").per_second);
}

}  // namespace flow::ops
