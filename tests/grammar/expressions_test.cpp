// Where the .flow grammar keeps expressions (docs/expressions.md): an
// operator argument that is not one plain value and holds an operator or a
// bracket is kept as text for the checker to parse; `label: expr` labels one (route); `by(field)` is a key;
// `r.errors` names an output of node r.
#include <catch2/catch.hpp>

#include "helpers.hpp"

using namespace flow;
using flow::test::errors_of;
using flow::test::only_statement;
using flow::test::value_of;

namespace {

const syntax::Literal& argument(const syntax::NodeDecl& node, std::size_t i) {
  REQUIRE(node.chain.size() == 1);
  REQUIRE(node.chain[0].args.size() > i);
  return node.chain[0].args[i].value;
}

Expression expression_of(const syntax::Literal& literal) {
  REQUIRE(std::holds_alternative<Expression>(literal.value));
  return std::get<Expression>(literal.value);
}

}  // namespace

TEST_CASE("an argument that is not one plain value is kept as an expression", "[grammar][fields]") {
  auto node = only_statement<syntax::NodeDecl>(R"x(stage w = where(status >= 500 && path =~ "^/a,b)", 3))x");
  auto first = argument(node, 0);
  CHECK(expression_of(first) == Expression{R"x(status >= 500 && path =~ "^/a,b)")x", ""});
  CHECK(first.location.column == 17);
  CHECK(first.width == 33);
  CHECK(expression_of(argument(only_statement<syntax::NodeDecl>("stage u = f(1 + 2)"), 0)).text == "1 + 2");
  CHECK(argument(node, 1).value == Value{std::int64_t{3}});  // a plain value stays one
  // Two values side by side, with no operator, are no expression (errors_test.cpp).
  CHECK(!errors_of("stage u = f(1 2)").empty());
}

TEST_CASE("name == value and name =~ value are expressions, not named arguments", "[grammar][fields]") {
  auto node = only_statement<syntax::NodeDecl>(R"(stage w = where(status == 500, path =~ "x"))");
  CHECK_FALSE(node.chain[0].args[0].name);
  CHECK(expression_of(argument(node, 0)).text == "status == 500");
  CHECK_FALSE(node.chain[0].args[1].name);
  CHECK(expression_of(argument(node, 1)).text == R"(path =~ "x")");
}

TEST_CASE("a named argument's value may be an expression", "[grammar][fields]") {
  auto node = only_statement<syntax::NodeDecl>("stage s = set(ms = duration * 1000 , tag=\"x\")");
  REQUIRE(node.chain[0].args[0].name);
  CHECK(node.chain[0].args[0].name->text == "ms");
  CHECK(expression_of(argument(node, 0)).text == "duration * 1000");
  CHECK(argument(node, 1).value == Value{std::string("x")});
}

TEST_CASE("a function call is an expression, a distribution stays a value", "[grammar][fields]") {
  auto node = only_statement<syntax::NodeDecl>("stage w = where(len(path) > 3, lower(method) == \"get\")");
  CHECK(expression_of(argument(node, 0)).text == "len(path) > 3");
  CHECK(expression_of(argument(node, 1)).text == "lower(method) == \"get\"");
  auto delay = only_statement<syntax::NodeDecl>("stage d = delay(exponential(10ms))");
  CHECK(std::holds_alternative<Distribution>(argument(delay, 0).value));
  // A call whose first argument starts with a digit or '-' is no distribution.
  auto calls = only_statement<syntax::NodeDecl>(
      "stage w = where(to_int(2 * ms) > 3, len(-x) > 1, to_int(-delta) > 0, to_int(3.7) == 3)");
  CHECK(expression_of(argument(calls, 0)).text == "to_int(2 * ms) > 3");
  CHECK(expression_of(argument(calls, 1)).text == "len(-x) > 1");
  CHECK(expression_of(argument(calls, 2)).text == "to_int(-delta) > 0");
  CHECK(expression_of(argument(calls, 3)).text == "to_int(3.7) == 3");
  auto set = only_statement<syntax::NodeDecl>("stage s = set(c = to_int(-ms), d = to_int(2.5))");
  CHECK(expression_of(argument(set, 0)).text == "to_int(-ms)");
  CHECK(expression_of(argument(set, 1)).text == "to_int(2.5)");
}

TEST_CASE("label: expr labels an expression", "[grammar][fields]") {
  auto node = only_statement<syntax::NodeDecl>("stage r = route(errors: status >= 500,\n  rest: true)");
  CHECK(expression_of(argument(node, 0)) == Expression{"status >= 500", "errors"});
  CHECK(expression_of(argument(node, 1)) == Expression{"true", "rest"});
  CHECK(argument(node, 1).location.line == 2);
  CHECK(errors_of("stage r = route(errors: )") ==
        "test.flow:1:25: error: expected an expression after ':', such as 'status >= 500' or 'true'\n"
        "    stage r = route(errors: )\n"
        "                            ^\n");
}

TEST_CASE("by(field, ...) is a key value", "[grammar][fields]") {
  CHECK(value_of("by(user)") == Value{Expression{"by(user)", ""}});
  CHECK(value_of("by( user , path )") == Value{Expression{"by( user , path )", ""}});
}

TEST_CASE("an expression stays on its line: a bracket left open is reported there", "[grammar][fields]") {
  CHECK(errors_of("stage w = where(len(path > 3\nsink k = discard()\n") ==
        "test.flow:1:29: error: expected ',' or ')' after the argument\n"
        "    stage w = where(len(path > 3\n"
        "                                ^\n");
}

TEST_CASE("an edge step may name a node's output", "[grammar][fields]") {
  auto chain = only_statement<syntax::EdgeChain>("r.errors -> {k, r.rest} -> m");
  REQUIRE(chain.steps.size() == 3);
  CHECK(chain.steps[0].nodes[0].text == "r.errors");
  CHECK(chain.steps[1].nodes[1].text == "r.rest");
}
