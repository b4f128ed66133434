// Expressions run on messages (docs/expressions.md): precedence, integer
// exactness, division by zero, missing fields, awk's strnum rule, patterns
// and the functions. Each expected value follows from the arithmetic or
// the rule the doc states, not from a past run.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>

#include "flow/expression.hpp"
#include "flow/message.hpp"

using namespace flow;

namespace {

Message sample() {
  Message message;
  auto& fields = message.fields.edit();
  fields.set("status", std::int64_t{503});
  fields.set("text_status", std::string("500"));
  fields.set("ten", std::string("10"));
  fields.set("nine", std::string("9"));
  fields.set("padded", std::string(" +9 "));
  fields.set("word", std::string("abc"));
  fields.set("path", std::string("/api/users"));
  fields.set("ms", 1.5);
  fields.set("x-y", std::string("dash"));
  fields.set("big", std::string("1e308"));  // reads as a number near a double's largest
  fields.set("not_a_number", std::numeric_limits<double>::quiet_NaN());
  return message;
}

ExpressionValue eval(const std::string& text, Clock::time_point now = {}) {
  std::vector<Diagnostic> diagnostics;
  auto compiled = compile_expression(text, {}, nullptr, diagnostics);
  INFO(text);
  for (const auto& d : diagnostics) INFO(d.message);
  REQUIRE(compiled != nullptr);
  return compiled->evaluate(sample(), now);
}

bool truth(const std::string& text) {
  auto value = eval(text);
  INFO(text);
  REQUIRE(std::holds_alternative<bool>(value));
  return std::get<bool>(value);
}

std::int64_t integer(const std::string& text) {
  auto value = eval(text);
  INFO(text);
  REQUIRE(std::holds_alternative<std::int64_t>(value));
  return std::get<std::int64_t>(value);
}

double decimal(const std::string& text) {
  auto value = eval(text);
  INFO(text);
  REQUIRE(std::holds_alternative<double>(value));
  return std::get<double>(value);
}

bool nothing(const std::string& text) {
  return std::holds_alternative<std::monostate>(eval(text));
}

}  // namespace

TEST_CASE("expressions: precedence and associativity are C's and awk's", "[fields][expr]") {
  CHECK(integer("1 + 2 * 3") == 1 + 2 * 3);
  CHECK(integer("(1 + 2) * 3") == (1 + 2) * 3);
  CHECK(integer("2 - 3 - 4") == (2 - 3) - 4);
  CHECK(integer("-2 * 3") == -6);
  CHECK(integer("17 % 5 * 2") == (17 % 5) * 2);
  CHECK(integer("- -4") == 4);
  CHECK(truth("true || false && false") == (true || (false && false)));
  CHECK(truth("!false && false") == (!false && false));
  CHECK(truth("1 + 1 == 2 && 3 > 2 || false"));
  CHECK(truth("2 < 3 == true"));  // relational binds tighter than equality
}

TEST_CASE("expressions: integers stay exact and division gives a decimal", "[fields][expr]") {
  // 2^53 + 1 has no double; integer arithmetic keeps it.
  CHECK(integer("9007199254740993 + 0") == 9007199254740993);
  CHECK(integer("9007199254740992 + 1") == 9007199254740993);
  CHECK(decimal("7 / 2") == 3.5);
  CHECK(decimal("ms * 2") == 3.0);
  CHECK(decimal("status + 0.5") == 503.5);
  CHECK(integer("-7 % 3") == -7 % 3);
  // Past int64 the sum is a decimal rather than a wrapped integer.
  CHECK(decimal("9223372036854775807 + 1") == std::ldexp(1.0, 63));
}

TEST_CASE("expressions: division and remainder by zero give nothing", "[fields][expr]") {
  CHECK(nothing("1 / 0"));
  CHECK(nothing("5 % 0"));
  CHECK(nothing("ms % 0"));
  CHECK_FALSE(truth("1 / 0 > 0"));
}

