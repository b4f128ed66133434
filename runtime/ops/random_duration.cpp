#include "runtime/ops/random_duration.hpp"

#include <algorithm>
#include <cmath>

#include "runtime/model/value_limits.hpp"

namespace flow::ops {
namespace {

double seconds(Duration d) { return std::chrono::duration<double>(d.value).count(); }

}  // namespace

DurationSource::DurationSource(const Value& written, std::uint64_t seed) : engine_(seed) {
  if (const auto* constant = std::get_if<Duration>(&written)) {
    constant_ = constant->value;
    return;
  }
  distribution_ = std::get<Distribution>(written);
  first_s_ = seconds(distribution_->first);
  second_s_ = seconds(distribution_->second);
}

std::chrono::nanoseconds DurationSource::next() {
  if (!distribution_) return constant_;
  double s = 0;
  {
    std::lock_guard lock(mutex_);
    s = draw_seconds();
  }
  // A draw past the clock's range (a lognormal's far tail) waits the longest duration.
  double longest = std::chrono::duration<double>(limits::longest_duration).count();
  return std::chrono::nanoseconds(std::llround(std::clamp(s, 0.0, longest) * 1e9));
}

double DurationSource::uniform01() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

double DurationSource::draw_seconds() {
  using Shape = Distribution::Shape;
  auto standard_normal = [this] {
    // Box-Muller; 1 - u is in (0, 1], so the logarithm is finite.
    double radius = std::sqrt(-2 * std::log(1 - uniform01()));
    return radius * std::cos(2 * M_PI * uniform01());
  };
  switch (distribution_->shape) {
    case Shape::Exponential: return -first_s_ * std::log(1 - uniform01());
    case Shape::Uniform: return first_s_ + (second_s_ - first_s_) * uniform01();
    case Shape::Normal:
      // Truncated at 0: a negative draw is drawn again (the mean is above 0,
      // so at least half of the draws stand).
      for (;;) {
        double s = first_s_ + second_s_ * standard_normal();
        if (s >= 0) return s;
      }
    case Shape::LogNormal:
      return first_s_ * std::exp(log_normal_sigma(first_s_, second_s_) * standard_normal());
  }
  return first_s_;
}

}  // namespace flow::ops
