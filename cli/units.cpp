#include "cli/units.hpp"

#include <cmath>
#include <fmt/format.h>

namespace flow::cli {

std::string format_seconds(double seconds) {
  if (seconds < 1e-3) return fmt::format("{:.0f} us", seconds * 1e6);
  if (seconds < 1.0) return fmt::format("{:.1f} ms", seconds * 1e3);
  return fmt::format("{:.2f} s", seconds);
}

std::string format_bytes(std::uint64_t bytes) {
  constexpr double kib = 1024.0;
  auto value = static_cast<double>(bytes);
  if (value < kib) return fmt::format("{} B", bytes);
  if (value < kib * kib) return fmt::format("{:.1f} KiB", value / kib);
  if (value < kib * kib * kib) return fmt::format("{:.1f} MiB", value / (kib * kib));
  return fmt::format("{:.2f} GiB", value / (kib * kib * kib));
}

std::string format_rate(double per_second) {
  if (per_second >= 1e6) return fmt::format("{:.2f}M/s", per_second / 1e6);
  if (per_second >= 1e4) return fmt::format("{:.1f}k/s", per_second / 1e3);
  return fmt::format("{:.1f}/s", per_second);
}

std::string format_percent(double fraction) { return fmt::format("{:.0f} %", std::round(fraction * 100.0)); }

std::string format_capacity(const std::optional<std::uint64_t>& capacity) {
  return capacity ? fmt::format("{}", *capacity) : std::string("inf");
}

}  // namespace flow::cli
