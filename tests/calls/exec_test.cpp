// exec as a stage against real programs: python3 children with 4 workers in
// input order, sed -u, jq --unbuffered, chunks far larger than a pipe, and one
// process per message (tr, sh -c failing on purpose).
#include <set>

#include "exec_support.hpp"

using namespace flow::test;

namespace {

// Answers "n:n*n:pid"; every 7th line it thinks for 20 ms first, so that in
// a pool of four the children finish their chunks out of turn.
constexpr const char* kSquare = R"(import os, sys, time
for line in sys.stdin:
    n = int(line)
    if n % 7 == 0:
        time.sleep(0.02)
    print(f"{n}:{n * n}:{os.getpid()}")
)";

}  // namespace

TEST_CASE("exec runs a python3 child per worker and ordered=true keeps input order across four",
          "[calls][exec]") {
  auto dir = temp_directory();
  write_file(dir + "/in.txt", number_lines(3000));
  write_file(dir + "/square.py", kSquare);
  auto run = run_flow(dir, stage_pipeline(dir, fmt::format("exec(\"python3\", \"{}/square.py\")", dir),
                                          "workers=4, ordered=true"));
  INFO(run.process.err);
  REQUIRE(run.process.exit_code == 0);
  auto lines = lines_of(dir + "/out.txt");
  REQUIRE(lines.size() == 3000);
  std::set<std::string> pids;
  for (int n = 0; n < 3000; ++n) {
    auto line = lines[static_cast<std::size_t>(n)];
    INFO(line);
    REQUIRE(line.rfind(fmt::format("{}:{}:", n, n * n), 0) == 0);
    pids.insert(line.substr(line.rfind(':') + 1));
  }
  // One long-lived child per worker: never more than four, and more than one at work.
  CHECK(pids.size() <= 4);
  CHECK(pids.size() >= 2);
  CHECK(number(entry(run.metrics, "sinks", "out"), "delivered") == 3000);
  CHECK(number(entry(run.metrics, "nodes", "work"), "errors") == 0);
}

TEST_CASE("exec(\"sed\", \"-u\", ...) rewrites every line through one child", "[calls][exec]") {
  auto dir = temp_directory();
  write_file(dir + "/in.txt", number_lines(5000, "a"));
  auto run = run_flow(dir, stage_pipeline(dir, R"(exec("sed", "-u", "s/a/b/"))"));
  INFO(run.process.err);
  REQUIRE(run.process.exit_code == 0);
  CHECK(read_file(dir + "/out.txt") == number_lines(5000, "b"));
}

TEST_CASE("exec(\"jq\", \"-c\", \"--unbuffered\", ...) answers a JSON line per JSON line", "[calls][exec]") {
  auto dir = temp_directory();
  std::string input;
  std::string expected;
  for (int n = 0; n < 500; ++n) {
    input += fmt::format("{{\"n\": {}, \"name\": \"item{}\"}}\n", n, n);
    expected += fmt::format("{{\"id\":\"item{}\",\"twice\":{}}}\n", n, 2 * n);
  }
  write_file(dir + "/in.txt", input);
  auto run =
      run_flow(dir, stage_pipeline(dir, R"(exec("jq", "-c", "--unbuffered", "{id: .name, twice: (.n * 2)}"))",
                                   "workers=2, ordered=true"));
  INFO(run.process.err);
  REQUIRE(run.process.exit_code == 0);
  CHECK(read_file(dir + "/out.txt") == expected);
}

TEST_CASE("lines far larger than a pipe go through cat without either side waiting on the other",
          "[calls][exec]") {
  // 300 lines of 64 KiB: a chunk is far more than both pipes hold, so writing
  // it all before reading any answer would wait for ever.
  auto dir = temp_directory();
  std::string input;
  for (int n = 0; n < 300; ++n) input += std::string(65536, static_cast<char>('a' + n % 26)) + "\n";
  write_file(dir + "/in.txt", input);
  auto run = run_flow(dir, stage_pipeline(dir, R"(exec("cat", timeout=5s))"));
  INFO(run.process.err);
  REQUIRE(run.process.exit_code == 0);
  CHECK(read_file(dir + "/out.txt") == input);
}

TEST_CASE("exec(per=message) runs tr once per message, its output the new payload", "[calls][exec]") {
  auto dir = temp_directory();
  write_file(dir + "/in.txt", number_lines(40, "hello "));
  auto run = run_flow(
      dir, stage_pipeline(dir, R"(exec("tr", "a-z", "A-Z", per=message))", "workers=4, ordered=true"));
  INFO(run.process.err);
  REQUIRE(run.process.exit_code == 0);
  CHECK(read_file(dir + "/out.txt") == number_lines(40, "HELLO "));
}

TEST_CASE("exec(per=message): a process that exits non-zero fails its message, by on_error",
          "[calls][exec]") {
  auto dir = temp_directory();
  write_file(dir + "/in.txt", number_lines(100));
  // Numbers ending in 7 fail with status 3 and say why on stderr.
  const std::string script =
      R"(exec("sh", "-c", "read x; case $x in *7) echo no sevens: $x >&2; exit 3;; esac; echo \"<$x>\"", per=message))";
  SECTION("skip counts them as errors and the rest go on") {
    auto run = run_flow(dir, stage_pipeline(dir, script, "workers=3, on_error=skip"));
    INFO(run.process.err);
    REQUIRE(run.process.exit_code == 0);
    auto lines = lines_of(dir + "/out.txt");
    std::set<std::string> got(lines.begin(), lines.end());
    std::set<std::string> expected;
    for (int n = 0; n < 100; ++n)
      if (n % 10 != 7) expected.insert(fmt::format("<{}>", n));
    CHECK(got == expected);
    CHECK(number(entry(run.metrics, "nodes", "work"), "errors") == 10);
    CHECK(number(entry(run.metrics, "sources", "lines"), "errors") == 10);
    CHECK(number(entry(run.metrics, "sources", "lines"), "delivered") == 90);
    // The child's stderr reached flow's, each line prefixed with the node.
    CHECK_THAT(run.process.err, Catch::Contains("work: no sevens: 17"));
  }
  SECTION("fail stops the run naming the node, the status and the child's stderr") {
    auto run = run_flow(dir, stage_pipeline(dir, script));
    REQUIRE(run.process.exit_code != 0);
    CHECK_THAT(run.process.err, Catch::Contains("stage work failed"));
    CHECK_THAT(run.process.err, Catch::Contains("sh (pid "));
    CHECK_THAT(run.process.err,
               Catch::Contains("exited with status 3; its last standard error: no sevens: 7"));
  }
}
