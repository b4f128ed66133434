#include "grammar/literals.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>

#include "runtime/model/value_limits.hpp"

namespace flow::grammar {
namespace {

// Room for a mantissa times a unit before range checks (__extension__: GCC and clang both have it).
__extension__ typedef unsigned __int128 Wide;

struct Unit {
  std::string_view name;
  std::uint64_t scale;  // nanoseconds or bytes
};

constexpr std::array<Unit, 6> time_units{{{"ns", 1},
                                          {"us", 1'000},
                                          {"ms", 1'000'000},
                                          {"s", 1'000'000'000},
                                          {"m", 60'000'000'000},
                                          {"h", 3'600'000'000'000}}};
constexpr std::array<Unit, 7> size_units{{{"B", 1},
                                          {"KB", 1'000},
                                          {"MB", 1'000'000},
                                          {"GB", 1'000'000'000},
                                          {"KiB", 1ULL << 10},
                                          {"MiB", 1ULL << 20},
                                          {"GiB", 1ULL << 30}}};
constexpr std::string_view time_unit_list = "ns, us, ms, s, m, h";
constexpr std::string_view size_unit_list = "B, KB, MB, GB, KiB, MiB, GiB";

template <std::size_t N>
std::optional<std::uint64_t> find_unit(const std::array<Unit, N>& units, std::string_view name) {
  for (const auto& unit : units) {
    if (unit.name == name) return unit.scale;
  }
  return std::nullopt;
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool same_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// The unit a user most likely meant: the same letters in another case, or a spelled-out word.
std::string_view suggest_unit(std::string_view unit, bool time_only) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 16> words{{
      {"sec", "s"}, {"secs", "s"}, {"second", "s"}, {"seconds", "s"},
      {"min", "m"}, {"mins", "m"}, {"minute", "m"}, {"minutes", "m"},
      {"hr", "h"}, {"hrs", "h"}, {"hour", "h"}, {"hours", "h"},
      {"msec", "ms"}, {"usec", "us"}, {"nsec", "ns"}, {"bytes", "B"},
  }};
  for (const auto& [word, meant] : words) {
    if (same_ignoring_case(unit, word) && (!time_only || meant != "B")) return meant;
  }
  for (const auto& u : time_units) {
    if (same_ignoring_case(unit, u.name)) return u.name;
  }
  if (time_only) return {};
  for (const auto& u : size_units) {
    if (same_ignoring_case(unit, u.name)) return u.name;
  }
  return {};
}

TokenError unknown_unit(std::string_view unit, std::size_t offset, bool rate) {
  auto meant = suggest_unit(unit, rate);
  std::string what = rate ? "unknown time unit" : "unknown unit";
  std::string where = rate ? " in rate" : "";
  if (!meant.empty()) {
    return {fmt::format("{} '{}'{}; did you mean '{}'?", what, printable(unit), where, meant), offset, unit.size()};
  }
  // A unit with a 'b' in it was most likely meant as a size.
  bool looks_like_size = !rate && unit.find_first_of("bB") != std::string_view::npos;
  return {fmt::format("{} '{}'{}; expected one of {}", what, printable(unit), where,
                      looks_like_size ? size_unit_list : time_unit_list),
          offset, unit.size()};
}

// The parts of a number token: [-]integer[.fraction][/]unit
struct NumberParts {
  bool negative = false;
  std::string_view integer;
  std::size_t integer_offset = 0;
  std::string_view fraction;
  std::size_t fraction_offset = 0;
  bool rate = false;
  std::string_view unit;
  std::size_t unit_offset = 0;
};

bool is_digit_or_underscore(char c) { return (c >= '0' && c <= '9') || c == '_'; }

std::size_t scan_digits(std::string_view token, std::size_t i) {
  while (i < token.size() && is_digit_or_underscore(token[i])) ++i;
  return i;
}

NumberParts split(std::string_view token) {
  NumberParts parts;
  std::size_t i = 0;
  if (i < token.size() && token[i] == '-') {
    parts.negative = true;
    ++i;
  }
  parts.integer_offset = i;
  i = scan_digits(token, i);
  parts.integer = token.substr(parts.integer_offset, i - parts.integer_offset);
  if (i < token.size() && token[i] == '.') {
    parts.fraction_offset = ++i;
    i = scan_digits(token, i);
    parts.fraction = token.substr(parts.fraction_offset, i - parts.fraction_offset);
  }
  if (i < token.size() && token[i] == '/') {
    parts.rate = true;
    ++i;
  }
  parts.unit_offset = i;
  parts.unit = token.substr(i);
  return parts;
}

// '_' separates digits: never last, never doubled (the grammar guarantees a leading digit).
std::optional<TokenError> check_underscores(std::string_view digits, std::size_t offset) {
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (digits[i] != '_') continue;
    if (i + 1 == digits.size() || digits[i + 1] == '_') {
      return TokenError{"'_' may only separate digits, as in '10_000'", offset + i, 1};
    }
  }
  return std::nullopt;
}

std::string without_underscores(std::string_view digits) {
  std::string out;
  for (char c : digits) {
    if (c != '_') out += c;
  }
  return out;
}

// All digits of integer and fraction as one whole number; nullopt when it overflows.
std::optional<Wide> mantissa(const std::string& digits) {
  constexpr Wide max = ~Wide{0};
  Wide value = 0;
  for (char c : digits) {
    auto digit = static_cast<unsigned>(c - '0');
    if (value > (max - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

Decoded decode_integer(const NumberParts& parts, std::string_view token) {
  auto value = mantissa(without_underscores(parts.integer));
  const Wide limit = Wide{std::numeric_limits<std::int64_t>::max()} + (parts.negative ? 1 : 0);
  if (!value || *value > limit) {
    return TokenError{fmt::format("integer {} is too {}", printable(token), parts.negative ? "small" : "large"), 0,
                      token.size()};
  }
  if (parts.negative) {
    return Value{static_cast<std::int64_t>(Wide{0} - *value)};  // two's complement reaches INT64_MIN
  }
  return Value{static_cast<std::int64_t>(*value)};
}

std::optional<double> to_double(const NumberParts& parts) {
  std::string text = (parts.negative ? "-" : "") + without_underscores(parts.integer);
  if (!parts.fraction.empty()) text += "." + without_underscores(parts.fraction);
  double value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

// `whole` * scale / 10^(fraction digits), exactly, or why not.
std::variant<Wide, std::string> scaled(const NumberParts& parts, std::uint64_t scale, std::string_view kind,
                                       std::string_view token, std::string_view whole_of) {
  auto fraction = without_underscores(parts.fraction);
  if (fraction.size() > 30) return fmt::format("too many decimal places in {} {}", kind, printable(token));
  auto value = mantissa(without_underscores(parts.integer) + fraction);
  constexpr Wide max = ~Wide{0};
  if (!value || *value > max / scale) return fmt::format("{} {} is too large", kind, printable(token));
  Wide divisor = 1;
  for (std::size_t i = 0; i < fraction.size(); ++i) divisor *= 10;
  Wide total = *value * scale;
  if (total % divisor != 0) {
    return fmt::format("{} {} is not a whole number of {}", kind, printable(token), whole_of);
  }
  return total / divisor;
}

Decoded decode_duration(const NumberParts& parts, std::uint64_t scale, std::string_view token) {
  if (parts.negative) return TokenError{"a duration cannot be negative", 0, token.size()};
  auto result = scaled(parts, scale, "duration", token, "nanoseconds");
  if (auto* message = std::get_if<std::string>(&result)) return TokenError{*message, 0, token.size()};
  auto nanoseconds = std::get<Wide>(result);
  if (nanoseconds > Wide{std::numeric_limits<std::int64_t>::max()}) {
    // Past 64 bits of nanoseconds; the checker refuses anything above the same limit.
    return TokenError{fmt::format("duration {} is too large (the longest flow supports is {}, 365 days)",
                                  printable(token), to_string(Value{Duration{limits::longest_duration}})),
                      0, token.size()};
  }
  return Value{Duration{std::chrono::nanoseconds{static_cast<std::int64_t>(nanoseconds)}}};
}

Decoded decode_size(const NumberParts& parts, std::uint64_t scale, std::string_view token) {
  if (parts.negative) return TokenError{"a size cannot be negative", 0, token.size()};
  auto result = scaled(parts, scale, "size", token, "bytes");
  if (auto* message = std::get_if<std::string>(&result)) return TokenError{*message, 0, token.size()};
  auto bytes = std::get<Wide>(result);
  if (bytes > Wide{std::numeric_limits<std::uint64_t>::max()}) {
    return TokenError{fmt::format("size {} is too large", printable(token)), 0, token.size()};
  }
  return Value{Size{static_cast<std::uint64_t>(bytes)}};
}

Decoded decode_rate(const NumberParts& parts, std::string_view token) {
  auto scale = find_unit(time_units, parts.unit);
  if (!scale) return unknown_unit(parts.unit, parts.unit_offset, true);
  if (parts.negative) return TokenError{"a rate cannot be negative", 0, token.size()};
  auto count = to_double(parts);
  double per_second = count ? *count * (1e9 / static_cast<double>(*scale)) : 0;
  if (!count || !std::isfinite(per_second)) {
    return TokenError{fmt::format("rate {} is too large", printable(token)), 0, token.size()};
  }
  return Value{Rate{per_second}};
}

}  // namespace

Decoded decode_number(std::string_view token) {
  auto parts = split(token);
  if (auto error = check_underscores(parts.integer, parts.integer_offset)) return *error;
  if (auto error = check_underscores(parts.fraction, parts.fraction_offset)) return *error;
  if (parts.rate) return decode_rate(parts, token);
  if (!parts.unit.empty()) {
    if (auto scale = find_unit(time_units, parts.unit)) return decode_duration(parts, *scale, token);
    if (auto scale = find_unit(size_units, parts.unit)) return decode_size(parts, *scale, token);
    return unknown_unit(parts.unit, parts.unit_offset, false);
  }
  if (parts.fraction.empty()) return decode_integer(parts, token);
  if (auto value = to_double(parts)) return Value{*value};
  return TokenError{fmt::format("decimal {} is out of range", printable(token)), 0, token.size()};
}

Decoded decode_string(std::string_view token) {
  std::string text;
  for (std::size_t i = 1; i < token.size(); ++i) {
    char c = token[i];
    if (c == '"') return Value{std::move(text)};
    if (c != '\\') {
      text += c;
      continue;
    }
    char escaped = i + 1 < token.size() ? token[i + 1] : '\0';
    switch (escaped) {
      case '"': text += '"'; break;
      case '\\': text += '\\'; break;
      case 'n': text += '\n'; break;
      case 't': text += '\t'; break;
      default:
        if (i + 1 >= token.size()) break;  // a backslash at the end of the line: unterminated
        return TokenError{fmt::format("unknown escape '\\{}' in string; the escapes are \\\" \\\\ \\n \\t",
                                      printable(token.substr(i + 1, 1))),
                          i, 2};
    }
    ++i;
  }
  return TokenError{"unterminated string; close it with '\"' before the end of the line", 0, 1};
}

std::string printable(std::string_view text, std::size_t limit) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i == limit) return out + "...";
    auto byte = static_cast<unsigned char>(text[i]);
    if (byte >= 0x20 && byte < 0x7f) out += static_cast<char>(byte);
    else out += fmt::format("\\x{:02X}", byte);
  }
  return out;
}

}  // namespace flow::grammar
