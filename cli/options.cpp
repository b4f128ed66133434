#include "cli/options.hpp"

#include <fmt/format.h>
#include <charconv>

#include "flow/value_text.hpp"

namespace flow::cli {
namespace {

// One value in the language's syntax within the runtime's limits, or an error
// naming what was expected.
std::optional<Value> parse_literal(const std::string& text, const char* expected, std::string& error) {
  auto read = value_from_text(text, expected);
  if (!read.value) error = read.diagnostics.front().message;
  return std::move(read.value);
}

}  // namespace

namespace {

std::optional<std::chrono::nanoseconds> parse_duration_from(const std::string& text, bool zero_too,
                                                            std::string& error) {
  auto value = parse_literal(text, "a duration such as 500ms", error);
  if (!value) return std::nullopt;
  if (const auto* duration = std::get_if<Duration>(&*value)) {
    if (duration->value.count() > 0 || (zero_too && duration->value.count() == 0)) return duration->value;
    error = fmt::format("'{}' must be longer than zero", text);
    return std::nullopt;
  }
  error = fmt::format("'{}' is {}, expected a duration such as 500ms", text, describe(kind_of(*value)));
  return std::nullopt;
}

}  // namespace

std::optional<std::chrono::nanoseconds> parse_duration(const std::string& text, std::string& error) {
  return parse_duration_from(text, false, error);
}

std::optional<std::chrono::nanoseconds> parse_time(const std::string& text, std::string& error) {
  return parse_duration_from(text, true, error);
}

std::optional<std::uint64_t> parse_size(const std::string& text, std::string& error) {
  auto value = parse_literal(text, "a size such as 64MiB", error);
  if (!value) return std::nullopt;
  if (const auto* size = std::get_if<Size>(&*value)) return size->bytes;
  error = fmt::format("'{}' is {}, expected a size such as 64MiB", text, describe(kind_of(*value)));
  return std::nullopt;
}

std::optional<int> parse_threads(const std::string& text, std::string& error) {
  long long count = 0;
  const char* end = text.data() + text.size();
  auto [stop, failure] = std::from_chars(text.data(), end, count);
  bool whole = !text.empty() && stop == end;
  if (whole && failure == std::errc() && count >= 1 && count <= max_threads) return static_cast<int>(count);
  if (whole && (failure == std::errc() || failure == std::errc::result_out_of_range)) {
    error = fmt::format("{} is out of range; expected 1 to {}", text, max_threads);
  } else {
    error = fmt::format("'{}' is not a whole number; expected 1 to {}", text, max_threads);
  }
  return std::nullopt;
}

namespace {

/// "a -> b" as "a->b": an edge's target, spaced or not, names the edge one way.
std::string without_spaces(std::string_view target) {
  std::string out;
  for (char c : target) {
    if (c != ' ') out += c;
  }
  return out;
}

}  // namespace

std::optional<Override> parse_override(const std::string& text, std::string& error) {
  auto equals = text.find('=');
  // The key follows the last '.' before the '=': an edge from a labeled
  // output has one more (`r.errors->k.capacity=9`); a value may have some.
  auto dot = equals == std::string::npos ? text.find('.') : text.rfind('.', equals);
  if (equals == std::string::npos || dot == std::string::npos || dot > equals || dot == 0 ||
      dot + 1 == equals) {
    error = fmt::format(
        "'{}' is not NODE.KEY=VALUE or FROM->TO.KEY=VALUE (e.g. ingest.count=1000, "
        "ingest->work.capacity=12, r.errors->errs.capacity=4)",
        text);
    return std::nullopt;
  }
  if (equals + 1 == text.size()) {
    error = fmt::format("'{}' has no value after '='", text);
    return std::nullopt;
  }
  return Override{without_spaces(std::string_view(text).substr(0, dot)),
                  text.substr(dot + 1, equals - dot - 1), text.substr(equals + 1)};
}

}  // namespace flow::cli
