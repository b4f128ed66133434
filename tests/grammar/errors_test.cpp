// Syntax errors: exact location, caret and message, rendered as the user sees them.
#include <catch2/catch.hpp>

#include "helpers.hpp"

using flow::test::errors_of;

TEST_CASE("a node declaration without '=' says so at the word that follows the name", "[grammar]") {
  CHECK(errors_of("stage x delay(10ms)\n") ==
        "test.flow:1:9: error: expected '=' after the node name\n"
        "    stage x delay(10ms)\n"
        "            ^^^^^\n");
}

TEST_CASE("a node without an operator asks for one", "[grammar]") {
  CHECK(errors_of("stage y = 42") ==
        "test.flow:1:11: error: expected an operator such as 'delay(10ms)'\n"
        "    stage y = 42\n"
        "              ^^\n");
  CHECK(errors_of("stage z = delay\n") ==
        "test.flow:1:16: error: expected '(' after the operator name; operators are called like 'discard()'\n"
        "    stage z = delay\n"
        "                   ^\n");
}

TEST_CASE("text after a complete statement is reported where it starts", "[grammar]") {
  CHECK(errors_of("sink s = discard() extra") ==
        "test.flow:1:20: error: expected '|', '[' or the end of the statement after the operator\n"
        "    sink s = discard() extra\n"
        "                       ^^^^^\n");
  CHECK(errors_of("a -> b c") ==
        "test.flow:1:8: error: expected '->', '[' or the end of the statement\n"
        "    a -> b c\n"
        "           ^\n");
  CHECK(errors_of("a -> b [capacity=5] x") ==
        "test.flow:1:21: error: expected the end of the statement (a newline or ';') after ']'\n"
        "    a -> b [capacity=5] x\n"
        "                        ^\n");
}

TEST_CASE("an edge chain needs an arrow and a target", "[grammar]") {
  CHECK(errors_of("ingest\n") ==
        "test.flow:1:7: error: expected '->' after the node name; an edge chain reads 'a -> b'\n"
        "    ingest\n"
        "          ^\n");
  CHECK(errors_of("a -> ;") ==
        "test.flow:1:6: error: expected a node name or a group such as '{a, b}' after '->'\n"
        "    a -> ;\n"
        "         ^\n");
}

TEST_CASE("a line left open after '->' is reported at its end, not on the next line", "[grammar]") {
  CHECK(errors_of("a ->\nsink s = discard()\n") ==
        "test.flow:1:5: error: expected a node name or a group such as '{a, b}' after '->'\n"
        "    a ->\n"
        "        ^\n");
  CHECK(errors_of("stage t = f() |  # more later\n\nstage r = g()\n") ==
        "test.flow:1:16: error: expected an operator after '|', such as 'discard()'\n"
        "    stage t = f() |  # more later\n"
        "                   ^\n");
}

TEST_CASE("a missing closing bracket is reported where it belongs", "[grammar]") {
  CHECK(errors_of("sink s = write(\"x\",\n  \"y\"  # note\nsource g = generate()\n") ==
        "test.flow:2:6: error: expected ',' or ')' after the argument\n"
        "      \"y\"  # note\n"
        "         ^\n");
  CHECK(errors_of("a -> b [capacity=5\nb -> c\n") ==
        "test.flow:1:19: error: expected ',' or ']' after the attribute\n"
        "    a -> b [capacity=5\n"
        "                      ^\n");
}

TEST_CASE("keywords cannot name nodes or pipelines", "[grammar]") {
  CHECK(errors_of("stage sink = delay(1s)") ==
        "test.flow:1:7: error: 'sink' is a keyword and cannot be used as a name\n"
        "    stage sink = delay(1s)\n"
        "          ^^^^\n");
  CHECK(errors_of("pipeline edge") ==
        "test.flow:1:10: error: 'edge' is a keyword and cannot be used as a name\n"
        "    pipeline edge\n"
        "             ^^^^\n");
  CHECK(errors_of("sink = discard()") ==
        "test.flow:1:6: error: expected a node name or '[' after 'sink'\n"
        "    sink = discard()\n"
        "         ^\n");
}

TEST_CASE("header and defaults statements explain their form", "[grammar]") {
  CHECK(errors_of("pipeline\n") ==
        "test.flow:1:9: error: expected a pipeline name after 'pipeline'\n"
        "    pipeline\n"
        "            ^\n");
  CHECK(errors_of("pipeline p extra") ==
        "test.flow:1:12: error: expected '[' or the end of the statement after the pipeline name\n"
        "    pipeline p extra\n"
        "               ^^^^^\n");
  CHECK(errors_of("edge capacity=5") ==
        "test.flow:1:6: error: expected '[' after 'edge'; edge defaults read 'edge [capacity=5]'\n"
        "    edge capacity=5\n"
        "         ^^^^^^^^\n");
}

