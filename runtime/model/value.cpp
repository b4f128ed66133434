#include "flow/value.hpp"

#include <fmt/format.h>

#include <cmath>

namespace flow {
namespace {

std::string format_duration(std::chrono::nanoseconds ns) {
  auto count = ns.count();
  struct Unit { std::int64_t scale; const char* suffix; };
  static constexpr Unit units[] = {{3'600'000'000'000, "h"}, {60'000'000'000, "m"}, {1'000'000'000, "s"},
                                   {1'000'000, "ms"}, {1'000, "us"}, {1, "ns"}};
  for (const auto& unit : units) {
    if (count != 0 && count % unit.scale == 0) return fmt::format("{}{}", count / unit.scale, unit.suffix);
  }
  if (count == 0) return "0s";
  return fmt::format("{}s", static_cast<double>(count) / 1e9);
}

std::string format_size(std::uint64_t bytes) {
  struct Unit { std::uint64_t scale; const char* suffix; };
  static constexpr Unit units[] = {{1ULL << 30, "GiB"}, {1'000'000'000, "GB"}, {1ULL << 20, "MiB"},
                                   {1'000'000, "MB"}, {1ULL << 10, "KiB"}, {1'000, "KB"}};
  for (const auto& unit : units) {
    if (bytes != 0 && bytes % unit.scale == 0) return fmt::format("{}{}", bytes / unit.scale, unit.suffix);
  }
  return fmt::format("{}B", bytes);
}

std::string escape(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default: out += c;
    }
  }
  return out + "\"";
}

}  // namespace

double Distribution::mean_seconds() const {
  double a = static_cast<double>(first.value.count()) / 1e9, b = static_cast<double>(second.value.count()) / 1e9;
  switch (shape) {
    case Shape::Exponential: return a;
    case Shape::Uniform: return (a + b) / 2;
    case Shape::Normal: {
      if (b <= 0) return a;
      // Truncated at 0: mean + sd * phi(alpha) / (1 - Phi(alpha)), alpha = -mean / sd.
      double alpha = -a / b;
      double density = std::exp(-alpha * alpha / 2) / std::sqrt(2 * M_PI);
      double above = 0.5 * std::erfc(alpha / std::sqrt(2.0));
      return a + b * density / above;
    }
    case Shape::LogNormal: {
      double sigma = log_normal_sigma(a, b);
      return a * std::exp(sigma * sigma / 2);
    }
  }
  return a;
}

double log_normal_sigma(double p50, double p99) {
  // The 99th percentile of a standard normal.
  constexpr double kZ99 = 2.3263478740408408;
  return p50 > 0 && p99 > p50 ? std::log(p99 / p50) / kZ99 : 0;
}

const char* describe(ValueKind kind) {
  switch (kind) {
    case ValueKind::Integer: return "an integer";
    case ValueKind::Decimal: return "a decimal number";
    case ValueKind::Duration: return "a duration";
    case ValueKind::Size: return "a size";
    case ValueKind::Rate: return "a rate";
    case ValueKind::String: return "a string";
    case ValueKind::Boolean: return "a boolean";
    case ValueKind::Identifier: return "a name";
    case ValueKind::Unbounded: return "'unbounded'";
    case ValueKind::Distribution: return "a distribution";
    case ValueKind::Expression: return "an expression";
  }
  return "a value";
}

std::string to_string(const Value& value) {
  struct Printer {
    std::string operator()(std::int64_t v) const { return fmt::format("{}", v); }
    std::string operator()(double v) const { return fmt::format("{}", v); }
    std::string operator()(const Duration& v) const { return format_duration(v.value); }
    std::string operator()(const Size& v) const { return format_size(v.bytes); }
    std::string operator()(const Rate& v) const { return fmt::format("{}/s", v.per_second); }
    std::string operator()(const std::string& v) const { return escape(v); }
    std::string operator()(bool v) const { return v ? "true" : "false"; }
    std::string operator()(const Identifier& v) const { return v.name; }
    std::string operator()(const Unbounded&) const { return "unbounded"; }
    std::string operator()(const Distribution& v) const {
      auto first = format_duration(v.first.value), second = format_duration(v.second.value);
      switch (v.shape) {
        case Distribution::Shape::Exponential: return fmt::format("exponential({})", first);
        case Distribution::Shape::Uniform: return fmt::format("uniform({}, {})", first, second);
        case Distribution::Shape::Normal: return fmt::format("normal({}, {})", first, second);
        case Distribution::Shape::LogNormal: return fmt::format("lognormal(p50={}, p99={})", first, second);
      }
      return "a distribution";
    }
    std::string operator()(const Expression& v) const {
      return v.label.empty() ? v.text : fmt::format("{}: {}", v.label, v.text);
    }
  };
  return std::visit(Printer{}, value);
}

}  // namespace flow
