// Text → expression tree (grammar/expression_tree.hpp): the actions of
// grammar/expression.hpp and what each failed `must<>` tells the user.
// Actions push finished nodes on a stack and fold operators as their right
// operand completes; every rule with an action either matches or makes the
// whole parse fail, so backtracking never leaves half a node behind.
#include "grammar/expression_tree.hpp"

#include <fmt/format.h>

#include <utility>

#include "grammar/expression.hpp"
#include "grammar/literals.hpp"
#include "grammar/recovery.hpp"

namespace flow::expr {
namespace rules = grammar::expression;

const char* spelling(Op op) {
  switch (op) {
    case Op::Or:
      return "||";
    case Op::And:
      return "&&";
    case Op::Equal:
      return "==";
    case Op::NotEqual:
      return "!=";
    case Op::Less:
      return "<";
    case Op::LessEqual:
      return "<=";
    case Op::Greater:
      return ">";
    case Op::GreaterEqual:
      return ">=";
    case Op::Match:
      return "=~";
    case Op::NotMatch:
      return "!~";
    case Op::Add:
      return "+";
    case Op::Subtract:
      return "-";
    case Op::Multiply:
      return "*";
    case Op::Divide:
      return "/";
    case Op::Remainder:
      return "%";
    case Op::Negate:
      return "-";
    case Op::Not:
      return "!";
  }
  return "?";
}

namespace {

/// A problem an action finds in a token it matched (a bad number or escape).
struct ActionError {
  std::string message;
  std::size_t offset = 0;
  std::size_t width = 1;
};

struct PendingOp {
  Op op;
  std::size_t offset;
};

struct Builder {
  std::vector<Node> nodes;
  std::vector<PendingOp> ops;
  std::vector<std::size_t> calls;  ///< the stack size just after each open call's node
};

template <typename ActionInput>
std::size_t offset_of(const ActionInput& in) {
  return in.iterator().byte;
}

Node leaf(Node::Kind kind, std::size_t offset, std::size_t width) {
  Node node;
  node.kind = kind;
  node.offset = offset;
  node.width = width;
  return node;
}

// A number token's meaning: integers and decimals as written, a duration in
// seconds (as now() gives time), a size in bytes.
LiteralValue literal_from(const Value& value, std::size_t offset, std::size_t width) {
  if (const auto* integer = std::get_if<std::int64_t>(&value)) return *integer;
  if (const auto* decimal = std::get_if<double>(&value)) return *decimal;
  if (const auto* duration = std::get_if<Duration>(&value)) {
    return std::chrono::duration<double>(duration->value).count();
  }
  if (const auto* size = std::get_if<Size>(&value)) return static_cast<std::int64_t>(size->bytes);
  throw ActionError{"a rate has no meaning in an expression; write a number, a duration or a size", offset,
                    width};
}

void push_literal(Builder& b, grammar::Decoded decoded, std::size_t offset, std::size_t width) {
  if (auto* error = std::get_if<grammar::TokenError>(&decoded)) {
    throw ActionError{error->message, offset + error->offset, error->width};
  }
  auto node = leaf(Node::Kind::Literal, offset, width);
  const auto& value = std::get<Value>(decoded);
  if (const auto* text = std::get_if<std::string>(&value)) {
    node.literal = *text;
  } else {
    node.literal = literal_from(value, offset, width);
  }
  b.nodes.push_back(std::move(node));
}

Op binary_op(std::string_view text) {
  static constexpr std::pair<std::string_view, Op> table[] = {
      {"||", Op::Or},      {"&&", Op::And},       {"==", Op::Equal},   {"!=", Op::NotEqual},
      {"<", Op::Less},     {"<=", Op::LessEqual}, {">", Op::Greater},  {">=", Op::GreaterEqual},
      {"=~", Op::Match},   {"!~", Op::NotMatch},  {"+", Op::Add},      {"-", Op::Subtract},
      {"*", Op::Multiply}, {"/", Op::Divide},     {"%", Op::Remainder}};
  for (const auto& [spelt, op] : table) {
    if (spelt == text) return op;
  }
  return Op::Or;
}

template <typename Rule>
struct Action : tao::pegtl::nothing<Rule> {};

template <>
struct Action<rules::number> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, Builder& b) {
    push_literal(b, grammar::decode_number(in.string_view()), offset_of(in), in.size());
  }
};
template <>
struct Action<rules::text> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, Builder& b) {
    push_literal(b, grammar::decode_string(in.string_view()), offset_of(in), in.size());
  }
};
template <bool Truth>
struct BooleanAction {
  template <typename ActionInput>
  static void apply(const ActionInput& in, Builder& b) {
    auto node = leaf(Node::Kind::Literal, offset_of(in), in.size());
    node.literal = Truth;
    b.nodes.push_back(std::move(node));
  }
};
template <>
struct Action<rules::true_literal> : BooleanAction<true> {};
template <>
struct Action<rules::false_literal> : BooleanAction<false> {};
template <>
struct Action<rules::field_name> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, Builder& b) {
    auto node = leaf(Node::Kind::Field, offset_of(in), in.size());
    node.name = in.string();
    b.nodes.push_back(std::move(node));
  }
};
template <>
struct Action<rules::call_name> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, Builder& b) {
    auto node = leaf(Node::Kind::Call, offset_of(in), in.size());
    node.name = in.string();
    b.nodes.push_back(std::move(node));
    b.calls.push_back(b.nodes.size());
  }
};
template <>
struct Action<rules::call_close> {
  // The arguments are what the stack holds above the call's own node.
  template <typename ActionInput>
  static void apply(const ActionInput& in, Builder& b) {
    auto mark = b.calls.back();
    b.calls.pop_back();
    auto& call = b.nodes[mark - 1];
    for (auto i = mark; i < b.nodes.size(); ++i) call.children.push_back(std::move(b.nodes[i]));
    b.nodes.resize(mark);
    call.width = offset_of(in) + 1 - call.offset;
  }
};
template <>
struct Action<rules::parenthesized> {
  // Carets under a parenthesized operand cover its brackets too.
  template <typename ActionInput>
  static void apply(const ActionInput& in, Builder& b) {
    b.nodes.back().offset = offset_of(in);
    b.nodes.back().width = in.size();
  }
};
template <>
struct Action<rules::unary_operator> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, Builder& b) {
    b.ops.push_back({in.string_view() == "!" ? Op::Not : Op::Negate, offset_of(in)});
  }
};
template <>
struct Action<rules::unary_operand> {
  template <typename ActionInput>
  static void apply(const ActionInput&, Builder& b) {
    auto pending = b.ops.back();
    b.ops.pop_back();
    auto operand = std::move(b.nodes.back());
    b.nodes.pop_back();
    auto node = leaf(Node::Kind::Unary, pending.offset, operand.offset + operand.width - pending.offset);
    node.op = pending.op;
    node.op_offset = pending.offset;
    node.children.push_back(std::move(operand));
    b.nodes.push_back(std::move(node));
  }
};
struct PushBinaryOperator {
  template <typename ActionInput>
  static void apply(const ActionInput& in, Builder& b) {
    b.ops.push_back({binary_op(in.string_view()), offset_of(in)});
  }
};
template <>
struct Action<rules::multiplicative_operator> : PushBinaryOperator {};
template <>
struct Action<rules::additive_operator> : PushBinaryOperator {};
template <>
struct Action<rules::relational_operator> : PushBinaryOperator {};
template <>
struct Action<rules::equality_operator> : PushBinaryOperator {};
template <>
struct Action<rules::and_operator> : PushBinaryOperator {};
template <>
struct Action<rules::or_operator> : PushBinaryOperator {};
template <typename Operator, typename Operand>
struct Action<rules::operand_after<Operator, Operand>> {
  template <typename ActionInput>
  static void apply(const ActionInput&, Builder& b) {
    auto pending = b.ops.back();
    b.ops.pop_back();
    auto right = std::move(b.nodes.back());
    b.nodes.pop_back();
    auto left = std::move(b.nodes.back());
    b.nodes.pop_back();
    auto node = leaf(Node::Kind::Binary, left.offset, right.offset + right.width - left.offset);
    node.op = pending.op;
    node.op_offset = pending.offset;
    node.children.push_back(std::move(left));
    node.children.push_back(std::move(right));
    b.nodes.push_back(std::move(node));
  }
};
template <>
struct Action<rules::lone_equals> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, Builder&) {
    throw ActionError{"'=' is not a comparison; write '==' to compare", offset_of(in), 1};
  }
};

