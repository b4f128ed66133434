// exec as a sink: lines into a child whose output is its own (a file it
// writes), delivered counted as written into the pipe, its exit status read
// at the end of input.
#include "exec_support.hpp"

using namespace flow::test;

namespace {

std::string sink_pipeline(const std::string& dir, const std::string& sink, const std::string& before = "") {
  return fmt::format(
      "pipeline exec_sink\n\nsource lines = read(\"{}/in.txt\")\nsink   out   = {}{}\n\nlines -> out "
      "[capacity=64]\n",
      dir, before, sink);
}

}  // namespace

TEST_CASE("exec as a sink writes each line to the child, which writes them where it likes", "[calls][exec]") {
  auto dir = temp_directory();
  write_file(dir + "/in.txt", number_lines(2000, "line "));
  SECTION("a program with its arguments") {
    auto run = run_flow(dir, sink_pipeline(dir, fmt::format(R"(exec("sh", "-c", "cat > {}/got.txt"))", dir)));
    INFO(run.process.err);
    REQUIRE(run.process.exit_code == 0);
    CHECK(read_file(dir + "/got.txt") == number_lines(2000, "line "));
    CHECK(number(entry(run.metrics, "sinks", "out"), "delivered") == 2000);
  }
  SECTION("a command line for the shell, after a stage operator in the same chain") {
    auto run =
        run_flow(dir, sink_pipeline(dir, fmt::format(R"(exec("tr a-z A-Z > {}/got.txt", shell=true))", dir),
                                    "prefix(\"> \") | "));
    INFO(run.process.err);
    REQUIRE(run.process.exit_code == 0);
    CHECK(read_file(dir + "/got.txt") == number_lines(2000, "> LINE "));
  }
  SECTION("batches go as their members' lines") {
    auto run = run_flow(dir, sink_pipeline(dir, fmt::format(R"(exec("sh", "-c", "cat > {}/got.txt"))", dir),
                                           "batch(100) | "));
    INFO(run.process.err);
    REQUIRE(run.process.exit_code == 0);
    CHECK(read_file(dir + "/got.txt") == number_lines(2000, "line "));
    CHECK(number(entry(run.metrics, "sinks", "out"), "delivered") == 2000);
  }
}

TEST_CASE("a sink's child that exits non-zero at the end of input fails the run naming the node",
          "[calls][exec]") {
  auto dir = temp_directory();
  write_file(dir + "/in.txt", number_lines(10));
  auto run = run_flow(dir, sink_pipeline(dir, R"(exec("sh", "-c", "cat > /dev/null; exit 4"))"));
  REQUIRE(run.process.exit_code != 0);
  CHECK_THAT(run.process.err, Catch::Contains("out"));
  CHECK_THAT(run.process.err, Catch::Contains("exited with status 4"));
}

TEST_CASE("a sink's child that stops reading fails the run: what it took is delivered, the rest errors",
          "[calls][exec]") {
  auto dir = temp_directory();
  write_file(dir + "/in.txt", number_lines(200000, "a fairly long line to fill the pipe quickly "));
  auto run = run_flow(dir, sink_pipeline(dir, R"(exec("head", "-n", "1"))"));
  REQUIRE(run.process.exit_code != 0);
  CHECK_THAT(run.process.err, Catch::Contains("stopped reading its input"));
  CHECK_THAT(run.process.err, Catch::Contains("head (pid "));
  REQUIRE(run.metrics.is_object());
  CHECK(number(entry(run.metrics, "sinks", "out"), "delivered") < 200000);
}
