// An expression's text → a checked Program (docs/expressions.md): parses it
// (grammar/expression.cpp), infers each node's type, reports what can never
// work with a caret inside the text, compiles each pattern once.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <optional>

#include "flow/expression.hpp"
#include "runtime/fields/expr_program.hpp"

namespace flow {
namespace expr {
namespace {

const char* describe(Type type) {
  switch (type) {
    case Type::Any:
      return "a field's value";
    case Type::Text:
      return "text";
    case Type::Integer:
      return "an integer";
    case Type::Decimal:
      return "a decimal";
    case Type::Number:
      return "a number";
    case Type::Boolean:
      return "a condition";
  }
  return "a value";
}

bool numeric(Type type) {
  return type == Type::Integer || type == Type::Decimal || type == Type::Number;
}

/// A checked node: its step, its type, and whether it is text written as a
/// literal that does not read as a number (an error where numbers are due).
struct Checked {
  Step step;
  Type type = Type::Any;
  bool wordy_literal = false;
};

struct Function {
  std::string_view name;
  std::size_t arity;
  Step::Kind kind;
};
constexpr std::array<Function, 6> functions{{{"field", 1, Step::Kind::Field},
                                             {"len", 1, Step::Kind::Len},
                                             {"lower", 1, Step::Kind::Lower},
                                             {"now", 0, Step::Kind::Now},
                                             {"to_int", 1, Step::Kind::ToInt},
                                             {"upper", 1, Step::Kind::Upper}}};

class Compiler {
 public:
  Compiler(SourceLocation at, const KnownFields* known, std::vector<Diagnostic>& out)
      : at_(at), known_(known), out_(out) {}

  bool failed() const { return failed_; }

  void error(std::size_t offset, std::size_t width, std::string message) {
    failed_ = true;
    SourceLocation where = at_;
    if (where.known()) {
      where.column += offset;
      where.offset += offset;
    }
    out_.push_back({Severity::Error, where, std::move(message), std::max<std::size_t>(1, width)});
  }

  std::optional<Checked> compile(const Node& node) {
    switch (node.kind) {
      case Node::Kind::Literal:
        return literal(node);
      case Node::Kind::Field:
        return field(node.name, node);
      case Node::Kind::Call:
        return call(node);
      case Node::Kind::Unary:
        return unary(node);
      case Node::Kind::Binary:
        return binary(node);
    }
    return std::nullopt;
  }

 private:
  static std::optional<Checked> literal(const Node& node) {
    Checked checked;
    auto& constant = checked.step.constant;
    if (const auto* truth = std::get_if<bool>(&node.literal)) {
      constant.kind = Val::Kind::Bool;
      constant.truth = *truth;
      checked.type = Type::Boolean;
    } else if (const auto* integer = std::get_if<std::int64_t>(&node.literal)) {
      constant.kind = Val::Kind::Int;
      constant.integer = *integer;
      checked.type = Type::Integer;
    } else if (const auto* decimal = std::get_if<double>(&node.literal)) {
      constant.kind = Val::Kind::Dec;
      constant.decimal = *decimal;
      checked.type = Type::Decimal;
    } else {
      constant.kind = Val::Kind::Text;
      constant.own = std::get<std::string>(node.literal);
      constant.owned = true;
      checked.type = Type::Text;
      checked.wordy_literal = number_from_text(constant.own).kind == Val::Kind::None;
    }
    return checked;
  }

  std::optional<Checked> field(const std::string& name, const Node& at) {
    Checked checked;
    checked.step.kind = Step::Kind::Field;
    checked.step.name = name;
    if (known_ == nullptr) return checked;
    auto found = known_->types.find(name);
    if (found != known_->types.end()) {
      checked.type = found->second == FieldType::Text      ? Type::Text
                     : found->second == FieldType::Integer ? Type::Integer
                     : found->second == FieldType::Decimal ? Type::Decimal
                                                           : Type::Any;
    } else if (known_->complete) {
      error(at.offset, at.width, unknown_field_message(name, *known_));
      return std::nullopt;
    }
    return checked;
  }

  std::optional<Checked> call(const Node& node) {
    const auto* function = std::find_if(functions.begin(), functions.end(),
                                        [&node](const Function& f) { return f.name == node.name; });
    if (function == functions.end()) {
      std::vector<std::string> names;
      names.reserve(functions.size());
      for (const auto& f : functions) names.emplace_back(f.name);
      auto meant = closest_match(node.name, names);
      error(node.offset, node.name.size(),
            fmt::format("unknown function '{}'{}; the functions are {}", node.name,
                        meant.empty() ? std::string() : fmt::format(" (did you mean '{}'?)", meant),
                        fmt::join(names, ", ")));
      return std::nullopt;
    }
    if (node.children.size() != function->arity) {
      error(node.offset, node.width,
            fmt::format("{}() takes {} argument{}, got {}", node.name, function->arity,
                        function->arity == 1 ? "" : "s", node.children.size()));
      return std::nullopt;
    }
    if (function->kind == Step::Kind::Field) return named_field(node.children.front());
    Checked checked;
    checked.step.kind = function->kind;
    if (function->kind == Step::Kind::Now) {
      checked.type = Type::Decimal;
      return checked;
    }
    auto argument = compile(node.children.front());
    if (!argument) return std::nullopt;
    const auto& written = node.children.front();
    bool wants_text = function->kind == Step::Kind::Lower || function->kind == Step::Kind::Upper;
    if (argument->type == Type::Boolean || (wants_text && numeric(argument->type))) {
      error(written.offset, written.width,
            fmt::format("{}() takes {}, got {}", node.name, wants_text ? "text" : "text or a number",
                        describe(argument->type)));
      return std::nullopt;
    }
    checked.type = wants_text ? Type::Text : Type::Integer;
    checked.step.children.push_back(std::move(argument->step));
    return checked;
  }

