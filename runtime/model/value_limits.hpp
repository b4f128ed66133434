#pragma once
// The largest (and smallest) values the runtime can represent and run. A value
// past them would overflow a clock or a counter, allocate without end, or spin:
// `flow check` rejects it instead, with a caret under it. docs/language.md
// ("Limits") lists them; each is chosen so that sums and products the runtime
// forms with it stay far inside 64 bits.
#include <chrono>
#include <cstdint>
#include <string>

#include "flow/value.hpp"

namespace flow::limits {

/// 365 days: now (a steady clock in nanoseconds, counting from boot) plus this,
/// times the 256 messages of the largest chunk, is still below 2^63 ns (292 years).
inline constexpr std::chrono::nanoseconds longest_duration = std::chrono::hours(24 * 365);
/// 1024GiB: a byte count the size of any machine's memory, and 2^24 of them still fit in 64 bits.
inline constexpr std::uint64_t largest_size = std::uint64_t{1} << 40;
/// One message a nanosecond: a faster rate has an interval the clock cannot express.
inline constexpr double fastest_rate_per_second = 1e9;
/// One message a year (longest_duration): a slower one waits past the longest duration.
inline constexpr double slowest_rate_per_second = 1.0 / (24.0 * 365 * 3600);
/// 256MiB: generate() allocates its payload once and copies it into every message.
inline constexpr std::uint64_t largest_payload = std::uint64_t{256} << 20;
/// batch(max=N): a batch is one message whose members a worker holds at once.
inline constexpr std::int64_t largest_batch = 1'000'000;
/// An edge's capacity; `unbounded` is the way to ask for more.
inline constexpr std::uint64_t largest_capacity = 1'000'000'000;

/// "" when the runtime can represent `value` whatever it is used for; else why
/// not, naming the limit ("9223372000s is longer than the longest duration flow
/// supports, 8760h (365 days)"). Zero durations and rates pass: whether zero is
/// meaningful is for the operator or attribute to say.
std::string out_of_range(const Value& value);

}  // namespace flow::limits