TEST_CASE("attribute lists report the missing piece", "[grammar]") {
  CHECK(errors_of("edge [capacity 5]") ==
        "test.flow:1:16: error: expected '=' after the attribute name\n"
        "    edge [capacity 5]\n"
        "                   ^\n");
  CHECK(errors_of("edge [capacity=]") ==
        "test.flow:1:16: error: expected a value after '=', such as '5', 'block', '10ms' or 'unbounded'\n"
        "    edge [capacity=]\n"
        "                   ^\n");
  CHECK(errors_of("edge [capacity=5 overflow=block]") ==
        "test.flow:1:18: error: expected ',' or ']' after the attribute\n"
        "    edge [capacity=5 overflow=block]\n"
        "                     ^^^^^^^^\n");
  CHECK(errors_of("edge [=5]") ==
        "test.flow:1:7: error: expected an attribute such as 'capacity=5', or ']'\n"
        "    edge [=5]\n"
        "          ^\n");
}

TEST_CASE("argument lists and groups report the missing piece", "[grammar]") {
  CHECK(errors_of("stage v = f(,)") ==
        "test.flow:1:13: error: expected an argument such as '10ms' or 'count=100', or ')'\n"
        "    stage v = f(,)\n"
        "                ^\n");
  CHECK(errors_of("stage u = f(1 2)") ==
        "test.flow:1:15: error: expected ',' or ')' after the argument\n"
        "    stage u = f(1 2)\n"
        "                  ^\n");
  CHECK(errors_of("sink s = write(\"x\" \"y\")") ==
        "test.flow:1:20: error: expected ',' or ')' after the argument\n"
        "    sink s = write(\"x\" \"y\")\n"
        "                       ^\n");
  CHECK(errors_of("stage w = f(a=)") ==
        "test.flow:1:15: error: expected a value after '=', such as '100', '10ms', '16B' or '\"text\"'\n"
        "    stage w = f(a=)\n"
        "                  ^\n");
  CHECK(errors_of("a -> {}") ==
        "test.flow:1:7: error: expected a node name after '{'\n"
        "    a -> {}\n"
        "          ^\n");
  CHECK(errors_of("a -> {b c}") ==
        "test.flow:1:9: error: expected ',' or '}' after the node name\n"
        "    a -> {b c}\n"
        "            ^\n");
}

TEST_CASE("something that is no statement at all lists what a statement can be", "[grammar]") {
  CHECK(
      errors_of("123") ==
      "test.flow:1:1: error: expected a statement: 'pipeline', 'source', 'stage', 'sink', 'edge' or an edge "
      "chain such as 'a -> b'\n"
      "    123\n"
      "    ^^^\n");
}

TEST_CASE("errors inside a literal point into the literal", "[grammar]") {
  CHECK(errors_of("stage z = delay(10xs)") ==
        "test.flow:1:19: error: unknown unit 'xs'; expected one of ns, us, ms, s, m, h\n"
        "    stage z = delay(10xs)\n"
        "                      ^^\n");
  CHECK(errors_of("sink s = write(\"a\\qb\")") ==
        "test.flow:1:18: error: unknown escape '\\q' in string; the escapes are \\\" \\\\ \\n \\t\n"
        "    sink s = write(\"a\\qb\")\n"
        "                     ^^\n");
  CHECK(errors_of("source s = read(\"/var/log\n") ==
        "test.flow:1:17: error: unterminated string; close it with '\"' before the end of the line\n"
        "    source s = read(\"/var/log\n"
        "                    ^\n");
  CHECK(errors_of("edge [capacity=99999999999999999999]") ==
        "test.flow:1:16: error: integer 99999999999999999999 is too large\n"
        "    edge [capacity=99999999999999999999]\n"
        "                   ^^^^^^^^^^^^^^^^^^^^\n");
  CHECK(errors_of("edge [capacity=1__0]") ==
        "test.flow:1:17: error: '_' may only separate digits, as in '10_000'\n"
        "    edge [capacity=1__0]\n"
        "                    ^\n");
}

TEST_CASE("a unit written apart from its number is reported at the unit, with the joined form", "[grammar]") {
  CHECK(errors_of("stage d = delay(10 ms)") ==
        "test.flow:1:20: error: expected ',' or ')' after '10'; write '10ms', with no space before the unit\n"
        "    stage d = delay(10 ms)\n"
        "                       ^^\n");
  CHECK(
      errors_of("stage d = delay(duration=1.5 s)") ==
      "test.flow:1:30: error: expected ',' or ')' after '1.5'; write '1.5s', with no space before the unit\n"
      "    stage d = delay(duration=1.5 s)\n"
      "                                 ^\n");
  // A word that makes no value with the number is just stray.
  CHECK(errors_of("stage d = delay(10 apples)") ==
        "test.flow:1:20: error: expected ',' or ')' after the argument\n"
        "    stage d = delay(10 apples)\n"
        "                       ^^^^^^\n");
}