  // field("x-y"): a field whose name is no identifier.
  std::optional<Checked> named_field(const Node& argument) {
    const auto* name = std::get_if<std::string>(&argument.literal);
    if (argument.kind != Node::Kind::Literal || name == nullptr) {
      error(argument.offset, argument.width,
            "field() takes the field's name as a string, such as field(\"x-y\")");
      return std::nullopt;
    }
    return field(*name, argument);
  }

  std::optional<Checked> unary(const Node& node) {
    auto operand = compile(node.children.front());
    if (!operand) return std::nullopt;
    const auto& written = node.children.front();
    Checked checked;
    if (node.op == Op::Not) {
      if (operand->type != Type::Boolean) {
        error(written.offset, written.width,
              fmt::format("'!' takes a condition such as 'status >= 500', got {}", describe(operand->type)));
        return std::nullopt;
      }
      checked.step.kind = Step::Kind::Not;
      checked.type = Type::Boolean;
    } else {
      if (!takes_number("-", *operand, written)) return std::nullopt;
      checked.step.kind = Step::Kind::Negate;
      // -(-2^63) is past the integers: a decimal then, so an integer's negation is a number.
      checked.type = operand->type == Type::Decimal ? Type::Decimal : Type::Number;
    }
    checked.step.children.push_back(std::move(operand->step));
    return checked;
  }

  bool takes_number(std::string_view op, const Checked& operand, const Node& written) {
    if (operand.type == Type::Boolean || operand.wordy_literal) {
      error(written.offset, written.width,
            fmt::format("'{}' takes numbers, got {}", op,
                        operand.wordy_literal ? fmt::format("the text {}", text_of(written))
                                              : describe(operand.type)));
      return false;
    }
    return true;
  }

  static std::string text_of(const Node& literal) {
    return fmt::format("\"{}\"", std::get<std::string>(literal.literal));
  }

  std::optional<Checked> binary(const Node& node);
  std::optional<Checked> logical(const Node& node, Checked left, Checked right);
  std::optional<Checked> comparison(const Node& node, Checked left, Checked right);
  std::optional<Checked> arithmetic(const Node& node, Checked left, Checked right);
  std::optional<Checked> match(const Node& node, Checked left);

