#include "runtime/model/value.hpp"

#include <fmt/format.h>

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
  };
  return std::visit(Printer{}, value);
}

}  // namespace flow
