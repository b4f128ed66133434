#pragma once
// The duration an operator such as delay or spin takes per message: the
// constant written in the file, or a draw from a distribution
// (`exponential(10ms)`) from the operator's own seeded stream.
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <random>

#include "flow/value.hpp"

namespace flow::ops {

class DurationSource {
 public:
  /// `written`: a Duration or a Distribution; `seed`: OperatorCall::seed.
  DurationSource(const Value& written, std::uint64_t seed);

  /// The next message's duration. Thread-safe: a node's workers share the
  /// stream, so with one worker the same seed gives the same durations.
  std::chrono::nanoseconds next();

 private:
  double draw_seconds();  // caller holds mutex_
  double uniform01();     // [0, 1), 53 bits: the same on every platform, unlike std::*_distribution

  std::chrono::nanoseconds constant_{0};
  std::optional<Distribution> distribution_;
  double first_s_ = 0, second_s_ = 0;  ///< the distribution's parameters in seconds
  std::mutex mutex_;
  std::mt19937_64 engine_;
};

}  // namespace flow::ops
