#pragma once
// Internal to runtime/fields: a checked expression (docs/expressions.md) as
// the evaluator runs it. expr_compile.cpp builds it from the tree of
// grammar/expression_tree.hpp; expr_eval.cpp runs it, one message at a time,
// without allocating unless a function makes new text.
#include <re2/re2.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "flow/expression.hpp"
#include "grammar/expression_tree.hpp"

namespace flow::expr {

/// What the checker knows a node gives. Any: a field's value (text or a
/// number); Number: an integer or a decimal.
enum class Type { Any, Text, Integer, Decimal, Number, Boolean };

/// A value while an expression runs. Text is a view into the message's
/// field or the program's literal, or owned when a function made it.
struct Val {
  enum class Kind : std::uint8_t { None, Bool, Int, Dec, Text };
  Kind kind = Kind::None;
  bool input = false;  ///< text read from a field: compared as a number when both sides read as one (awk)
  bool truth = false;
  std::int64_t integer = 0;
  double decimal = 0;
  std::string_view view;
  std::string own;
  bool owned = false;

  std::string_view text() const { return owned ? std::string_view(own) : view; }
};

/// One node of a compiled expression.
struct Step {
  enum class Kind {
    Constant,
    Field,
    Not,
    Negate,
    And,
    Or,
    Compare,
    Arithmetic,
    Match,
    Len,
    Lower,
    Upper,
    ToInt,
    Now
  };
  Kind kind = Kind::Constant;
  Op op = Op::Or;
  Val constant;                      ///< Constant (its text owned)
  std::string name;                  ///< Field
  std::shared_ptr<const RE2> regex;  ///< Match
  std::vector<Step> children;
};

/// A compiled expression: the steps and what the checker inferred of them.
class Program final : public CompiledExpression {
 public:
  Program(Step root, Type type);
  ExpressionValue evaluate(const Message& message, Clock::time_point now) const override;
  bool is_condition() const override { return type_ == Type::Boolean; }
  FieldType type() const override;
  /// The value as the evaluator holds it (what where() tests without copying text).
  Val run(const Message& message, Clock::time_point now) const;

 private:
  Step root_;
  Type type_;
  std::chrono::system_clock::duration epoch_offset_;  ///< steady → Unix time, for now()
};

/// Reads text as a number, as awk reads a field: surrounding blanks allowed;
/// an integer when it is one, else a decimal; None when it is neither.
Val number_from_text(std::string_view text);

}  // namespace flow::expr
