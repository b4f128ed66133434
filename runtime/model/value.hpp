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

/// String literals are std::string (escapes already decoded); integers are int64_t.
using Value = std::variant<std::int64_t, double, Duration, Size, Rate, std::string, bool, Identifier, Unbounded>;

/// The kinds, in the order of Value's alternatives.
enum class ValueKind { Integer, Decimal, Duration, Size, Rate, String, Boolean, Identifier, Unbounded };

inline ValueKind kind_of(const Value& v) { return static_cast<ValueKind>(v.index()); }

/// "an integer", "a duration", ... for messages such as "expected a duration, got a size".
const char* describe(ValueKind kind);

/// The value as the user would write it: `10ms`, `16B`, `"text"`, `block`.
std::string to_string(const Value& value);

}  // namespace flow
