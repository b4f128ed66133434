// The files `flow` itself writes (--metrics-json, --trace, plot -o) and its
// standard output: a full device, a missing directory or a closed descriptor
// exits 1 with `flow: error: cannot write 'PATH': REASON`, never 0, and no
// output ever lands in another's file. (`flow run`'s own standard output and
// error: streams_test.cpp.)
#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sstream>

#include "child.hpp"
#include "process.hpp"

namespace {

using Json = nlohmann::json;
using flow::test::run_command;
using flow::test::shell_quote;

// A short finite run; `sink` is the sink's operator.
std::string short_run(const std::string& directory, const std::string& sink = "discard()") {
  auto path = directory + "/short.flow";
  flow::test::write_file(path, fmt::format(R"(pipeline short
source s = generate(count=50, size=16B)
stage  w = delay(1ms)
sink   k = {}
edge [capacity=4]
s -> w -> k
)",
                                           sink));
  return path;
}

flow::test::ProcessResult flow_cmd(const std::string& args) {
  return run_command(fmt::format("{} {}", FLOW_BINARY, args));
}

// A trace written by a finished run, for `flow plot`.
std::string a_trace(const std::string& directory) {
  auto trace = directory + "/trace.csv";
  auto run = flow_cmd(
      fmt::format("run --quiet {} --trace {}", shell_quote(short_run(directory)), shell_quote(trace)));
  REQUIRE(run.exit_code == 0);
  return trace;
}

}  // namespace

TEST_CASE("a --metrics-json path that cannot be written exits 1 naming the path and the OS error",
          "[faults]") {
  auto directory = flow::test::temp_directory();
  auto [path, reason] = GENERATE_COPY(
      table<std::string, std::string>({{"/dev/full", "No space left on device"},
                                       {directory + "/absent/run.json", "No such file or directory"}}));
  auto result =
      flow_cmd(fmt::format("run --quiet {} --metrics-json {}", shell_quote(short_run(directory)), path));
  INFO(result.err);
  CHECK(result.exit_code == 1);
  CHECK(result.err == fmt::format("flow: error: cannot write '{}': {}\n", path, reason));
}

TEST_CASE("a --trace path that cannot be written exits 1 naming the path and the OS error", "[faults]") {
  auto directory = flow::test::temp_directory();
  auto [path, reason] = GENERATE_COPY(
      table<std::string, std::string>({{"/dev/full", "No space left on device"},
                                       {directory + "/absent/trace.csv", "No such file or directory"}}));
  auto result = flow_cmd(fmt::format("run --quiet {} --trace {}", shell_quote(short_run(directory)), path));
  INFO(result.err);
  CHECK(result.exit_code == 1);
  CHECK(result.err == fmt::format("flow: error: cannot write '{}': {}\n", path, reason));
}

TEST_CASE("a trace that stops fitting on the disk mid-run exits 1 naming the path", "[faults]") {
  auto directory = flow::test::temp_directory();
  auto trace = directory + "/trace.csv";
  // A file size limit of one 512-byte block: the header and the first sample fit, the samples taken
  // every 5 ms after them do not. SIGXFSZ ignored, so the write fails with EFBIG instead of killing the
  // process. The reports and the error go to standard error, a pipe here, which has no size to limit.
  flow::test::Child child(
      "/bin/sh",
      {"-c", fmt::format("trap '' XFSZ; ulimit -f 1; exec {} run --quiet --report 5ms {} --trace {} --trace-interval 5ms >/dev/null",
                         FLOW_BINARY, shell_quote(short_run(directory)), trace)},
      /*merge_stderr=*/true);
  int status = child.finish(std::chrono::seconds(20));
  INFO(child.out());
  CHECK(status == 1);
  std::string said;
  std::istringstream err(child.out());
  for (std::string line; std::getline(err, line);) {
    if (line.empty() || line[0] != '[') said += line + "\n";  // all but the report lines
  }
  CHECK(said == fmt::format("flow: error: cannot write '{}': File too large\n", trace));
}

TEST_CASE("with standard output closed, the trace holds only its CSV and the run does not exit 0",
          "[faults]") {
  auto directory = flow::test::temp_directory();
  auto trace = directory + "/trace.csv";
  // Payload lines for the closed standard output: with descriptor 1 free, the trace would get it.
  auto result = run_command(fmt::format("{} run {} --trace {} >&-", FLOW_BINARY,
                                        shell_quote(short_run(directory, "stdout()")), trace));
  INFO(result.err);
  CHECK(result.exit_code == 1);
  CHECK(result.err.find("standard output") != std::string::npos);
  std::istringstream csv(flow::test::read_file(trace));
  std::string line;
  REQUIRE(std::getline(csv, line));
  CHECK(line == "time_s,kind,name,held,in,out,dropped,busy");
  int rows = 0;
  while (std::getline(csv, line)) {
    INFO(line);
    CHECK(std::count(line.begin(), line.end(), ',') == 7);
    CHECK(line.find(std::string(16, 'x')) == std::string::npos);
    ++rows;
  }
  CHECK(rows > 0);
}

TEST_CASE("plot -o that cannot be written exits 1 naming the path", "[faults]") {
  auto directory = flow::test::temp_directory();
  auto result = flow_cmd(fmt::format("plot {} -o /dev/full", shell_quote(a_trace(directory))));
  CHECK(result.exit_code == 1);
  CHECK(result.err == "flow: error: cannot write '/dev/full': No space left on device\n");
}

TEST_CASE("plot, dot and plan to a full standard output exit 1", "[faults]") {
  auto directory = flow::test::temp_directory();
  auto flow_file = shell_quote(short_run(directory));
  auto args = GENERATE_COPY(fmt::format("plot {}", shell_quote(a_trace(directory))),
                            fmt::format("dot {}", flow_file), fmt::format("plan {}", flow_file));
  auto result = run_command(fmt::format("{} {} >/dev/full", FLOW_BINARY, args));
  INFO(args);
  CHECK(result.exit_code == 1);
  CHECK(result.err == "flow: error: cannot write standard output: No space left on device\n");
}

TEST_CASE("a run that fails at start-up writes JSON with the pipeline's nodes and edges at zero",
          "[faults]") {
  auto directory = flow::test::temp_directory();
  auto json = directory + "/run.json";
  auto sink = fmt::format(R"(write(path="{}/absent/out.txt"))", directory);
  auto result = flow_cmd(
      fmt::format("run --quiet {} --metrics-json {}", shell_quote(short_run(directory, sink)), json));
  INFO(result.err);
  CHECK(result.exit_code == 1);
  auto metrics = Json::parse(flow::test::read_file(json));
  CHECK(metrics.at("status") == "failed");
  CHECK(metrics.at("error").get<std::string>().find("absent/out.txt") != std::string::npos);
  REQUIRE(metrics.at("nodes").size() == 3);
  CHECK(metrics.at("nodes").at(2).at("name") == "k");
  CHECK(metrics.at("nodes").at(2).at("in") == 0);
  REQUIRE(metrics.at("edges").size() == 2);
  CHECK(metrics.at("edges").at(0).at("from") == "s");
  CHECK(metrics.at("edges").at(0).at("to") == "w");
  CHECK(metrics.at("edges").at(0).at("capacity") == 4);
  CHECK(metrics.at("sinks").at(0).at("delivered") == 0);
  CHECK(metrics.at("sources").at(0).at("produced") == 0);
}
