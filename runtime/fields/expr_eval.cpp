// Running a compiled expression on one message (docs/expressions.md). Text
// is viewed in place, never copied, unless lower(), upper() or a number
// matched against a pattern makes new text.
#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

#include "flow/message.hpp"
#include "runtime/fields/expr_program.hpp"

namespace flow::expr {
namespace {

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

Val none() {
  return {};
}

Val of_bool(bool truth) {
  Val value;
  value.kind = Val::Kind::Bool;
  value.truth = truth;
  return value;
}

Val of_int(std::int64_t integer) {
  Val value;
  value.kind = Val::Kind::Int;
  value.integer = integer;
  return value;
}

Val of_dec(double decimal) {
  Val value;
  value.kind = Val::Kind::Dec;
  value.decimal = decimal;
  return value;
}

Val of_text(std::string text) {
  Val value;
  value.kind = Val::Kind::Text;
  value.own = std::move(text);
  value.owned = true;
  return value;
}

bool is_number(const Val& v) {
  return v.kind == Val::Kind::Int || v.kind == Val::Kind::Dec;
}
double as_double(const Val& v) {
  return v.kind == Val::Kind::Int ? static_cast<double>(v.integer) : v.decimal;
}

// A number, from a number or from text that reads as one; None otherwise.
Val to_number(const Val& v) {
  if (is_number(v)) return v;
  if (v.kind == Val::Kind::Text) return number_from_text(v.text());
  return none();
}

// Integers compare exactly; an integer against a decimal as decimals.
int order(const Val& a, const Val& b) {
  if (a.kind == Val::Kind::Int && b.kind == Val::Kind::Int)
    return (a.integer > b.integer) - (a.integer < b.integer);
  double x = as_double(a), y = as_double(b);
  return (x > y) - (x < y);
}

bool ordered_as(Op op, int sign) {
  switch (op) {
    case Op::Equal:
      return sign == 0;
    case Op::NotEqual:
      return sign != 0;
    case Op::Less:
      return sign < 0;
    case Op::LessEqual:
      return sign <= 0;
    case Op::Greater:
      return sign > 0;
    default:
      return sign >= 0;
  }
}

// What a comparison with no order between its sides gives: only `!=` holds.
bool unordered(Op op) {
  return op == Op::NotEqual;
}

bool is_nan(const Val& v) {
  return v.kind == Val::Kind::Dec && std::isnan(v.decimal);
}

bool compare(Op op, const Val& a, const Val& b) {
  using K = Val::Kind;
  // NaN is no value to order or match: only `!=` holds, even against itself.
  if (is_nan(a) || is_nan(b)) return unordered(op);
  // Nothing equals nothing, as awk's "" == "" and VRL's null == null; it
  // equals no value and is ordered against none.
  if (a.kind == K::None || b.kind == K::None) {
    bool both = a.kind == b.kind;
    return op == Op::Equal ? both : op == Op::NotEqual ? !both : false;
  }
  if (a.kind == K::Bool || b.kind == K::Bool) {
    if (a.kind != b.kind) return unordered(op);
    return op == Op::Equal ? a.truth == b.truth : op == Op::NotEqual ? a.truth != b.truth : false;
  }
  if (a.kind == K::Text && b.kind == K::Text) {
    // awk: two values read from input compare as numbers when both read as one.
    if (a.input && b.input) {
      auto x = number_from_text(a.text()), y = number_from_text(b.text());
      if (x.kind != K::None && y.kind != K::None) return ordered_as(op, order(x, y));
    }
    return ordered_as(op, a.text().compare(b.text()));
  }
  auto x = to_number(a), y = to_number(b);
  if (x.kind == K::None || y.kind == K::None) return unordered(op);
  return ordered_as(op, order(x, y));
}

// A result past a double's range (inf) or of none (NaN) is nothing, as a
// division by zero is: no stored field or comparison ever sees one.
Val finite(double decimal) {
  return std::isfinite(decimal) ? of_dec(decimal) : none();
}

Val integer_arithmetic(Op op, std::int64_t x, std::int64_t y) {
  std::int64_t result = 0;
  bool overflow = false;
  switch (op) {
    case Op::Add:
      overflow = __builtin_add_overflow(x, y, &result);
      break;
    case Op::Subtract:
      overflow = __builtin_sub_overflow(x, y, &result);
      break;
    case Op::Multiply:
      overflow = __builtin_mul_overflow(x, y, &result);
      break;
    default:  // Remainder
      if (y == 0) return none();
      return of_int(y == -1 ? 0 : x % y);
  }
  if (!overflow) return of_int(result);
  // Past the integers' range the exact answer is lost either way; a decimal keeps its size.
  double a = static_cast<double>(x), b = static_cast<double>(y);
  return of_dec(op == Op::Add ? a + b : op == Op::Subtract ? a - b : a * b);
}

Val arithmetic(Op op, const Val& left, const Val& right) {
  auto a = to_number(left), b = to_number(right);
  if (a.kind == Val::Kind::None || b.kind == Val::Kind::None) return none();
  if (op == Op::Divide) {
    double divisor = as_double(b);
    if (divisor == 0) return none();
    return finite(as_double(a) / divisor);
  }
  if (a.kind == Val::Kind::Int && b.kind == Val::Kind::Int)
    return integer_arithmetic(op, a.integer, b.integer);
  double x = as_double(a), y = as_double(b);
  switch (op) {
    case Op::Add:
      return finite(x + y);
    case Op::Subtract:
      return finite(x - y);
    case Op::Multiply:
      return finite(x * y);
    default:
      return y == 0 ? none() : finite(std::fmod(x, y));
  }
}

std::string number_text(const Val& v) {
  return v.kind == Val::Kind::Int ? fmt::format("{}", v.integer) : fmt::format("{}", v.decimal);
}

// Text for functions and patterns: numbers as a user would write them.
Val as_text(Val v) {
  if (is_number(v)) return of_text(number_text(v));
  return v;
}

Val negate(const Val& operand) {
  auto v = to_number(operand);
  if (v.kind == Val::Kind::Int) {
    if (v.integer == std::numeric_limits<std::int64_t>::min()) return of_dec(-static_cast<double>(v.integer));
    return of_int(-v.integer);
  }
  if (v.kind == Val::Kind::Dec) return finite(-v.decimal);
  return none();
}

Val to_int(const Val& operand) {
  auto v = to_number(operand);
  if (v.kind != Val::Kind::Dec) return v;
  // Truncated toward zero, as awk's int(); beyond the integers' range there is no integer.
  double truncated = std::trunc(v.decimal);
  if (!(truncated >= -9.2233720368547758e18 && truncated < 9.2233720368547758e18)) return none();
  return of_int(static_cast<std::int64_t>(truncated));
}

Val change_case(const Val& operand, bool upper) {
  if (operand.kind == Val::Kind::None) return none();
  auto v = as_text(operand);
  std::string text(v.text());
  for (auto& c : text) {
    if (upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (!upper && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return of_text(std::move(text));
}

Val field(const Message& message, const std::string& name) {
  auto value = message.fields.find(name);
  if (!value) return none();
  if (const auto* text = std::get_if<std::string_view>(&*value)) {
    Val v;
    v.kind = Val::Kind::Text;
    v.view = *text;
    v.input = true;
    return v;
  }
  if (const auto* integer = std::get_if<std::int64_t>(&*value)) return of_int(*integer);
  return of_dec(std::get<double>(*value));
}

// The program's constant, its text viewed rather than copied.
Val constant(const Val& c) {
  Val v;
  v.kind = c.kind;
  v.truth = c.truth;
  v.integer = c.integer;
  v.decimal = c.decimal;
  v.view = c.text();
  return v;
}

struct Runner {
  const Message& message;
  Clock::time_point now;
  std::chrono::system_clock::duration epoch_offset;

  Val run(const Step& step) const {
    switch (step.kind) {
      case Step::Kind::Constant:
        return constant(step.constant);
      case Step::Kind::Field:
        return field(message, step.name);
      case Step::Kind::Not:
        return of_bool(!holds(step.children[0]));
      case Step::Kind::Negate:
        return negate(run(step.children[0]));
      case Step::Kind::And:
        return of_bool(holds(step.children[0]) && holds(step.children[1]));
      case Step::Kind::Or:
        return of_bool(holds(step.children[0]) || holds(step.children[1]));
      case Step::Kind::Compare:
        return of_bool(compare(step.op, run(step.children[0]), run(step.children[1])));
      case Step::Kind::Arithmetic:
        return arithmetic(step.op, run(step.children[0]), run(step.children[1]));
      case Step::Kind::Match:
        return matches(step);
      case Step::Kind::Len: {
        auto v = run(step.children[0]);
        if (v.kind == Val::Kind::None) return none();
        return of_int(static_cast<std::int64_t>(as_text(std::move(v)).text().size()));
      }
      case Step::Kind::Lower:
        return change_case(run(step.children[0]), false);
      case Step::Kind::Upper:
        return change_case(run(step.children[0]), true);
      case Step::Kind::ToInt:
        return to_int(run(step.children[0]));
      case Step::Kind::Now: {
        auto unix_time = now.time_since_epoch() + epoch_offset;
        return of_dec(std::chrono::duration<double>(unix_time).count());
      }
    }
    return none();
  }

  bool holds(const Step& step) const {
    auto v = run(step);
    return v.kind == Val::Kind::Bool && v.truth;
  }

  // A missing value matches nothing, so `!~` holds for it (the negation of `=~`).
  Val matches(const Step& step) const {
    auto v = run(step.children[0]);
    if (v.kind == Val::Kind::None) return of_bool(step.op == Op::NotMatch);
    v = as_text(std::move(v));
    bool found = RE2::PartialMatch(v.text(), *step.regex);
    return of_bool(found != (step.op == Op::NotMatch));
  }
};

}  // namespace

Val number_from_text(std::string_view text) {
  std::size_t begin = 0, end = text.size();
  while (begin < end && is_blank(text[begin])) ++begin;
  while (end > begin && is_blank(text[end - 1])) --end;
  if (begin == end) return none();
  const char* first = text.data() + begin;
  const char* last = text.data() + end;
  if (*first == '+') ++first;  // awk reads "+5" as 5; from_chars does not
  if (first == last || !(std::isdigit(static_cast<unsigned char>(*first)) || *first == '-' || *first == '.'))
    return none();
  std::int64_t integer = 0;
  auto read = std::from_chars(first, last, integer);
  if (read.ec == std::errc() && read.ptr == last) return of_int(integer);
  double decimal = 0;
  auto read_decimal = std::from_chars(first, last, decimal);
  if (read_decimal.ec == std::errc() && read_decimal.ptr == last && std::isfinite(decimal))
    return of_dec(decimal);
  return none();
}

Program::Program(Step root, Type type)
    : root_(std::move(root)),
      type_(type),
      epoch_offset_(std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::system_clock::now().time_since_epoch() -
          std::chrono::steady_clock::now().time_since_epoch())) {}

FieldType Program::type() const {
  switch (type_) {
    case Type::Text:
      return FieldType::Text;
    case Type::Integer:
      return FieldType::Integer;
    case Type::Decimal:
      return FieldType::Decimal;
    default:
      return FieldType::Any;
  }
}

Val Program::run(const Message& message, Clock::time_point now) const {
  return Runner{message, now, epoch_offset_}.run(root_);
}

ExpressionValue Program::evaluate(const Message& message, Clock::time_point now) const {
  auto v = run(message, now);
  switch (v.kind) {
    case Val::Kind::None:
      return std::monostate{};
    case Val::Kind::Bool:
      return v.truth;
    case Val::Kind::Int:
      return v.integer;
    case Val::Kind::Dec:
      return v.decimal;
    case Val::Kind::Text:
      return std::string(v.text());
  }
  return std::monostate{};
}

}  // namespace flow::expr
