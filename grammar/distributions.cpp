// decode_distribution: what `exponential(10ms)`, `uniform(1ms, 5ms)`,
// `normal(10ms, 2ms)` and `lognormal(p50=10ms, p99=80ms)` mean, and where they
// are wrong. Every error points at the parameter it is about.
#include <fmt/format.h>

#include <array>
#include <optional>

#include "grammar/literals.hpp"
#include "runtime/model/value_limits.hpp"

namespace flow::grammar {
namespace {

using Shape = Distribution::Shape;

struct ShapeSpec {
  std::string_view name;
  Shape shape;
  std::array<std::string_view, 2> params;  ///< "" when it has one parameter
};

constexpr std::array<ShapeSpec, 4> shapes{{{"exponential", Shape::Exponential, {"mean", ""}},
                                           {"uniform", Shape::Uniform, {"low", "high"}},
                                           {"normal", Shape::Normal, {"mean", "sd"}},
                                           {"lognormal", Shape::LogNormal, {"p50", "p99"}}}};

std::size_t arity(const ShapeSpec& spec) {
  return spec.params[1].empty() ? 1 : 2;
}

std::string parameter_list(const ShapeSpec& spec) {
  return arity(spec) == 1 ? fmt::format("'{}'", spec.params[0])
                          : fmt::format("'{}' and '{}'", spec.params[0], spec.params[1]);
}

TokenError at(const DistributionParam& param, std::string message) {
  return {std::move(message), param.offset, param.width};
}

/// A number where a duration is due is most often a count meant to be random
/// (`burst=uniform(1, 10)`): say what a distribution is for and what a count takes.
std::string not_a_duration(const ShapeSpec& spec, const Value& value) {
  auto kind = kind_of(value);
  if (kind != ValueKind::Integer && kind != ValueKind::Decimal) {
    return fmt::format("expected a duration, got {}", describe(kind));
  }
  return fmt::format(
      "expected a duration such as '5ms', got {}: {}(...) draws random durations, for delay, spin, "
      "generate's every and batch's within; a count such as generate's burst takes one integer",
      describe(kind), spec.name);
}

/// The parameters in the shape's order, each a checked duration; or the first error.
std::variant<std::array<Duration, 2>, TokenError> durations_of(const ShapeSpec& spec,
                                                               const std::vector<DistributionParam>& params,
                                                               std::size_t width) {
  std::array<std::optional<Duration>, 2> found;
  std::size_t next_positional = 0;
  for (const auto& param : params) {
    if (const auto* error = std::get_if<TokenError>(&param.value)) {
      return TokenError{error->message, param.offset + error->offset, error->width};
    }
    std::size_t slot = next_positional++;
    if (!param.name.empty()) {
      slot = param.name == spec.params[0] ? 0 : param.name == spec.params[1] && arity(spec) == 2 ? 1 : 2;
      if (slot == 2) {
        return at(param, fmt::format("{} has no parameter '{}'; it takes {}", spec.name, param.name,
                                     parameter_list(spec)));
      }
    }
    if (slot >= arity(spec)) {
      return at(param, fmt::format("{} takes {} duration{} ({}), got more", spec.name, arity(spec),
                                   arity(spec) == 1 ? "" : "s", parameter_list(spec)));
    }
    if (found[slot]) return at(param, fmt::format("'{}' is given twice", spec.params[slot]));
    const auto& value = std::get<Value>(param.value);
    const auto* duration = std::get_if<Duration>(&value);
    if (duration == nullptr) return at(param, not_a_duration(spec, value));
    if (auto error = limits::out_of_range(value); !error.empty()) return at(param, error);
    found[slot] = *duration;
  }
  for (std::size_t k = 0; k < arity(spec); ++k) {
    if (!found[k]) return TokenError{fmt::format("{} needs '{}'", spec.name, spec.params[k]), 0, width};
  }
  return std::array<Duration, 2>{*found[0], found[1].value_or(Duration{})};
}

/// The parameter written for slot k (for carets), or the whole distribution.
TokenError about(const ShapeSpec& spec, const std::vector<DistributionParam>& params, std::size_t k,
                 std::size_t width, std::string message) {
  // The same numbering as durations_of: a named parameter takes a place in the order too.
  std::size_t positional = 0;
  for (const auto& param : params) {
    std::size_t slot = positional++;
    if (!param.name.empty()) slot = param.name == spec.params[0] ? 0 : 1;
    if (slot == k) return at(param, std::move(message));
  }
  return TokenError{std::move(message), 0, width};
}

std::optional<TokenError> check_shape(const ShapeSpec& spec, const std::array<Duration, 2>& d,
                                      const std::vector<DistributionParam>& params, std::size_t width) {
  auto text = [](Duration v) { return to_string(Value{v}); };
  auto positive = [&](std::size_t k) -> std::optional<TokenError> {
    if (d[k].value.count() > 0) return std::nullopt;
    return about(spec, params, k, width,
                 fmt::format("'{}' must be more than 0, got {}", spec.params[k], text(d[k])));
  };
  auto not_negative = [&](std::size_t k) -> std::optional<TokenError> {
    if (d[k].value.count() >= 0) return std::nullopt;
    return about(spec, params, k, width,
                 fmt::format("'{}' must not be negative, got {}", spec.params[k], text(d[k])));
  };
  switch (spec.shape) {
    case Shape::Exponential:
      return positive(0);
    case Shape::Normal:
      if (auto error = positive(0)) return error;
      return not_negative(1);
    case Shape::Uniform:
      if (auto error = not_negative(0)) return error;
      if (d[1].value < d[0].value) {
        return about(spec, params, 1, width,
                     fmt::format("'high' must not be less than 'low' ({}), got {}", text(d[0]), text(d[1])));
      }
      return positive(1);
    case Shape::LogNormal:
      if (auto error = positive(0)) return error;
      if (d[1].value <= d[0].value) {
        return about(spec, params, 1, width,
                     fmt::format("'p99' must be more than 'p50' ({}), got {}", text(d[0]), text(d[1])));
      }
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

std::string unknown_distribution(std::string_view name) {
  for (const auto& candidate : shapes) {
    if (candidate.name == name) return "";
  }
  return fmt::format("unknown distribution '{}'; expected exponential, uniform, normal or lognormal", name);
}

Decoded decode_distribution(const std::string& name, const std::vector<DistributionParam>& params,
                            std::size_t width) {
  const ShapeSpec* spec = nullptr;
  for (const auto& candidate : shapes) {
    if (candidate.name == name) spec = &candidate;
  }
  if (spec == nullptr) return TokenError{unknown_distribution(name), 0, name.size()};
  auto decoded = durations_of(*spec, params, width);
  if (auto* error = std::get_if<TokenError>(&decoded)) return *error;
  const auto& durations = std::get<std::array<Duration, 2>>(decoded);
  if (auto error = check_shape(*spec, durations, params, width)) return *error;
  return Value{Distribution{spec->shape, durations[0], durations[1]}};
}

}  // namespace flow::grammar