// clang-format off
template <typename Rule> inline constexpr const char* message = nullptr;
constexpr const char* operand_wanted = "expected a field, a value, a function call or '(' after the operator";
template <typename O, typename P> inline constexpr const char* message<rules::operand_after<O, P>> = operand_wanted;
template <> inline constexpr const char* message<rules::unary_operand> = operand_wanted;
template <> inline constexpr const char* message<rules::whole_expression> = "expected an expression such as 'status >= 500'";
template <> inline constexpr const char* message<rules::inner_expression> = "expected an expression after '('";
template <> inline constexpr const char* message<rules::paren_close> = "expected an operator such as '+' or '==', or ')' to close the '('";
template <> inline constexpr const char* message<rules::first_argument> = "expected an argument or ')' after '('";
template <> inline constexpr const char* message<rules::next_argument> = "expected an argument after ','";
template <> inline constexpr const char* message<rules::call_close> = "expected ',' or ')' after the argument";
template <> inline constexpr const char* message<rules::fraction_digits> = "expected digits after the decimal point, as in '0.25'";
template <> inline constexpr const char* message<rules::expression_end> = "expected an operator such as '&&', '==' or '+', or the end of the expression";
// clang-format on

struct Errors {
  template <typename Rule>
  static constexpr bool raise_on_failure = false;
  template <typename Rule>
  static constexpr auto message = expr::message<Rule>;
};

template <typename Rule>
using Control = tao::pegtl::must_if<Errors>::control<Rule>;

}  // namespace

Parsed parse(std::string_view text) {
  Parsed parsed;
  tao::pegtl::memory_input input(text.data(), text.size(), "expression");
  Builder builder;
  try {
    tao::pegtl::parse<rules::top, Action, Control>(input, builder);
    parsed.root.push_back(std::move(builder.nodes.back()));
  } catch (const tao::pegtl::parse_error& e) {
    parsed.error = std::string(e.message());
    parsed.error_offset = e.positions().front().byte;
    parsed.error_width = grammar::token_width(text, parsed.error_offset);
  } catch (const ActionError& e) {
    parsed.error = e.message;
    parsed.error_offset = e.offset;
    parsed.error_width = e.width;
  }
  return parsed;
}

}  // namespace flow::expr
