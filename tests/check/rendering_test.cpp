// How diagnostics look when the file is hostile: megabyte lines, names and
// error counts are cut to what a person reads (runtime/model/diagnostic.cpp).
#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <chrono>

#include "support.hpp"

using namespace flow;
using Catch::Matchers::Contains;
using Catch::Matchers::EndsWith;
using Catch::Matchers::StartsWith;
using flow::test::diagnostics_of;
using flow::test::load_text;
using flow::test::source_of;

namespace {

// A valid pipeline whose stage `work` is line 2, `stage_line`.
std::string with_stage(const std::string& stage_line) {
  return "source ingest = generate(count=10)\n" + stage_line +
         "\nsink store = discard()\ningest -> work -> store\n";
}

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t count = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++count;
  return count;
}

}  // namespace

TEST_CASE("a long line is cut after the caret, which stays under its text", "[check]") {
  const std::string line = "stage work = dely(10ms) # " + std::string(500, 'x');
  CHECK(diagnostics_of(with_stage(line)) ==
        "t.flow:2:14: error: unknown operator 'dely'; did you mean 'delay'?\n"
        "    " +
            line.substr(0, 13 + 4 + 80) +
            "\u2026\n"
            "    " +
            std::string(13, ' ') + "^^^^\n");
}

TEST_CASE("a long line is cut on both sides of a caret in its middle", "[check]") {
  const std::string line = std::string(300, ' ') + "stage work = dely(10ms) # " + std::string(300, 'y');
  const std::size_t caret = 300 + 13;  // bytes before 'dely'
  CHECK(diagnostics_of(with_stage(line)) ==
        fmt::format("t.flow:2:{}: error: unknown operator 'dely'; did you mean 'delay'?\n", caret + 1) +
            "    \u2026" + line.substr(caret - 80, 80 + 4 + 80) + "\u2026\n" + "    " +
            std::string(1 + 80, ' ') + "^^^^\n");
}

TEST_CASE("a line of 200 bytes is shown whole", "[check]") {
  const std::string line = "stage work = dely(10ms) # " + std::string(200 - 26, 'x');
  REQUIRE(line.size() == 200);
  CHECK_THAT(diagnostics_of(with_stage(line)),
             EndsWith("    " + line + "\n    " + std::string(13, ' ') + "^^^^\n"));
}

TEST_CASE("a message quoting a name megabytes long keeps its head and tail", "[check]") {
  const std::string name(1 << 20, 'n');
  auto text =
      diagnostics_of("source ingest = generate(count=1)\nsink store = discard()\ningest -> " + name + "\n");
  CHECK(text.size() < 2000);
  CHECK_THAT(text, Contains("\nt.flow:3:11: error: unknown node 'nnnn"));
  CHECK(text.find("n'\n") != std::string::npos);  // the tail of the message
}

TEST_CASE("past 100 diagnostics the rest are counted, not shown", "[check]") {
  std::string text = with_stage("stage work = delay(1ms)");
  for (int i = 0; i < 150; ++i) text += "edge [capacity=0]\n";
  auto source = source_of(text);
  auto result = load_text(text);
  REQUIRE(result.diagnostics.size() == 150);
  auto shown = render_first(*source, result.diagnostics);
  CHECK(count_of(shown, ": error: capacity must be at least 1, got 0\n") == 100);
  CHECK_THAT(shown,
             EndsWith("\n"
                      "t.flow: note: 50 more errors not shown (flow shows the first 100 diagnostics of a "
                      "file)\n"));
  result.diagnostics.resize(100);
  CHECK(render_first(*source, result.diagnostics) == render_all(*source, result.diagnostics));
}

TEST_CASE("hidden warnings are counted apart from hidden errors", "[check]") {
  auto source = source_of("a\nb\n");
  std::vector<Diagnostic> diagnostics{{Severity::Error, {1, 1, 0}, "first", 1},
                                      {Severity::Error, {2, 1, 2}, "second", 1},
                                      {Severity::Warning, {2, 1, 2}, "third", 1},
                                      {Severity::Warning, {2, 1, 2}, "fourth", 1}};
  CHECK_THAT(render_first(*source, diagnostics, 1),
             EndsWith("t.flow: note: 1 more error and 2 more warnings not shown (flow shows the first 1 "
                      "diagnostics of a file)\n"));
}

TEST_CASE("diagnostics without a location are shown past the limit, before the count", "[check]") {
  auto source = source_of("a\nb\n");
  std::vector<Diagnostic> diagnostics{{Severity::Error, {1, 1, 0}, "first", 1},
                                      {Severity::Error, {2, 1, 2}, "second", 1},
                                      {Severity::Error, {}, "too many syntax errors; stopped after 100", 1}};
  CHECK(render_first(*source, diagnostics, 1) ==
        "t.flow:1:1: error: first\n    a\n    ^\n"
        "t.flow: error: too many syntax errors; stopped after 100\n"
        "t.flow: note: 1 more error not shown (flow shows the first 1 diagnostics of a file)\n");
}

TEST_CASE("rendering an error on each of 100,000 lines takes time linear in the file", "[check]") {
  // Finding each line by scanning from the top would read 10^5 lines 10^5 times.
  std::string text;
  std::vector<Diagnostic> diagnostics;
  for (std::size_t line = 1; line <= 100000; ++line) {
    diagnostics.push_back({Severity::Error, {line, 1, text.size()}, "bad", 3});
    text += "bad line of text\n";
  }
  auto source = source_of(text);
  auto start = std::chrono::steady_clock::now();
  auto rendered = render_all(*source, diagnostics);
  auto took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(took < 3.0);
  CHECK_THAT(rendered, EndsWith("t.flow:100000:1: error: bad\n    bad line of text\n    ^^^\n"));
}

TEST_CASE("a location without a byte offset still finds its line", "[check]") {
  auto source = source_of("first\nsecond\nthird\n");
  CHECK(render(*source, Diagnostic{Severity::Error, {2, 3, 0}, "here", 2}) ==
        "t.flow:2:3: error: here\n    second\n      ^^\n");
}
