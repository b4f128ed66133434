// What the checker says of an expression it can see will not work
// (docs/expressions.md): syntax errors at the right column, type errors,
// unknown fields with a suggestion, bad patterns, unknown functions; each
// rendered with its caret by flow::render_all, as every diagnostic is.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "flow/expression.hpp"

using namespace flow;

namespace {

// The expression written as where()'s argument on line 1 of a file.
struct Written {
  SourceFile file;
  SourceLocation at;
};

Written written(const std::string& expression) {
  Written w{{"t.flow", fmt::format("stage s = where({})\n", expression)}, {}};
  auto offset = w.file.text.find(expression);
  w.at = SourceLocation{1, offset + 1, offset};
  return w;
}

// What render gives for an error under `culprit` (its first occurrence in the
// expression, after `skip` bytes of it), computed from the line, not copied.
std::string expected(const Written& w, const std::string& culprit, const std::string& message,
                     std::size_t skip = 0) {
  auto line = w.file.text.substr(0, w.file.text.find('\n'));
  auto column = line.find(culprit, w.at.offset + skip);
  REQUIRE(column != std::string::npos);
  return fmt::format("t.flow:1:{}: error: {}\n    {}\n    {}{}\n", column + 1, message, line,
                     std::string(column, ' '), std::string(culprit.size(), '^'));
}

std::string rendered(const std::string& expression, const KnownFields* known = nullptr) {
  auto w = written(expression);
  std::vector<Diagnostic> diagnostics;
  auto compiled = compile_expression(expression, w.at, known, diagnostics);
  CHECK(compiled == nullptr);
  return render_all(w.file, diagnostics);
}

KnownFields nginx_fields() {
  KnownFields known;
  known.types = {{"status", FieldType::Integer},
                 {"path", FieldType::Text},
                 {"method", FieldType::Text},
                 {"body_bytes_sent", FieldType::Integer}};
  return known;
}

}  // namespace

TEST_CASE("expressions: a syntax error points at the column where the text stops making sense",
          "[fields][expr]") {
  auto text = std::string("status >= && path");
  CHECK(rendered(text) ==
        expected(written(text), "&", "expected a field, a value, a function call or '(' after the operator"));
  text = "(status >= 500";
  CHECK(rendered(text) ==
        expected(written(text), ")", "expected an operator such as '+' or '==', or ')' to close the '('"));
  text = "status >= 500 500";
  CHECK(rendered(text) ==
        expected(written(text), "500",
                 "expected an operator such as '&&', '==' or '+', or the end of the expression", 11));
  text = "status = 500";
  CHECK(rendered(text) == expected(written(text), "=", "'=' is not a comparison; write '==' to compare"));
  text = "ms > 10xs";
  CHECK(rendered(text).find("unknown unit 'xs'") != std::string::npos);
  CHECK(rendered(text).find(fmt::format("t.flow:1:{}:", written(text).file.text.find("xs") + 1)) !=
        std::string::npos);
}

TEST_CASE("expressions: type errors the checker can see get carets", "[fields][expr]") {
  auto known = nginx_fields();
  auto text = std::string("lower(status) > 3");
  CHECK(rendered(text, &known) == expected(written(text), "status", "lower() takes text, got an integer"));
  text = "\"a\" * 2";
  CHECK(rendered(text) == expected(written(text), "\"a\"", "'*' takes numbers, got the text \"a\""));
  text = "!5";
  CHECK(rendered(text) ==
        expected(written(text), "5", "'!' takes a condition such as 'status >= 500', got an integer"));
  text = "status && true";
  CHECK(rendered(text, &known) ==
        expected(written(text), "status", "'&&' joins conditions such as 'status >= 500', got an integer"));
  text = "true < 1";
  CHECK(rendered(text) == expected(written(text), "true", "'<' orders numbers or text, not conditions"));
  text = "(status > 1) == 5";
  CHECK(rendered(text, &known) ==
        expected(written(text), "==", "'==' compares a condition with an integer: they are never equal"));
  text = "status == \"abc\"";
  CHECK(rendered(text, &known) ==
        expected(written(text), "\"abc\"",
                 "an integer is compared with text, and the text \"abc\" reads as no number"));
}

TEST_CASE("expressions: unknown functions and wrong arity are errors", "[fields][expr]") {
  auto text = std::string("lenn(path) > 3");
  CHECK(rendered(text) ==
        expected(written(text), "lenn",
                 "unknown function 'lenn' (did you mean 'len'?); the functions are field, len, "
                 "lower, now, to_int, upper"));
  text = "len(path, 2) > 3";
  CHECK(rendered(text) == expected(written(text), "len(path, 2)", "len() takes 1 argument, got 2"));
  text = "now(1) > 3";
  CHECK(rendered(text) == expected(written(text), "now(1)", "now() takes 0 arguments, got 1"));
  text = "field(path) == \"x\"";
  CHECK(rendered(text) == expected(written(text), "path",
                                   "field() takes the field's name as a string, such as field(\"x-y\")"));
}

TEST_CASE("expressions: an unknown field, where every field is known, names them and the closest",
          "[fields][expr]") {
  auto known = nginx_fields();
  auto text = std::string("stauts >= 500");
  CHECK(rendered(text, &known) ==
        expected(written(text), "stauts",
                 "unknown field 'stauts'; known fields: body_bytes_sent, method, path, status (did you mean "
                 "'status'?)"));
  // Both sides are checked: two unknown fields, two errors.
  text = "stauts >= 500 || pth == \"/\"";
  auto both = rendered(text, &known);
  CHECK(both.find("unknown field 'stauts'") != std::string::npos);
  CHECK(both.find("unknown field 'pth'") != std::string::npos);
  CHECK(both.find("did you mean 'path'?") != std::string::npos);
  // After parse_json the checker cannot know the names: no error.
  known.complete = false;
  std::vector<Diagnostic> diagnostics;
  CHECK(compile_expression("stauts >= 500", {}, &known, diagnostics) != nullptr);
  CHECK(diagnostics.empty());
}

TEST_CASE("expressions: a bad pattern is a check error under the pattern, and a pattern must be a literal",
          "[fields][expr]") {
  auto text = std::string("path =~ \"(unclosed\"");
  CHECK(rendered(text) ==
        expected(written(text), "\"(unclosed\"", "bad regular expression: missing ): (unclosed"));
  text = "path =~ method";
  CHECK(rendered(text) ==
        expected(written(text), "method", "the pattern after '=~' must be a string such as \"^/api\""));
}

TEST_CASE("expressions: what an expression gives is known before it runs", "[fields][expr]") {
  auto known = nginx_fields();
  std::vector<Diagnostic> diagnostics;
  auto check = [&](const std::string& text) {
    auto compiled = compile_expression(text, {}, &known, diagnostics);
    REQUIRE(compiled != nullptr);
    return compiled;
  };
  CHECK(check("status >= 500 && path =~ \"^/api\"")->is_condition());
  CHECK_FALSE(check("status")->is_condition());
  // Past 64 bits integer + - * give a decimal: a number, not surely an integer; % stays one.
  CHECK(check("status * 2")->type() == FieldType::Any);
  CHECK(check("status + 1")->type() == FieldType::Any);
  CHECK(check("-status")->type() == FieldType::Any);
  CHECK(check("status % 7")->type() == FieldType::Integer);
  CHECK(check("to_int(status * 2)")->type() == FieldType::Integer);
  CHECK(check("status / 2")->type() == FieldType::Decimal);
  CHECK(check("upper(method)")->type() == FieldType::Text);
  CHECK(check("len(path)")->type() == FieldType::Integer);
  CHECK(diagnostics.empty());
}