TEST_CASE("expressions: a missing field gives nothing; against a value only != and !~ hold",
          "[fields][expr]") {
  CHECK(nothing("missing"));
  CHECK(nothing("missing + 1"));
  CHECK(nothing("len(missing)"));
  CHECK_FALSE(truth("missing >= 500"));
  CHECK_FALSE(truth("missing < 500"));
  CHECK_FALSE(truth("missing == 500"));
  CHECK(truth("missing != 500"));
  CHECK_FALSE(truth("missing =~ \"\""));
  CHECK(truth("missing !~ \"x\""));
  CHECK_FALSE(truth("missing == 0"));
  CHECK_FALSE(truth("missing == \"\""));
  // Nothing equals nothing, as VRL's null == null and awk's "" == "" (docs/expressions.md).
  CHECK(truth("missing == other_missing"));
  CHECK_FALSE(truth("missing != other_missing"));
  CHECK_FALSE(truth("missing <= other_missing"));
}

TEST_CASE("expressions: a result that is no finite number gives nothing, and NaN compares as no value",
          "[fields][expr]") {
  CHECK(decimal("big * 1") == 1e308);
  CHECK(nothing("big * 10"));  // 1e309 is past a double's range
  CHECK(nothing("big * 10 - big * 10"));
  CHECK(nothing("big / 0.1"));
  CHECK(nothing("-(big * 10)"));
  CHECK_FALSE(truth("big * 10 - big * 10 == 1"));
  CHECK_FALSE(truth("big * 10 >= 0"));
  CHECK(nothing("not_a_number + 1"));
  CHECK(nothing("-not_a_number"));
  for (const char* holds_not :
       {"not_a_number == not_a_number", "not_a_number == 1", "not_a_number >= 0", "not_a_number <= 0",
        "not_a_number < 1", "not_a_number == missing", "missing == not_a_number"}) {
    INFO(holds_not);
    CHECK_FALSE(truth(holds_not));
  }
  CHECK(truth("not_a_number != not_a_number"));
  CHECK(truth("not_a_number != 0"));
  CHECK(truth("not_a_number != missing"));
}

TEST_CASE("expressions: text that reads as a number compares as one (awk's strnum)", "[fields][expr]") {
  CHECK(truth("text_status >= 500"));
  CHECK(truth("text_status == 500.0"));
  CHECK(truth("ten > nine"));            // two fields: numbers, 10 > 9 (as text "10" < " 9")
  CHECK_FALSE(truth("\"10\" > \"9\""));  // two literals: text, byte by byte
  CHECK(truth("\"10\" < \"9\""));
  CHECK(truth("ten + 1 == 11"));
  CHECK_FALSE(truth("word >= 500"));  // text that is no number is not ordered against one
  CHECK_FALSE(truth("word < 500"));
  CHECK(truth("word != 500"));
  CHECK(nothing("word * 2"));
}

TEST_CASE("expressions: patterns match text, and numbers as their text", "[fields][expr]") {
  CHECK(truth("path =~ \"^/api\""));
  CHECK_FALSE(truth("path =~ \"^/admin\""));
  CHECK(truth("path !~ \"^/admin\""));
  CHECK(truth("status =~ \"^5\\\\d\\\\d$\""));
  CHECK(truth("status >= 500 && path =~ \"users\""));
}

TEST_CASE("expressions: len, lower, upper, to_int, field and now", "[fields][expr]") {
  CHECK(integer("len(path)") == static_cast<std::int64_t>(std::string("/api/users").size()));
  CHECK(integer("len(\"h\xc3\xa9\")") == 3);  // bytes, as awk in the C locale
  CHECK(integer("len(status)") == 3);
  CHECK(std::get<std::string>(eval("upper(path)")) == "/API/USERS");
  CHECK(std::get<std::string>(eval("lower(\"MiXeD\")")) == "mixed");
  CHECK(integer("to_int(\"42.9\")") == 42);
  CHECK(integer("to_int(-3.7)") == -3);
  CHECK(integer("to_int(text_status) + 1") == 501);
  CHECK(nothing("to_int(word)"));
  CHECK(std::get<std::string>(eval("field(\"x-y\")")) == "dash");
  CHECK(decimal("10ms") == 0.01);
  CHECK(integer("1KiB") == 1024);
  // now(): the run's clock as Unix time in seconds; two readings 2.5 s apart differ by 2.5.
  Clock::time_point t0{std::chrono::seconds(1000)};
  auto a = std::get<double>(eval("now()", t0));
  auto b = std::get<double>(eval("now()", t0 + std::chrono::milliseconds(2500)));
  CHECK(b - a == Approx(2.5).margin(1e-3));
}
