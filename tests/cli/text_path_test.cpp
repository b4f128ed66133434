// The text path end to end: read() -> grep with two ordered workers -> write()
// on a file of 100,000 lines, through the built binary: the output is exactly
// the matching lines in input order, and the counts follow from the input.
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <string>

#include "helpers.hpp"
#include "json_run.hpp"

using flow::test::named;
using flow::test::shell_quote;

TEST_CASE("read -> grep [workers=2, ordered=true] -> write writes exactly the matching lines in order",
          "[cli]") {
  auto dir = flow::test::temp_directory();
  constexpr int lines = 100000;
  std::string input, expected;
  int matching = 0;
  for (int i = 0; i < lines; ++i) {
    // Lengths vary (so lines straddle read()'s blocks), every 7th line matches,
    // and every 3rd ends in "\r\n", which the output ends in '\n'.
    std::string line = i % 7 == 0 ? fmt::format("{} ERROR {}", i, std::string(static_cast<std::size_t>(i % 90), 'e'))
                                  : fmt::format("{} INFO {}", i, std::string(static_cast<std::size_t>(i % 50), 'i'));
    input += line + (i % 3 == 0 ? "\r\n" : "\n");
    if (i % 7 == 0) {
      expected += line + "\n";
      ++matching;
    }
  }
  flow::test::write_file(dir + "/in.log", input);
  flow::test::write_file(dir + "/text.flow", fmt::format("pipeline text\n"
                                                         "source lines = read(\"{0}/in.log\")\n"
                                                         "stage  errors = grep(\"ERROR\") [workers=2, ordered=true]\n"
                                                         "sink   out = write(\"{0}/out.log\")\n"
                                                         "lines -> errors -> out\n",
                                                         dir));
  auto json = dir + "/run.json";
  auto process = flow::test::run_flow(fmt::format("run --quiet --metrics-json {} {}", shell_quote(json),
                                                  shell_quote(dir + "/text.flow")));
  INFO(process.err);
  REQUIRE(process.exit_code == 0);
  auto output = flow::test::read_file(dir + "/out.log");
  CHECK(output.size() == expected.size());
  CHECK(output == expected);
  auto metrics = nlohmann::json::parse(flow::test::read_file(json));
  CHECK(metrics.at("status") == "ok");
  const auto& source = named(metrics.at("sources"), "lines");
  CHECK(source.at("produced") == lines);
  CHECK(source.at("delivered") == matching);
  CHECK(source.at("filtered") == lines - matching);
  CHECK(source.at("dropped") == 0);
  CHECK(source.at("errors") == 0);
  CHECK(named(metrics.at("sinks"), "out").at("delivered") == matching);
  const auto& grep = named(metrics.at("nodes"), "errors");
  CHECK(grep.at("in") == lines);
  CHECK(grep.at("out") == matching);
  CHECK(grep.at("filtered") == lines - matching);
  CHECK(grep.at("workers") == 2);
}

// grep is too cheap for two workers to overtake each other, so the order above
// holds even unordered. A replace that costs RE2 a full match with captures per
// line keeps both workers busy at once: unordered, the output comes out of
// order (5 runs of 5 on 2 cores); ordered=true must restore it.
TEST_CASE("a CPU-bound replace with two ordered workers keeps every line in input order", "[cli]") {
  auto dir = flow::test::temp_directory();
  constexpr int lines = 50000;
  std::string input, expected;
  for (int i = 0; i < lines; ++i) {
    auto middle = std::string(static_cast<std::size_t>(i % 40), 'm');
    input += fmt::format("t{} h{} L{} {} n{}\n", i, i % 3, i % 5, middle, i);
    expected += fmt::format("n{} {} L{} h{} t{}\n", i, middle, i % 5, i % 3, i);
  }
  flow::test::write_file(dir + "/in.log", input);
  flow::test::write_file(
      dir + "/swap.flow",
      fmt::format("pipeline swap\n"
                  "source lines = read(\"{0}/in.log\")\n"
                  "stage  swap = replace(\"^(\\\\S+) (\\\\S+) (\\\\S+) (.*) (\\\\S+)$\", \"\\\\5 \\\\4 \\\\3 \\\\2 \\\\1\")"
                  " [workers=2, ordered=true]\n"
                  "sink   out = write(\"{0}/out.log\")\n"
                  "lines -> swap -> out\n",
                  dir));
  auto process = flow::test::run_flow(fmt::format("run --quiet --threads 2 {}", shell_quote(dir + "/swap.flow")));
  INFO(process.err);
  REQUIRE(process.exit_code == 0);
  auto output = flow::test::read_file(dir + "/out.log");
  CHECK(output.size() == expected.size());
  CHECK(output == expected);
}
