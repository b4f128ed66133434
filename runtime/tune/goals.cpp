#include "runtime/tune/goals.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <string>
#include <variant>

#include "flow/diagnostic.hpp"
#include "flow/value_text.hpp"

namespace flow::tune {
namespace {

/// What was wrong with a goal's text, and where: bytes [offset, offset + width).
struct GoalError {
  std::string message;
  std::size_t offset = 0;
  std::size_t width = 1;
};

struct MetricInfo {
  Metric metric;
  const char* name;
  Unit unit;
};

constexpr MetricInfo kMetrics[] = {
    {Metric::Dropped, "dropped", Unit::Messages},
    {Metric::LatencyP50, "p50", Unit::Seconds},
    {Metric::LatencyP99, "p99", Unit::Seconds},
    {Metric::LatencyMean, "latency_mean", Unit::Seconds},
    {Metric::LatencyMax, "latency_max", Unit::Seconds},
    {Metric::PeakBytes, "peak_bytes", Unit::Bytes},
    {Metric::PeakMessages, "peak_messages", Unit::Messages},
};

const MetricInfo& info(Metric metric) {
  return *std::find_if(std::begin(kMetrics), std::end(kMetrics),
                       [metric](const MetricInfo& m) { return m.metric == metric; });
}

std::string key_list() {
  std::string list;
  for (const auto& m : kMetrics) list += fmt::format("{}{}", list.empty() ? "" : ", ", m.name);
  return list;
}

bool is_word(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}
bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

std::size_t skip_blanks(std::string_view text, std::size_t at) {
  while (at < text.size() && is_blank(text[at])) ++at;
  return at;
}

std::string unknown_key(std::string_view key) {
  std::vector<std::string> names;
  for (const auto& m : kMetrics) names.emplace_back(m.name);
  auto close = closest_match(std::string(key), names);
  if (!close.empty()) return fmt::format("unknown goal '{}'; did you mean '{}'?", key, close);
  return fmt::format("unknown goal '{}'; expected one of {}", key, key_list());
}

const char* example_of(Unit unit) {
  switch (unit) {
    case Unit::Messages:
      return "a whole number of messages such as 0";
    case Unit::Seconds:
      return "a duration such as 200ms";
    case Unit::Bytes:
      return "a size such as 64MB";
  }
  return "";
}

// The limit in the metric's unit, or the message saying what was expected.
std::variant<double, std::string> parse_limit(Unit unit, std::string_view text) {
  auto read = value_from_text(text, example_of(unit));
  if (!read.value) return read.diagnostics.front().message;
  const Value& value = *read.value;
  if (unit == Unit::Messages) {
    if (const auto* count = std::get_if<std::int64_t>(&value)) {
      if (*count >= 0) return static_cast<double>(*count);
      return fmt::format("'{}' is negative, expected {}", text, example_of(unit));
    }
  } else if (unit == Unit::Seconds) {
    if (const auto* duration = std::get_if<Duration>(&value))
      return std::chrono::duration<double>(duration->value).count();
  } else if (const auto* size = std::get_if<Size>(&value)) {
    return static_cast<double>(size->bytes);
  }
  return fmt::format("'{}' is {}, expected {}", text, describe(kind_of(value)), example_of(unit));
}

struct Operator {
  std::size_t width = 0;  ///< 0: none found
  bool equals = false;    ///< `=` (only `dropped=0` takes it)
  Comparison comparison = Comparison::AtMost;
};

Operator read_operator(std::string_view text, std::size_t at) {
  auto rest = text.substr(at);
  // `=<` and `=>` are not `=` followed by a limit: other_operator_width names them.
  if (rest.starts_with("=<") || rest.starts_with("=>")) return {};
  if (rest.starts_with("<=")) return {2, false, Comparison::AtMost};
  if (rest.starts_with("==")) return {2, true, Comparison::AtMost};
  if (rest.starts_with("<")) return {1, false, Comparison::Below};
  if (rest.starts_with("=")) return {1, true, Comparison::AtMost};
  return {};
}

// `>=`, `>`, `!=`: a goal asks for less, never for more.
std::size_t other_operator_width(std::string_view text, std::size_t at) {
  auto rest = text.substr(at);
  if (rest.starts_with(">=") || rest.starts_with("!=") || rest.starts_with("=>") || rest.starts_with("=<"))
    return 2;
  if (rest.starts_with(">")) return 1;
  return 0;
}

}  // namespace

const char* metric_name(Metric metric) {
  return info(metric).name;
}
Unit metric_unit(Metric metric) {
  return info(metric).unit;
}

namespace {

// What follows the operator: the limit, in the metric's unit, and a goal that
// some figure can meet.
std::variant<Goal, GoalError> read_limit(std::string_view text, const MetricInfo& metric,
                                         std::size_t key_begin, std::size_t op_at, const Operator& op) {
  auto value_begin = skip_blanks(text, op_at + op.width);
  auto value_end = text.size();
  while (value_end > value_begin && is_blank(text[value_end - 1])) --value_end;
  auto value_text = text.substr(value_begin, value_end - value_begin);
  if (value_text.empty()) {
    return GoalError{
        fmt::format("expected {} after '{}'", example_of(metric.unit), text.substr(op_at, op.width)),
        value_begin, 1};
  }
  auto limit = parse_limit(metric.unit, value_text);
  if (const auto* message = std::get_if<std::string>(&limit)) {
    return GoalError{*message, value_begin, value_text.size()};
  }
  Goal goal{metric.metric, op.comparison, std::get<double>(limit),
            std::string(text.substr(key_begin, value_end - key_begin))};
  if (op.equals && !(goal.metric == Metric::Dropped && goal.limit == 0)) {
    return GoalError{
        fmt::format("'=' is only for dropped=0; write {}<={} for a limit", metric.name, value_text), op_at,
        op.width};
  }
  if (goal.limit == 0 && (goal.comparison == Comparison::Below || metric.unit == Unit::Seconds)) {
    return GoalError{fmt::format("{} can never be met; expected a limit above zero", goal.text), value_begin,
                     value_text.size()};
  }
  return goal;
}

std::variant<Goal, GoalError> read_goal(std::string_view text) {
  auto key_begin = skip_blanks(text, 0);
  auto key_end = key_begin;
  while (key_end < text.size() && is_word(text[key_end])) ++key_end;
  if (key_end == key_begin) {
    return GoalError{fmt::format("expected a goal such as dropped=0 or p99<=200ms, one of {}", key_list()),
                     key_begin, 1};
  }
  auto key = text.substr(key_begin, key_end - key_begin);
  const auto* found = std::find_if(std::begin(kMetrics), std::end(kMetrics),
                                   [key](const MetricInfo& m) { return key == m.name; });
  if (found == std::end(kMetrics)) return GoalError{unknown_key(key), key_begin, key.size()};
  auto op_at = skip_blanks(text, key_end);
  auto op = read_operator(text, op_at);
  if (op.width == 0) {
    auto width = std::max<std::size_t>(1, other_operator_width(text, op_at));
    return GoalError{
        fmt::format("expected <=, < or = after '{}': a goal is a limit that a smaller figure meets "
                    "(e.g. {}<=...)",
                    key, key),
        op_at, width};
  }
  return read_limit(text, *found, key_begin, op_at, op);
}

}  // namespace

GoalRead parse_goal(std::string_view text) {
  auto parsed = read_goal(text);
  GoalRead read;
  if (auto* goal = std::get_if<Goal>(&parsed)) {
    read.goal = std::move(*goal);
    return read;
  }
  // Line 1: the parse stops at a line break (no part of a goal takes one), so
  // every error is at or before the first.
  const auto& error = std::get<GoalError>(parsed);
  read.diagnostics.push_back(Diagnostic{Severity::Error, SourceLocation{1, error.offset + 1, error.offset},
                                        error.message, error.width});
  return read;
}

double measure(Metric metric, const RunMetrics& metrics) {
  switch (metric) {
    case Metric::Dropped: {
      std::uint64_t dropped = 0;
      for (const auto& edge : metrics.edges) dropped += edge.dropped;
      return static_cast<double>(dropped);
    }
    case Metric::LatencyP50:
      return metrics.latency_p50_s;
    case Metric::LatencyP99:
      return metrics.latency_p99_s;
    case Metric::LatencyMean:
      return metrics.latency_mean_s;
    case Metric::LatencyMax:
      return metrics.latency_max_s;
    case Metric::PeakBytes:
      return static_cast<double>(metrics.peak_payload_bytes);
    case Metric::PeakMessages:
      return static_cast<double>(metrics.peak_messages);
  }
  return 0;
}

bool meets(const Goal& goal, double figure) {
  return goal.comparison == Comparison::AtMost ? figure <= goal.limit : figure < goal.limit;
}

double shortfall(const Goal& goal, double figure) {
  if (meets(goal, figure)) return 0;
  // A limit of 0 (dropped=0) counts each message missed as one limit's worth.
  // A figure equal to a `<` limit misses too, by the least amount.
  double scale = goal.limit > 0 ? goal.limit : 1;
  return std::max((figure - goal.limit) / scale, 1e-12);
}

}  // namespace flow::tune
