// The parser never throws, crashes or hangs, whatever the bytes; and the
// grammar itself is sound by PEGTL's own analysis.
#include <catch2/catch.hpp>

#include <random>
#include <tao/pegtl/contrib/analyze.hpp>

#include "grammar/grammar.hpp"
#include "helpers.hpp"

using namespace flow;
using flow::test::parse_text;

namespace {

// Parses and renders; the test fails on an exception or a location outside the text.
void survives(const std::string& text) {
  ParseResult result;
  REQUIRE_NOTHROW(result = parse_text(text));
  for (const auto& diagnostic : result.diagnostics) {
    CHECK(diagnostic.location.offset <= text.size());
    CHECK_FALSE(diagnostic.message.empty());
  }
  REQUIRE_NOTHROW(render_all(SourceFile{"test.flow", text}, result.diagnostics));
  std::string error;
  REQUIRE_NOTHROW(parse_value(text, error));
}

}  // namespace

TEST_CASE("PEGTL's analysis finds no problem in the grammar", "[grammar]") {
  CHECK(tao::pegtl::analyze<grammar::next_statement>(-1) == 0);
  CHECK(tao::pegtl::analyze<grammar::value_only>(-1) == 0);
}

TEST_CASE("ten thousand nested brackets are one error, not a stack overflow", "[grammar]") {
  for (char open : {'(', '[', '{'}) {
    std::string text = "stage s = f" + std::string(10'000, open) + "\nsink k = discard()\n";
    auto result = parse_text(text);
    CHECK(result.diagnostics.size() == 1);
    CHECK(result.file.statements.size() == 1);
  }
  survives(std::string(10'000, '(') + std::string(10'000, ')'));
  survives("a -> " + std::string(10'000, '{'));
}

TEST_CASE("NUL bytes and control characters are errors, not terminators", "[grammar]") {
  const std::string controls("\0\x01\x7f\n", 4);
  auto result = parse_text("source a = generate()\n" + controls + "sink b = discard()\n");
  CHECK(result.diagnostics.size() == 1);
  CHECK(result.file.statements.size() == 2);
  survives(std::string("stage s = f(\"a\0b\")", 18));
  survives(std::string("stage s = f(\"\\\0\")", 17));
}

TEST_CASE("huge numbers and long tokens are reported, not overflowed", "[grammar]") {
  survives("edge [capacity=" + std::string(100'000, '9') + "]");
  survives("stage s = delay(" + std::string(5'000, '9') + "." + std::string(5'000, '9') + "h)");
  survives("stage s = delay(0." + std::string(5'000, '0') + "1s)");
  survives("stage s = throttle(" + std::string(400, '9') + "/ns)");
  survives("a" + std::string(100'000, 'b') + " -> c");
}

TEST_CASE("every prefix of a valid file parses without crashing", "[grammar]") {
  const std::string text =
      "pipeline p [report=1s]\nsource a = generate(count=1_000, size=1.5KiB, rate=5/ms)\n"
      "stage b = grep(\"x\\ty\") | delay(10ms) [workers=2,]\nsink c = discard()\nedge [capacity=5]\n"
      "a -> {b} -> c [overflow=drop_newest]\n";
  for (std::size_t length = 0; length <= text.size(); ++length) survives(text.substr(0, length));
}

TEST_CASE("random bytes never crash the parser", "[grammar]") {
  std::mt19937 random(20240611);  // fixed seed: a failure here is reproducible
  const std::string alphabet = "ab_09.-/>{}[](),;|=\"\\#\n \tmsKiBh\x01\xff";
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  std::uniform_int_distribution<int> length(0, 200);
  for (int round = 0; round < 2'000; ++round) {
    std::string text;
    for (int i = length(random); i > 0; --i) text += alphabet[pick(random)];
    survives(text);
  }
}

TEST_CASE("a file of twenty thousand statements parses whole", "[grammar]") {
  std::string text;
  for (int i = 0; i < 10'000; ++i) {
    text += "stage s" + std::to_string(i) + " = delay(10ms) | grep(\"x\") [workers=2]\n";
    text += "s" + std::to_string(i) + " -> s" + std::to_string(i + 1) + " [capacity=5]\n";
  }
  auto result = parse_text(text);
  CHECK(result.diagnostics.empty());
  CHECK(result.file.statements.size() == 20'000);
}
