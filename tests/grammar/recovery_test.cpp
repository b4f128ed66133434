// After a syntax error parsing resumes at the next statement, so every error
// in a file is reported and every good statement still reaches the checker.
#include <catch2/catch.hpp>

#include "helpers.hpp"

using namespace flow;
using flow::test::errors_of;
using flow::test::parse_text;

namespace {

std::vector<std::size_t> error_lines(const ParseResult& result) {
  std::vector<std::size_t> lines;
  for (const auto& diagnostic : result.diagnostics) lines.push_back(diagnostic.location.line);
  return lines;
}

}  // namespace

TEST_CASE("several syntax errors in one file are all reported, in order", "[grammar]") {
  const std::string text =
      "pipeline broken\n"
      "stage x delay(10ms)\n"
      "stage y = delay(10xs)\n"
      "sink z = write(\"\\q\")\n"
      "source ok = generate(count=1)\n"
      "a -> b [capacity=5 overflow=block]\n"
      "ok -> z\n";
  auto result = parse_text(text);
  CHECK(error_lines(result) == std::vector<std::size_t>{2, 3, 4, 6});
  REQUIRE(result.file.statements.size() == 3);
  CHECK(std::holds_alternative<syntax::Header>(result.file.statements[0]));
  CHECK(std::get<syntax::NodeDecl>(result.file.statements[1]).name.text == "ok");
  CHECK(std::get<syntax::EdgeChain>(result.file.statements[2]).steps.size() == 2);
}

TEST_CASE("a semicolon ends a broken statement, so the rest of the line still parses", "[grammar]") {
  auto result = parse_text("stage x = ; sink s = discard(); stage y = 5; a -> s");
  CHECK(result.diagnostics.size() == 2);
  CHECK(result.file.statements.size() == 2);
}

TEST_CASE("a broken statement spanning lines inside brackets is skipped whole", "[grammar]") {
  auto result = parse_text(
      "sink s = write(\n"
      "  \"x\" \"y\",\n"
      "  \"z\"\n"
      ") [workers=2]\n"
      "source g = generate()\n");
  CHECK(error_lines(result) == std::vector<std::size_t>{2});
  REQUIRE(result.file.statements.size() == 1);
  CHECK(std::get<syntax::NodeDecl>(result.file.statements[0]).name.text == "g");
}

TEST_CASE("an unclosed bracket stops at the next line that starts a statement", "[grammar]") {
  auto result = parse_text(
      "sink s = discard() [capacity=5\n"
      "source g = generate()\n"
      "g -> s [capacity=1 x]\n"
      "g -> s\n");
  CHECK(error_lines(result) == std::vector<std::size_t>{1, 3});
  CHECK(result.file.statements.size() == 2);
}

TEST_CASE("an unterminated string ends at its line", "[grammar]") {
  auto result = parse_text("source s = read(\"a.txt)\nsink k = discard()\ns -> k\n");
  CHECK(error_lines(result) == std::vector<std::size_t>{1});
  CHECK(result.file.statements.size() == 2);
}

TEST_CASE("every line of garbage gets one error and the count is capped", "[grammar]") {
  std::string text;
  for (int i = 0; i < 150; ++i) text += "= = =\n";
  auto result = parse_text(text);
  REQUIRE(result.diagnostics.size() == 101);
  CHECK(result.diagnostics[99].location.line == 100);
  CHECK(render(SourceFile{"test.flow", text}, result.diagnostics.back()) ==
        "test.flow: error: too many syntax errors; stopped after 100\n");
}

TEST_CASE("a recovered file reports the same errors as each broken line alone", "[grammar]") {
  const std::string first = "stage x delay(10ms)\n";
  const std::string second = "edge [=5]\n";
  auto both = errors_of(first + second);
  auto alone = errors_of(first);
  CHECK(both.substr(0, alone.size()) == alone);
  CHECK(both.find("test.flow:2:7: error: expected an attribute such as 'capacity=5', or ']'") !=
        std::string::npos);
}
