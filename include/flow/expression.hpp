#pragma once
// Expressions over a message's fields (docs/expressions.md): `status >= 500 &&
// path =~ "^/api"`, as where(), set(), route() and the checker use them. The
// grammar keeps an expression argument as text (flow::Expression); this
// parses, checks and compiles it. Implemented in runtime/fields.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "flow/clock.hpp"
#include "flow/diagnostic.hpp"
#include "flow/fields.hpp"
#include "flow/source_location.hpp"

namespace flow {

struct Message;

/// What an expression gives: nothing (a field the message lacks), a boolean,
/// a number or text.
using ExpressionValue = std::variant<std::monostate, bool, std::int64_t, double, std::string>;

/// A checked expression, ready to run on messages; safe to share between workers.
class CompiledExpression {
 public:
  virtual ~CompiledExpression() = default;
  /// Its value for `message`; `now` is the run's clock (the `now()` function).
  virtual ExpressionValue evaluate(const Message& message, Clock::time_point now) const = 0;
  /// As a condition: true only when it gives the boolean true.
  bool holds(const Message& message, Clock::time_point now) const {
    auto value = evaluate(message, now);
    const auto* truth = std::get_if<bool>(&value);
    return truth != nullptr && *truth;
  }
  /// True when it gives a boolean: a condition such as `status >= 500`.
  virtual bool is_condition() const { return false; }
  /// The type a field set to its value gets (Any where the checker cannot tell).
  virtual FieldType type() const { return FieldType::Any; }
};

/// The fields the checker knows a message has at some point of a chain, by
/// name, with their types; `complete` is false after an operator that sets
/// fields it cannot name (parse_json), when an unknown field is no error.
struct KnownFields {
  std::map<std::string, FieldType, std::less<>> types;
  bool complete = true;
};

/// What the checker says of a field `name` that `known` (complete) lacks:
/// "unknown field 'stauts'; known fields: path, status (did you mean 'status'?)".
std::string unknown_field_message(std::string_view name, const KnownFields& known);

/// Parses and checks `text` (an Expression argument written at `at`): every
/// problem goes into `diagnostics` located inside the text (line, column and
/// caret), and nullptr is returned. `known`: what the checker knows of the
/// fields there, or nullptr when it knows nothing.
std::unique_ptr<CompiledExpression> compile_expression(std::string_view text, SourceLocation at,
                                                       const KnownFields* known,
                                                       std::vector<Diagnostic>& diagnostics);

}  // namespace flow
