// Lexical rules of language.md: numbers, units, strings, keywords, identifiers.
#include <catch2/catch.hpp>

#include <chrono>
#include <limits>

#include "helpers.hpp"

using namespace flow;
using namespace std::chrono_literals;
using flow::test::value_error;
using flow::test::value_of;

TEST_CASE("integers parse with and without '_' separators", "[grammar]") {
  CHECK(value_of("0") == Value{std::int64_t{0}});
  CHECK(value_of("42") == Value{std::int64_t{42}});
  CHECK(value_of("10_000_000") == Value{std::int64_t{10'000'000}});
  CHECK(value_of("9223372036854775807") == Value{std::numeric_limits<std::int64_t>::max()});
}

TEST_CASE("negative numbers parse as numbers so the checker can judge them", "[grammar]") {
  CHECK(value_of("-1") == Value{std::int64_t{-1}});
  CHECK(value_of("-9223372036854775808") == Value{std::numeric_limits<std::int64_t>::min()});
  CHECK(value_of("-0.5") == Value{-0.5});
}

TEST_CASE("decimals parse as doubles", "[grammar]") {
  CHECK(value_of("0.25") == Value{0.25});
  CHECK(value_of("1_000.5") == Value{1000.5});
}

TEST_CASE("durations convert every unit to nanoseconds", "[grammar]") {
  CHECK(value_of("7ns") == Value{Duration{7ns}});
  CHECK(value_of("250us") == Value{Duration{250us}});
  CHECK(value_of("10ms") == Value{Duration{10ms}});
  CHECK(value_of("2s") == Value{Duration{2s}});
  CHECK(value_of("3m") == Value{Duration{3min}});
  CHECK(value_of("1h") == Value{Duration{1h}});
  CHECK(value_of("1.5s") == Value{Duration{1500ms}});
  CHECK(value_of("0.1s") == Value{Duration{100ms}});
  CHECK(value_of("1_000ms") == Value{Duration{1s}});
}

