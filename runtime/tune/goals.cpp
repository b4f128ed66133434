#include "runtime/tune/goals.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <charconv>
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
    {Metric::DeliveredShare, "delivered", Unit::Percent},
    // `dropped` with a limit in %: found by its key's other entry, above.
    {Metric::DroppedShare, "dropped", Unit::Percent},
};

const MetricInfo& info(Metric metric) {
  return *std::find_if(std::begin(kMetrics), std::end(kMetrics),
                       [metric](const MetricInfo& m) { return m.metric == metric; });
}

std::string key_list() {
  std::string list;
  for (const auto& m : kMetrics) {
    if (m.metric != Metric::DroppedShare) list += fmt::format("{}{}", list.empty() ? "" : ", ", m.name);
  }
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
    case Unit::Percent:
      return "a share such as 0.1%";
  }
  return "";
}

// A share in percent, `0.1%`: a number from 0 to 100 and the sign.
std::variant<double, std::string> parse_percent(std::string_view text) {
  double share = -1;
  auto number = text.substr(0, text.size() - (text.ends_with('%') ? 1 : 0));
  auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), share);
  if (!text.ends_with('%') || number.empty() || error != std::errc() ||
      end != number.data() + number.size() || !(share >= 0 && share <= 100)) {
    return fmt::format("'{}' is not a share, expected {} (from 0% to 100%)", text, example_of(Unit::Percent));
  }
  return share;
}

// The limit in the metric's unit, or the message saying what was expected.
std::variant<double, std::string> parse_limit(Unit unit, std::string_view text) {
  if (unit == Unit::Percent) return parse_percent(text);
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

// The operator at `at` that a goal on a figure better `larger` (delivered) or
// smaller (every other) takes; none (width 0) for any other.
Operator read_operator(std::string_view text, std::size_t at, bool larger) {
  auto rest = text.substr(at);
  // `=<` and `=>` are not `=` followed by a limit: other_operator_width names them.
  if (rest.starts_with("=<") || rest.starts_with("=>")) return {};
  if (larger) {
    if (rest.starts_with(">=")) return {2, false, Comparison::AtLeast};
    if (rest.starts_with(">")) return {1, false, Comparison::Above};
    return {};
  }
  if (rest.starts_with("<=")) return {2, false, Comparison::AtMost};
  if (rest.starts_with("==")) return {2, true, Comparison::AtMost};
  if (rest.starts_with("<")) return {1, false, Comparison::Below};
  if (rest.starts_with("=")) return {1, true, Comparison::AtMost};
  return {};
}

// The width of an operator the goal does not take, to mark it.
std::size_t other_operator_width(std::string_view text, std::size_t at) {
  auto rest = text.substr(at);
  for (const char* two : {">=", "<=", "!=", "=>", "=<", "=="}) {
    if (rest.starts_with(two)) return 2;
  }
  return rest.starts_with(">") || rest.starts_with("<") || rest.starts_with("=") ? 1 : 0;
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
  bool dropped = goal.metric == Metric::Dropped || goal.metric == Metric::DroppedShare;
  if (op.equals && !(dropped && goal.limit == 0)) {
    return GoalError{
        fmt::format("'=' is only for dropped=0; write {}<={} for a limit", metric.name, value_text), op_at,
        op.width};
  }
  if (goal.limit == 0 && (goal.comparison == Comparison::Below || metric.unit == Unit::Seconds)) {
    return GoalError{fmt::format("{} can never be met; expected a limit above zero", goal.text), value_begin,
                     value_text.size()};
  }
  if (goal.limit == 100 && goal.comparison == Comparison::Above) {
    return GoalError{fmt::format("{} can never be met; expected a limit below 100%", goal.text), value_begin,
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
  bool larger = larger_is_better(found->metric);
  auto op = read_operator(text, op_at, larger);
  if (op.width == 0) {
    auto width = std::max<std::size_t>(1, other_operator_width(text, op_at));
    return GoalError{larger
                         ? fmt::format("expected >= or > after '{}': a goal on {} is a share that a larger "
                                       "figure meets (e.g. {}>=99.9%)",
                                       key, key, key)
                         : fmt::format("expected <=, < or = after '{}': a goal is a limit that a smaller "
                                       "figure meets (e.g. {}<=...)",
                                       key, key),
                     op_at, width};
  }
  // `dropped` takes a count or, ending in %, a share of what was produced.
  auto value_end = text.find_last_not_of(" \t");
  if (found->metric == Metric::Dropped && value_end != std::string_view::npos && text[value_end] == '%') {
    found = std::find_if(std::begin(kMetrics), std::end(kMetrics),
                         [](const MetricInfo& m) { return m.metric == Metric::DroppedShare; });
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

namespace {

// The balance's shares, in percent (docs/tune.md): dropped
// of produced, delivered of produced less filtered. Computed as 100 × n / d
// so that a share equal to a limit written in decimal compares equal to it.
double share(Metric metric, const RunMetrics& metrics) {
  std::uint64_t produced = 0, dropped = 0, delivered = 0, filtered = 0;
  for (const auto& source : metrics.sources) {
    produced += source.produced;
    dropped += source.dropped;
    delivered += source.delivered;
    filtered += source.filtered;
  }
  if (metric == Metric::DroppedShare) {
    return produced == 0 ? 0.0 : 100.0 * static_cast<double>(dropped) / static_cast<double>(produced);
  }
  // Nothing to deliver lost nothing.
  auto kept = produced - std::min(produced, filtered);
  return kept == 0 ? 100.0 : 100.0 * static_cast<double>(delivered) / static_cast<double>(kept);
}

}  // namespace

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
    case Metric::DroppedShare:
    case Metric::DeliveredShare:
      return share(metric, metrics);
  }
  return 0;
}

bool meets(const Goal& goal, double figure) {
  switch (goal.comparison) {
    case Comparison::AtMost:
      return figure <= goal.limit;
    case Comparison::Below:
      return figure < goal.limit;
    case Comparison::AtLeast:
      return figure >= goal.limit;
    case Comparison::Above:
      return figure > goal.limit;
  }
  return false;
}

bool larger_is_better(Metric metric) {
  return metric == Metric::DeliveredShare;
}

bool asks_for_less_memory(const std::vector<Goal>& goals) {
  return std::any_of(goals.begin(), goals.end(), [](const Goal& goal) {
    return goal.metric == Metric::PeakBytes || goal.metric == Metric::PeakMessages;
  });
}

double worse(Metric metric, double a, double b) {
  return larger_is_better(metric) ? std::min(a, b) : std::max(a, b);
}

double shortfall(const Goal& goal, double figure) {
  if (meets(goal, figure)) return 0;
  // A limit of 0 (dropped=0) counts each message missed as one limit's worth.
  // A figure equal to a `<` limit misses too, by the least amount.
  double scale = goal.limit > 0 ? goal.limit : 1;
  double by = larger_is_better(goal.metric) ? goal.limit - figure : figure - goal.limit;
  return std::max(by / scale, 1e-12);
}

}  // namespace flow::tune
