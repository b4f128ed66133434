#pragma once
// The syntax tree of one expression (docs/expressions.md): `status >= 500 &&
// path =~ "^/api"`. Plain data, no PEGTL: grammar/expression.cpp builds it,
// runtime/fields checks and compiles it. Offsets are bytes into the
// expression's text, which is one line, so a caret is the argument's
// location moved by the offset.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace flow::expr {

enum class Op {
  Or,
  And,
  Equal,
  NotEqual,
  Less,
  LessEqual,
  Greater,
  GreaterEqual,
  Match,
  NotMatch,
  Add,
  Subtract,
  Multiply,
  Divide,
  Remainder,
  Negate,
  Not
};

/// How the operator is written: "&&", ">=", "=~", "-".
const char* spelling(Op op);

/// A literal as written: a boolean, an integer, a decimal (a duration is
/// one, in seconds) or text.
using LiteralValue = std::variant<bool, std::int64_t, double, std::string>;

struct Node {
  enum class Kind { Literal, Field, Call, Unary, Binary };
  Kind kind = Kind::Literal;
  Op op = Op::Or;               ///< Unary and Binary
  LiteralValue literal{false};  ///< Literal
  std::string name;             ///< Field: the field's name; Call: the function's
  std::size_t offset = 0;       ///< where the node's text starts
  std::size_t width = 1;        ///< how long it is (the whole subexpression)
  std::size_t op_offset = 0;    ///< Unary and Binary: the operator's text
  std::vector<Node> children;   ///< operands or call arguments, in order
};

/// A tree, or where and why the text is not an expression.
struct Parsed {
  std::vector<Node> root;  ///< one node, or none on error
  std::string error;
  std::size_t error_offset = 0;
  std::size_t error_width = 1;
};

/// Parses `text` (one line); never throws for bad input.
Parsed parse(std::string_view text);

}  // namespace flow::expr
