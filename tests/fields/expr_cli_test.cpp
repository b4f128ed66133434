// where() and set() through the built `flow` binary: errors with carets at
// the columns of the file, and runs whose counts follow from the input. The
// examples of docs/expressions.md run in tests/examples/language_doc_test.cpp.
#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <string>

#include "process.hpp"

using namespace flow::test;
using Json = nlohmann::json;

namespace {

ProcessResult check_text(const std::string& dir, const std::string& text) {
  write_file(dir + "/p.flow", text);
  return run_command(fmt::format("{} check p.flow", FLOW_BINARY), dir);
}

Json run_metrics(const std::string& dir, const std::string& text, ProcessResult& process) {
  write_file(dir + "/p.flow", text);
  process = run_command(fmt::format("{} run p.flow --quiet --metrics-json m.json", FLOW_BINARY), dir);
  auto written = read_file(dir + "/m.json");
  return written.empty() ? Json() : Json::parse(written);
}

Json named(const Json& list, const std::string& name) {
  for (const auto& entry : list) {
    if (entry.at("name") == name) return entry;
  }
  FAIL("no entry " << name);
  return {};
}

// "p.flow:LINE:COL: error: MESSAGE", the column that of `culprit` in that line.
std::string located(const std::string& text, int line, const std::string& culprit,
                    const std::string& message) {
  std::size_t start = 0;
  for (int i = 1; i < line; ++i) start = text.find('\n', start) + 1;
  auto column = text.find(culprit, start) - start + 1;
  return fmt::format("p.flow:{}:{}: error: {}", line, column, message);
}

}  // namespace

TEST_CASE("flow check points into the expression: syntax, patterns, conditions, names", "[fields][expr]") {
  auto dir = temp_directory();
  const std::string text =
      "source s = generate(count=1) | set(status = 500, path = \"/x\")\n"
      "stage  a = where(status >= 500 &&)\n"
      "stage  b = where(path =~ \"(a\")\n"
      "stage  c = where(status)\n"
      "stage  d = set(ok = status => 1)\n"
      "sink   k = discard()\n"
      "s -> a -> b -> c -> d -> k\n";
  auto result = check_text(dir, text);
  CHECK(result.exit_code != 0);
  CHECK_THAT(result.err,
             Catch::Contains(located(
                 text, 2, ")\n", "expected a field, a value, a function call or '(' after the operator")));
  CHECK_THAT(result.err,
             Catch::Contains(located(text, 3, "\"(a\"", "bad regular expression: missing ): (a")));
  CHECK_THAT(result.err,
             Catch::Contains(located(text, 4, "status)",
                                     "where() wants a condition such as 'status >= 500'; 'status' "
                                     "gives an integer")));
  CHECK_THAT(result.err,
             Catch::Contains(located(text, 5, "=> 1", "'=' is not a comparison; write '==' to compare")));
}

TEST_CASE("flow check takes set's field names, and knows them downstream", "[fields][expr]") {
  auto dir = temp_directory();
  auto fine = check_text(dir,
                         "source s = generate(count=1) | set(n = 7, label = \"x\")\n"
                         "stage  w = where(n > 3 && label == \"x\") | set(m = n * 2)\n"
                         "sink   k = discard()\ns -> w -> k\n");
  INFO(fine.err);
  CHECK(fine.exit_code == 0);
  const std::string text =
      "source s = generate(count=1) | set(n = 7)\n"
      "stage  w = where(m > 3)\n"
      "sink   k = discard()\ns -> w -> k\n";
  auto unknown = check_text(dir, text);
  CHECK_THAT(unknown.err, Catch::Contains(located(text, 2, "m > 3", "unknown field 'm'; known fields: n")));
  auto no_fields = check_text(dir,
                              "source s = generate(count=1)\nstage  w = where(status >= 500)\nsink   k = "
                              "discard()\ns -> w -> k\n");
  CHECK_THAT(no_fields.err, Catch::Contains("unknown field 'status'; no field is known here"));
  auto empty = check_text(dir, "source s = generate(count=1) | set()\nsink   k = discard()\ns -> k\n");
  CHECK_THAT(empty.err, Catch::Contains("set() needs at least one field to set"));
}

TEST_CASE("where and set run: what passes and what is filtered follow from the input", "[fields][expr]") {
  constexpr int count = 250;
  auto dir = temp_directory();
  ProcessResult process;
  // Every message gets n = 7 and half = 3.5; the first where keeps all, the second none.
  auto metrics = run_metrics(dir,
                             fmt::format("source s = generate(count={}) | set(n = 7, half = 7 / 2)\n"
                                         "stage  keep = where(n % 2 == 1 && half == 3.5)\n"
                                         "stage  none = where(n > 7 || half != 3.5)\n"
                                         "sink   k = discard()\ns -> keep -> none -> k\n",
                                         count),
                             process);
  INFO(process.err);
  REQUIRE(process.exit_code == 0);
  CHECK(named(metrics.at("nodes"), "keep").at("filtered") == 0);
  CHECK(named(metrics.at("nodes"), "none").at("filtered") == count);
  CHECK(named(metrics.at("sources"), "s").at("filtered") == count);
  CHECK(named(metrics.at("sinks"), "k").at("delivered") == 0);
}
