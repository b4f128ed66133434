// Sources: generate (synthetic messages, paced by rate and bursts). read is in read.cpp.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "runtime/ops/builtins.hpp"
#include "runtime/ops/random_duration.hpp"
#include "flow/value.hpp"

namespace flow::ops {
namespace {

using Nanoseconds = std::chrono::nanoseconds;

/// Paces messages at `per_second`. Message k after the anchor is due at
/// anchor + k / rate; computing from the anchor (not adding an interval per
/// message) keeps rounding from drifting over millions of messages.
class RateSchedule {
 public:
  explicit RateSchedule(double per_second) : per_second_(per_second) {}

  /// How many messages may go at `now`; 0 means wait until `next_due()`.
  std::uint64_t allowed(Clock::time_point now) {
    if (!anchored_) {
      anchor_ = now;
      anchored_ = true;
    }
    // One nanosecond of slack: next_due() rounds to the nearest nanosecond, and
    // a pull at exactly that time must find the message due.
    auto elapsed_ns = static_cast<double>((now - anchor_).count() + 1);
    auto due = static_cast<std::uint64_t>(std::floor(elapsed_ns * per_second_ / 1e9)) + 1;
    return due > sent_ ? due - sent_ : 0;
  }

  /// Records `sent` of the `due` messages. A backlog of up to a millisecond's
  /// worth is kept (a fast rate is reached even when pulls come late); a longer
  /// one restarts the schedule at `now`, so a stall (backpressure) is not
  /// followed by a catch-up burst above the rate.
  void record(std::uint64_t sent, std::uint64_t due, Clock::time_point now) {
    auto backlog_allowed = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(per_second_ / 1000));
    if (due - sent > backlog_allowed) {
      anchor_ = now;
      sent_ = 0;
    }
    sent_ += sent;
  }

  Clock::time_point next_due() const {
    auto offset_ns = std::llround(static_cast<double>(sent_) * 1e9 / per_second_);
    return anchor_ + Nanoseconds(offset_ns);
  }

 private:
  double per_second_;
  bool anchored_ = false;
  Clock::time_point anchor_{};
  std::uint64_t sent_ = 0;
};

/// `burst` messages at once, then a pause of `every` after the last of them
/// (a new draw for each pause when `every` is a distribution).
class BurstSchedule {
 public:
  BurstSchedule(std::uint64_t burst, const Value& every, std::uint64_t seed)
      : burst_(burst), every_(every, seed), left_(burst) {}

  /// Messages of the current burst that may go at `now`; 0: wait until `release()`.
  std::uint64_t allowed(Clock::time_point now) const { return now >= release_ ? left_ : 0; }

  void record(std::uint64_t sent, Clock::time_point now) {
    left_ -= sent;
    if (left_ == 0) {
      left_ = burst_;
      release_ = now + every_.next();
    }
  }

  Clock::time_point release() const { return release_; }

 private:
  std::uint64_t burst_;
  DurationSource every_;
  std::uint64_t left_;
  Clock::time_point release_{};
};

/// Poisson arrivals: exponential gaps of mean 1/rate, drawn from the
/// operator's own stream. Open loop: an arrival keeps its time whatever
/// happens downstream; arrivals that came due while the source could not send
/// go out at the next pull, each stamped with its own arrival time, so their
/// latency counts the wait (no coordinated omission).
class PoissonArrivals {
 public:
  PoissonArrivals(double per_second, std::uint64_t seed) : gaps_(exponential_gaps(per_second), seed) {}

  /// Appends the messages (creation time only) that have arrived by `now`, at most `max`.
  std::uint64_t arrive(Chunk& out, std::uint64_t max, Clock::time_point now) {
    if (!anchored_) {
      next_ = now + gaps_.next();
      anchored_ = true;
    }
    std::uint64_t n = 0;
    for (; n < max && next_ <= now; ++n) {
      out.emplace_back().created = next_;
      next_ += gaps_.next();
    }
    return n;
  }