  SourceLocation at_;
  const KnownFields* known_;
  std::vector<Diagnostic>& out_;
  bool failed_ = false;
};

Checked joined(Step::Kind kind, Op op, Type type, Checked left, Checked right) {
  Checked checked;
  checked.step.kind = kind;
  checked.step.op = op;
  checked.type = type;
  checked.step.children.push_back(std::move(left.step));
  checked.step.children.push_back(std::move(right.step));
  return checked;
}

std::optional<Checked> Compiler::binary(const Node& node) {
  if (node.op == Op::Match || node.op == Op::NotMatch) {
    auto left = compile(node.children[0]);
    if (!left) return std::nullopt;
    return match(node, std::move(*left));
  }
  // Both sides first, so that a mistake on each side is reported.
  auto left = compile(node.children[0]);
  auto right = compile(node.children[1]);
  if (!left || !right) return std::nullopt;
  switch (node.op) {
    case Op::And:
    case Op::Or:
      return logical(node, std::move(*left), std::move(*right));
    case Op::Add:
    case Op::Subtract:
    case Op::Multiply:
    case Op::Divide:
    case Op::Remainder:
      return arithmetic(node, std::move(*left), std::move(*right));
    default:
      return comparison(node, std::move(*left), std::move(*right));
  }
}

std::optional<Checked> Compiler::logical(const Node& node, Checked left, Checked right) {
  bool fine = true;
  for (std::size_t side = 0; side < 2; ++side) {
    const auto& operand = side == 0 ? left : right;
    if (operand.type == Type::Boolean) continue;
    const auto& written = node.children[side];
    error(written.offset, written.width,
          fmt::format("'{}' joins conditions such as 'status >= 500', got {}", spelling(node.op),
                      describe(operand.type)));
    fine = false;
  }
  if (!fine) return std::nullopt;
  auto kind = node.op == Op::And ? Step::Kind::And : Step::Kind::Or;
  return joined(kind, node.op, Type::Boolean, std::move(left), std::move(right));
}

std::optional<Checked> Compiler::comparison(const Node& node, Checked left, Checked right) {
  bool ordering = node.op != Op::Equal && node.op != Op::NotEqual;
  bool left_bool = left.type == Type::Boolean, right_bool = right.type == Type::Boolean;
  if (ordering && (left_bool || right_bool)) {
    const auto& written = node.children[left_bool ? 0 : 1];
    error(written.offset, written.width,
          fmt::format("'{}' orders numbers or text, not conditions", spelling(node.op)));
    return std::nullopt;
  }
  if (left_bool != right_bool) {
    error(node.op_offset, std::string_view(spelling(node.op)).size(),
          fmt::format("'{}' compares a condition with {}: they are never equal", spelling(node.op),
                      describe(left_bool ? right.type : left.type)));
    return std::nullopt;
  }
  // A number against text that reads as no number: never equal, never ordered.
  if ((numeric(left.type) && right.wordy_literal) || (numeric(right.type) && left.wordy_literal)) {
    const auto& written = node.children[left.wordy_literal ? 0 : 1];
    error(written.offset, written.width,
          fmt::format("{} is compared with {}, and the text {} reads as no number",
                      describe(left.wordy_literal ? right.type : left.type), "text", text_of(written)));
    return std::nullopt;
  }
  return joined(Step::Kind::Compare, node.op, Type::Boolean, std::move(left), std::move(right));
}

std::optional<Checked> Compiler::arithmetic(const Node& node, Checked left, Checked right) {
  bool fine = takes_number(spelling(node.op), left, node.children[0]);
  fine = takes_number(spelling(node.op), right, node.children[1]) && fine;
  if (!fine) return std::nullopt;
  // `/` always gives a decimal, as in awk and VRL: 7 / 2 is 3.5.
  bool decimal = node.op == Op::Divide || (left.type == Type::Decimal && numeric(right.type)) ||
                 (right.type == Type::Decimal && numeric(left.type));
  // Integer + - * past 64 bits give a decimal (docs/expressions.md), so only % stays an integer.
  Type type = Type::Number;
  if (decimal) {
    type = Type::Decimal;
  } else if (left.type == Type::Integer && right.type == Type::Integer && node.op == Op::Remainder) {
    type = Type::Integer;
  }
  return joined(Step::Kind::Arithmetic, node.op, type, std::move(left), std::move(right));
}

std::optional<Checked> Compiler::match(const Node& node, Checked left) {
  const auto& pattern_node = node.children[1];
  const auto* pattern = std::get_if<std::string>(&pattern_node.literal);
  if (pattern_node.kind != Node::Kind::Literal || pattern == nullptr) {
    error(pattern_node.offset, pattern_node.width,
          fmt::format("the pattern after '{}' must be a string such as \"^/api\"", spelling(node.op)));
    return std::nullopt;
  }
  if (left.type == Type::Boolean) {
    const auto& written = node.children[0];
    error(written.offset, written.width,
          fmt::format("'{}' matches text, got a condition", spelling(node.op)));
    return std::nullopt;
  }
  RE2::Options options;
  options.set_log_errors(false);
  auto regex = std::make_shared<const RE2>(*pattern, options);
  if (!regex->ok()) {
    error(pattern_node.offset, pattern_node.width, fmt::format("bad regular expression: {}", regex->error()));
    return std::nullopt;
  }
  Checked checked;
  checked.step.kind = Step::Kind::Match;
  checked.step.op = node.op;
  checked.step.regex = std::move(regex);
  checked.type = Type::Boolean;
  checked.step.children.push_back(std::move(left.step));
  return checked;
}

}  // namespace
}  // namespace expr

std::string unknown_field_message(std::string_view name, const KnownFields& known) {
  if (known.types.empty()) {
    return fmt::format(
        "unknown field '{}'; no field is known here (a parser such as parse(format=\"logfmt\") "
        "sets fields)",
        name);
  }
  std::vector<std::string> names;
  for (const auto& entry : known.types) names.push_back(entry.first);
  constexpr std::size_t listed = 12;
  auto shown = static_cast<std::ptrdiff_t>(std::min(listed, names.size()));
  std::string list = fmt::format("{}", fmt::join(names.begin(), names.begin() + shown, ", "));
  if (names.size() > listed) list += ", ...";
  auto meant = closest_match(std::string(name), names);
  return fmt::format("unknown field '{}'; known fields: {}{}", name, list,
                     meant.empty() ? std::string() : fmt::format(" (did you mean '{}'?)", meant));
}

std::unique_ptr<CompiledExpression> compile_expression(std::string_view text, SourceLocation at,
                                                       const KnownFields* known,
                                                       std::vector<Diagnostic>& diagnostics) {
  auto parsed = expr::parse(text);
  expr::Compiler compiler(at, known, diagnostics);
  if (parsed.root.empty()) {
    compiler.error(parsed.error_offset, parsed.error_width, std::move(parsed.error));
    return nullptr;
  }
  auto checked = compiler.compile(parsed.root.front());
  if (!checked || compiler.failed()) return nullptr;
  return std::make_unique<expr::Program>(std::move(checked->step), checked->type);
}

}  // namespace flow