TEST_CASE("sizes use powers of 1000 for KB/MB/GB and of 1024 for KiB/MiB/GiB", "[grammar]") {
  CHECK(value_of("16B") == Value{Size{16}});
  CHECK(value_of("2KB") == Value{Size{2'000}});
  CHECK(value_of("3MB") == Value{Size{3'000'000}});
  CHECK(value_of("4GB") == Value{Size{4'000'000'000}});
  CHECK(value_of("2KiB") == Value{Size{2048}});
  CHECK(value_of("3MiB") == Value{Size{3 * 1024 * 1024}});
  CHECK(value_of("4GiB") == Value{Size{4ULL * 1024 * 1024 * 1024}});
  CHECK(value_of("1.5KiB") == Value{Size{1536}});
}

TEST_CASE("rates convert to messages per second", "[grammar]") {
  auto per_second = [](const std::string& text) { return std::get<Rate>(value_of(text)).per_second; };
  CHECK(per_second("10000/s") == Approx(10000));
  CHECK(per_second("5/ms") == Approx(5000));
  CHECK(per_second("3/us") == Approx(3e6));
  CHECK(per_second("2/ns") == Approx(2e9));
  CHECK(per_second("120/m") == Approx(2));
  CHECK(per_second("36/h") == Approx(0.01));
  CHECK(per_second("0.5/s") == Approx(0.5));
}

TEST_CASE("strings decode the quote, backslash, newline and tab escapes", "[grammar]") {
  CHECK(value_of(R"("plain")") == Value{std::string("plain")});
  CHECK(value_of(R"("")") == Value{std::string()});
  CHECK(value_of(R"("a\"b\\c\nd\te")") == Value{std::string("a\"b\\c\nd\te")});
  CHECK(value_of(R"("# not a comment // either")") == Value{std::string("# not a comment // either")});
}

TEST_CASE("true, false and unbounded are keywords and other words are identifiers", "[grammar]") {
  CHECK(value_of("true") == Value{true});
  CHECK(value_of("false") == Value{false});
  CHECK(value_of("unbounded") == Value{Unbounded{}});
  CHECK(value_of("drop_newest") == Value{Identifier{"drop_newest"}});
  CHECK(value_of("_x9") == Value{Identifier{"_x9"}});
  CHECK(value_of("trueish") == Value{Identifier{"trueish"}});
}

TEST_CASE("parse_value accepts surrounding blanks but nothing else", "[grammar]") {
  CHECK(value_of("  10ms  ") == Value{Duration{10ms}});
  CHECK(value_error("10ms 5") == "unexpected text after the value");
  CHECK(value_error("") ==
        "expected a value such as '5', '0.25', '10ms', '16B', '10/s', '\"text\"', 'true' or 'block'");
}

TEST_CASE("malformed literals get messages that name the problem", "[grammar]") {
  CHECK(value_error("10xs") == "unknown unit 'xs'; expected one of ns, us, ms, s, m, h");
  CHECK(value_error("16kb") == "unknown unit 'kb'; did you mean 'KB'?");
  CHECK(value_error("16Kb") == "unknown unit 'Kb'; did you mean 'KB'?");
  CHECK(value_error("16bits") == "unknown unit 'bits'; expected one of B, KB, MB, GB, KiB, MiB, GiB");
  CHECK(value_error("2sec") == "unknown unit 'sec'; did you mean 's'?");
  CHECK(value_error("10/sec") == "unknown time unit 'sec' in rate; did you mean 's'?");
  CHECK(value_error("10/x") == "unknown time unit 'x' in rate; expected one of ns, us, ms, s, m, h");
  CHECK(value_error("10/") == "expected a time unit after '/', as in '10/s'");
  CHECK(value_error("1.") == "expected digits after the decimal point, as in '0.25'");
  CHECK(value_error("1__0") == "'_' may only separate digits, as in '10_000'");
  CHECK(value_error("10_") == "'_' may only separate digits, as in '10_000'");
  CHECK(value_error(R"("a\qb")") == R"(unknown escape '\q' in string; the escapes are \" \\ \n \t)");
  CHECK(value_error(R"("open)") == "unterminated string; close it with '\"' before the end of the line");
  CHECK(value_error("\"a\\") == "unterminated string; close it with '\"' before the end of the line");
}

TEST_CASE("values out of range are errors, not silent wrap-arounds", "[grammar]") {
  CHECK(value_error("99999999999999999999") == "integer 99999999999999999999 is too large");
  CHECK(value_error("9223372036854775808") == "integer 9223372036854775808 is too large");
  CHECK(value_error("-9223372036854775809") == "integer -9223372036854775809 is too small");
  CHECK(value_error("9999999999h") == "duration 9999999999h is too large (the longest flow supports is 8760h, 365 days)");
  CHECK(value_error("99999999999GiB") == "size 99999999999GiB is too large");
  CHECK(value_error("1.5ns") == "duration 1.5ns is not a whole number of nanoseconds");
  CHECK(value_error("0.5B") == "size 0.5B is not a whole number of bytes");
  CHECK(value_error("-5ms") == "a duration cannot be negative");
  CHECK(value_error("-5B") == "a size cannot be negative");
  CHECK(value_error("-5/s") == "a rate cannot be negative");
  CHECK(value_error(std::string(400, '9') + "ms") ==
        "duration 9999999999999999999999999999999999999999... is too large");
}

TEST_CASE("comments run to the end of the line with # or //", "[grammar]") {
  auto result = flow::test::parse_text("# a comment\n// another\nsource a = generate() # trailing\n"
                                       "sink b = discard() // trailing\na -> b\n");
  CHECK(result.diagnostics.empty());
  CHECK(result.file.statements.size() == 3);
}

TEST_CASE("statements end at a newline or a semicolon", "[grammar]") {
  auto result = flow::test::parse_text("source a = generate(); sink b = discard();a -> b");
  CHECK(result.diagnostics.empty());
  CHECK(result.file.statements.size() == 3);
}

TEST_CASE("a line continues after an arrow, a comma, a pipe or an opening bracket", "[grammar]") {
  auto result = flow::test::parse_text(
      "sink s = delay(\n  10ms\n) |\n  discard() [\n  workers=2,\n  ordered=true\n]\n"
      "a ->\n  b ->\n  {c,\n   d}\n");
  INFO(render_all(SourceFile{"test.flow", ""}, result.diagnostics));
  CHECK(result.diagnostics.empty());
  REQUIRE(result.file.statements.size() == 2);
  auto node = std::get<syntax::NodeDecl>(result.file.statements[0]);
  CHECK(node.chain.size() == 2);
  CHECK(node.attributes.size() == 2);
  auto chain = std::get<syntax::EdgeChain>(result.file.statements[1]);
  CHECK(chain.steps.size() == 3);
}

TEST_CASE("literals carry their location and the width of their text", "[grammar]") {
  auto node = flow::test::only_statement<syntax::NodeDecl>("\n  stage x = delay(1_500ms, \"a\\tb\")");
  const auto& args = node.chain.at(0).args;
  REQUIRE(args.size() == 2);
  CHECK(args[0].value.location.line == 2);
  CHECK(args[0].value.location.column == 19);
  CHECK(args[0].value.location.offset == 19);
  CHECK(args[0].value.width == 7);
  CHECK(args[1].value.location.column == 28);
  CHECK(args[1].value.width == 6);
}

TEST_CASE("a UTF-8 byte order mark at the start of the file is ignored", "[grammar]") {
  auto result = flow::test::parse_text("\xEF\xBB\xBFsource a = generate()\nx y\n");
  CHECK(result.file.statements.size() == 1);
  REQUIRE(result.diagnostics.size() == 1);
  CHECK(result.diagnostics[0].location.line == 2);
}