  Clock::time_point next() const { return next_; }

 private:
  // Gaps are whole nanoseconds, rounded to the nearest: the roundings cancel
  // out on average instead of drifting one way.
  static Value exponential_gaps(double per_second) {
    auto mean = Nanoseconds(std::max<long long>(1, std::llround(1e9 / per_second)));
    return Value{Distribution{Distribution::Shape::Exponential, Duration{mean}, Duration{}}};
  }

  DurationSource gaps_;
  bool anchored_ = false;
  Clock::time_point next_{};
};

class Generate final : public SourceOperator {
 public:
  explicit Generate(const OperatorCall& call)
      : payload_(optional_arg<Size>(call, "size").value_or(Size{16}).bytes, 'x') {
    if (auto count = optional_arg<std::int64_t>(call, "count")) count_ = static_cast<std::uint64_t>(*count);
    auto arrivals = optional_arg<Identifier>(call, "arrivals").value_or(Identifier{"even"}).name;
    if (auto rate = optional_arg<Rate>(call, "rate"); rate && arrivals == "poisson") {
      poisson_.emplace(rate->per_second, call.seed);
    } else if (rate) {
      rate_.emplace(rate->per_second);
    }
    auto burst = optional_arg<std::int64_t>(call, "burst");
    auto every = call.args.find("every");
    if (burst && every != call.args.end()) burst_.emplace(static_cast<std::uint64_t>(*burst), every->second, call.seed);
  }

  SourcePull pull(Chunk& out, std::size_t max, Clock::time_point now) override {
    std::uint64_t remaining = count_ ? *count_ - produced_ : max;
    if (remaining == 0) return {true, std::nullopt};
    std::uint64_t wanted = std::min<std::uint64_t>(max, remaining);
    if (poisson_) return pull_poisson(out, wanted, now);
    std::uint64_t due = rate_ ? rate_->allowed(now) : wanted;
    std::uint64_t allowed = std::min(wanted, due);
    if (burst_) allowed = std::min(allowed, burst_->allowed(now));
    if (allowed == 0) return {false, wait_until()};
    append(out, allowed);
    if (rate_) rate_->record(allowed, due, now);
    if (burst_) burst_->record(allowed, now);
    // Saying so with the last messages spares the runtime one more pull.
    return {count_ && produced_ == *count_, std::nullopt};
  }

  std::optional<std::uint64_t> expected_count() const override { return count_; }

 private:
  SourcePull pull_poisson(Chunk& out, std::uint64_t wanted, Clock::time_point now) {
    auto first = out.size();
    auto arrived = poisson_->arrive(out, wanted, now);
    if (arrived == 0) return {false, poisson_->next()};
    for (auto i = first; i < out.size(); ++i) out[i].payload = payload_;
    produced_ += arrived;
    return {count_ && produced_ == *count_, std::nullopt};
  }

  // Copying a prepared string is the cheapest payload there is: within the
  // small-string buffer (16 bytes and less) it does not even allocate.
  void append(Chunk& out, std::uint64_t how_many) {
    out.reserve(out.size() + how_many);
    for (std::uint64_t i = 0; i < how_many; ++i) out.emplace_back().payload = payload_;
    produced_ += how_many;
  }

  Clock::time_point wait_until() const {
    Clock::time_point at{};
    if (rate_) at = std::max(at, rate_->next_due());
    if (burst_) at = std::max(at, burst_->release());
    return at;
  }

  std::string payload_;
  std::optional<std::uint64_t> count_;
  std::uint64_t produced_ = 0;
  std::optional<RateSchedule> rate_;
  std::optional<PoissonArrivals> poisson_;
  std::optional<BurstSchedule> burst_;
};

}  // namespace

std::unique_ptr<SourceOperator> make_generate(const OperatorCall& call) { return std::make_unique<Generate>(call); }

}  // namespace flow::ops
