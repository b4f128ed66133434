#pragma once
// Typed literal values of the .flow language, shared by the syntax tree and the model.
#include <chrono>
#include <cstdint>
#include <string>
#include <variant>

namespace flow {

struct Duration {
  std::chrono::nanoseconds value{0};
  bool operator==(const Duration&) const = default;
};
struct Size {
  std::uint64_t bytes = 0;
  bool operator==(const Size&) const = default;
};
struct Rate {
  double per_second = 0;  ///< `10000/s` → 10000, `5/ms` → 5000
  bool operator==(const Rate&) const = default;
};
struct Identifier {  ///< a bare word used as a value: `block`, `round_robin`
  std::string name;
  bool operator==(const Identifier&) const = default;
};
struct Unbounded {
  bool operator==(const Unbounded&) const = default;
};
/// A random duration: `exponential(10ms)`, `uniform(1ms, 5ms)`,
/// `normal(10ms, 2ms)` (truncated at 0), `lognormal(p50=10ms, p99=80ms)`.
struct Distribution {
  enum class Shape { Exponential, Uniform, Normal, LogNormal };
  Shape shape = Shape::Exponential;
  Duration first;   ///< exponential: the mean; uniform: low; normal: the mean; lognormal: p50
  Duration second;  ///< uniform: high; normal: the standard deviation; lognormal: p99; else 0
  bool operator==(const Distribution&) const = default;
  /// The mean in seconds (flow plan's figure): the truncated normal's, the lognormal's exp(mu + sigma^2/2).
  double mean_seconds() const;
};

/// An expression over a message's fields (docs/fields.md), kept as written:
/// `status >= 500 && path =~ "^/api"`. An operator argument that is not a
/// plain value is one; `label` is set when it was written `label: expr`
/// (route's outputs), and `by(user)` (partition=) is one too.
struct Expression {
  std::string text;
  std::string label;
  bool operator==(const Expression&) const = default;
};

/// The lognormal's sigma from its median and 99th percentile (seconds or any one unit).
double log_normal_sigma(double p50, double p99);

/// String literals are std::string (escapes already decoded); integers are int64_t.
using Value = std::variant<std::int64_t, double, Duration, Size, Rate, std::string, bool, Identifier, Unbounded,
                           Distribution, Expression>;

/// The kinds, in the order of Value's alternatives.
enum class ValueKind {
  Integer,
  Decimal,
  Duration,
  Size,
  Rate,
  String,
  Boolean,
  Identifier,
  Unbounded,
  Distribution,
  Expression
};

inline ValueKind kind_of(const Value& v) { return static_cast<ValueKind>(v.index()); }

/// "an integer", "a duration", ... for messages such as "expected a duration, got a size".
const char* describe(ValueKind kind);

/// The value as the user would write it: `10ms`, `16B`, `"text"`, `block`.
std::string to_string(const Value& value);

}  // namespace flow
