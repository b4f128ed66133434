#pragma once
// Numbers for people: durations, sizes, rates and fractions as the summary,
// the reports and the plot print them.
#include <cstdint>
#include <optional>
#include <string>

namespace flow::cli {

/// `850 us`, `12.3 ms`, `5.21 s`.
std::string format_seconds(double seconds);

/// `512 B`, `7.0 KiB`, `7.0 MiB`.
std::string format_bytes(std::uint64_t bytes);

/// `19.2/s`, `1.5k/s`, `2.40M/s`.
std::string format_rate(double per_second);

/// `98 %` for 0.98.
std::string format_percent(double fraction);

/// `5` for a bounded capacity, `inf` for an unbounded edge.
std::string format_capacity(const std::optional<std::uint64_t>& capacity);

}  // namespace flow::cli
