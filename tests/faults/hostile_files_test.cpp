// Hostile input files: endless devices, huge files, non-finite numbers, tens of
// thousands of errors, megabyte lines. `flow` answers each with exit 2 and a
// bounded message, in bounded time and memory.
#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>

#include "process.hpp"
#include "sanitized.hpp"

using Catch::Matchers::Contains;
using Catch::Matchers::EndsWith;
using flow::test::run_command;
using flow::test::sanitized;
using flow::test::temp_directory;
using flow::test::write_file;

namespace {

// `flow ARGS` under a time limit: a hang shows as exit 124, never as a stuck suite.
flow::test::ProcessResult flow_with(const std::string& args, const std::string& directory = "") {
  return run_command(fmt::format("timeout 20 {} {}", FLOW_BINARY, args), directory);
}

// Writes `bytes` bytes of comment lines (64 bytes each) to `path`.
void write_comments(const std::string& path, std::size_t bytes, const std::string& tail = "") {
  std::ofstream out(path, std::ios::binary);
  const std::string line = "#" + std::string(62, 'x') + "\n";
  for (std::size_t written = 0; written + line.size() <= bytes; written += line.size()) out << line;
  out << tail;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

const char* const valid_pipeline = "source s = generate(count=1)\nsink k = discard()\ns -> k\n";

}  // namespace

TEST_CASE("flow check /dev/zero stops at 16 MiB instead of running out of memory", "[faults]") {
  auto result = flow_with("check /dev/zero");
  CHECK(result.exit_code == 2);
  CHECK(result.err == "flow: error: '/dev/zero' is larger than the 16 MiB a .flow file may be\n");
  if (!sanitized) CHECK(result.children_peak_rss_bytes < (std::uint64_t{128} << 20));
}

TEST_CASE("a .flow file over 16 MiB is refused by every command that loads one", "[faults]") {
  auto dir = temp_directory();
  write_comments(dir + "/big.flow", (std::size_t{16} << 20) + 64, valid_pipeline);
  for (const char* command : {"check", "run", "plan", "dot"}) {
    INFO(command);
    auto result = flow_with(fmt::format("{} big.flow", command), dir);
    CHECK(result.exit_code == 2);
    CHECK(result.err == "flow: error: 'big.flow' is larger than the 16 MiB a .flow file may be\n");
  }
}

TEST_CASE("a .flow file of just under 16 MiB is still read", "[faults]") {
  auto dir = temp_directory();
  write_comments(dir + "/large.flow", (std::size_t{16} << 20) - 1024, valid_pipeline);
  auto result = flow_with("check large.flow", dir);
  CHECK(result.exit_code == 0);
  CHECK(result.err.empty());
}

TEST_CASE("flow plot /dev/zero stops at 256 MiB instead of growing without end", "[faults]") {
  auto result = flow_with("plot /dev/zero");
  CHECK(result.exit_code == 2);
  CHECK(result.err == "flow: error: '/dev/zero' is larger than the 256 MiB a trace may be\n");
}

TEST_CASE("flow dot --metrics /dev/zero stops at 256 MiB instead of growing without end", "[faults]") {
  auto dir = temp_directory();
  write_file(dir + "/t.flow", valid_pipeline);
  auto result = flow_with("dot t.flow --metrics /dev/zero", dir);
  CHECK(result.exit_code == 2);
  CHECK(result.err == "flow: error: '/dev/zero' is larger than the 256 MiB a metrics file may be\n");
}

TEST_CASE("flow plot refuses inf and nan in a trace, naming the file and line", "[faults]") {
  auto dir = temp_directory();
  const std::string header = "time_s,kind,name,held,in,out,dropped,busy\n";
  write_file(dir + "/inf.csv", header + "0.100,edge,a->b,1,1,0,0,\n0.200,edge,a->b,inf,1,0,0,\n");
  auto inf = flow_with("plot inf.csv", dir);
  CHECK(inf.exit_code == 2);
  CHECK(inf.err == "flow: error: inf.csv: line 3: held 'inf' is not a finite number\n");
  CHECK(inf.out.empty());
  write_file(dir + "/nan.csv", header + "nan,node,a,,1,0,,0.5\n");
  auto nan = flow_with("plot nan.csv", dir);
  CHECK(nan.exit_code == 2);
  CHECK(nan.err == "flow: error: nan.csv: line 2: time_s 'nan' is not a finite number\n");
  write_file(dir + "/huge.csv", header + "1e308,edge,a->b,1,1,0,0,\n");
  auto huge = flow_with("plot huge.csv", dir);
  CHECK(huge.exit_code == 2);
  CHECK(huge.err ==
        "flow: error: huge.csv: line 2: time_s 1e308 is outside 0 to 1e+12, the range flow plots\n");
}

TEST_CASE("40,000 errors are checked in well under the time a quadratic pass takes, and 100 are shown",
          "[faults]") {
  // 20,000 stages, then 40,000 edges to unknown names: each name is one
  // error, and a suggestion for each would compare it with every stage.
  std::string text = valid_pipeline;
  for (int i = 0; i < 20000; ++i) text += fmt::format("stage n{0} = upper()\ns -> n{0} -> k\n", i);
  for (int i = 0; i < 40000; ++i) text += fmt::format("s -> m{}\n", i);
  auto dir = temp_directory();
  write_file(dir + "/errors.flow", text);
  auto start = std::chrono::steady_clock::now();
  auto result = flow_with("check errors.flow", dir);
  auto took = seconds_since(start);
  CHECK(result.exit_code == 2);
  CHECK(took < 5.0);
  CHECK(result.err.size() < 20'000);
  CHECK_THAT(result.err, Contains("errors.flow:40004:6: error: unknown node 'm0'; did you mean 'n0'?\n"));
  CHECK_THAT(result.err, EndsWith("errors.flow: note: 39900 more errors not shown (flow shows the first 100 "
                                  "diagnostics of a file)\n"));
}

TEST_CASE("40,000 bad values are checked in linear time and only the first 100 are shown", "[faults]") {
  std::string text = valid_pipeline;
  for (int i = 0; i < 40000; ++i) text += "edge [capacity=0]\n";
  auto dir = temp_directory();
  write_file(dir + "/values.flow", text);
  auto start = std::chrono::steady_clock::now();
  auto result = flow_with("check values.flow", dir);
  CHECK(seconds_since(start) < 5.0);
  CHECK(result.exit_code == 2);
  CHECK_THAT(result.err, EndsWith("values.flow: note: 39900 more errors not shown (flow shows the first 100 "
                                  "diagnostics of a file)\n"));
}

TEST_CASE("a 50 MB line is refused by size, and a 15 MB line with one bad token gives a short diagnostic",
          "[faults]") {
  auto dir = temp_directory();
  write_file(dir + "/fifty.flow", "stage work = dely(1ms) # " + std::string(50'000'000, 'x') + "\n");
  auto fifty = flow_with("check fifty.flow", dir);
  CHECK(fifty.exit_code == 2);
  CHECK(fifty.err == "flow: error: 'fifty.flow' is larger than the 16 MiB a .flow file may be\n");

  // The bad token sits in the middle of the line: 7 MB of string before it, 7 MB of comment after.
  const std::string before = "stage work = prefix(\"" + std::string(7'000'000, 'p') + "\") | ";
  write_file(dir + "/wide.flow", std::string(valid_pipeline) + "s -> work -> k\n" + before + "dely(1ms) # " +
                                     std::string(7'000'000, 'c') + "\n");
  auto wide = flow_with("check wide.flow", dir);
  CHECK(wide.exit_code == 2);
  CHECK(wide.err.size() < 10'000);
  CHECK_THAT(wide.err,
             Contains(fmt::format("wide.flow:5:{}: error: unknown operator 'dely'; did you mean 'delay'?\n",
                                  before.size() + 1)));
  // The caret is under 'dely' in the shown excerpt.
  auto shown = wide.err.find("\n    \u2026");
  REQUIRE(shown != std::string::npos);
  auto caret_line = wide.err.find("\n    ", shown + 1);
  REQUIRE(caret_line != std::string::npos);
  auto excerpt = wide.err.substr(shown + 5, caret_line - shown - 5);
  auto caret = wide.err.substr(caret_line + 5);
  CHECK(excerpt.find("dely(1ms)") == caret.find("^^^^") + 2);  // the ellipsis is 3 bytes, 1 column
}
