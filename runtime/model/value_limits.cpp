#include "runtime/model/value_limits.hpp"

#include <fmt/format.h>

namespace flow::limits {
namespace {

std::string duration_error(const Duration& duration) {
  if (duration.value <= longest_duration) return "";
  return fmt::format("{} is longer than the longest duration flow supports, {} (365 days)",
                     to_string(Value{duration}), to_string(Value{Duration{longest_duration}}));
}

std::string size_error(const Size& size) {
  if (size.bytes <= largest_size) return "";
  return fmt::format("{} is larger than the largest size flow supports, {}", to_string(Value{size}),
                     to_string(Value{Size{largest_size}}));
}

std::string rate_error(const Rate& rate) {
  if (rate.per_second > fastest_rate_per_second) {
    return fmt::format("{} is faster than the fastest rate flow supports, 1/ns (one message a nanosecond)",
                       to_string(Value{rate}));
  }
  if (rate.per_second > 0 && rate.per_second < slowest_rate_per_second) {
    return fmt::format("{} is slower than the slowest rate flow supports, one message every {} (365 days)",
                       to_string(Value{rate}), to_string(Value{Duration{longest_duration}}));
  }
  return "";
}

}  // namespace

std::string out_of_range(const Value& value) {
  if (const auto* duration = std::get_if<Duration>(&value)) return duration_error(*duration);
  if (const auto* size = std::get_if<Size>(&value)) return size_error(*size);
  if (const auto* rate = std::get_if<Rate>(&value)) return rate_error(*rate);
  return "";
}

}  // namespace flow::limits
