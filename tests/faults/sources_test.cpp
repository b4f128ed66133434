// Sources tell the end of their input from a failure: a directory, a read
// error or a line over max_line fails the run naming the source, the path and
// the reason, where it used to end "ok" with the rest dropped.
#include <catch2/catch.hpp>

#include <cerrno>
#include <cstring>

#include "fault_run.hpp"

using flow::test::entry;
using flow::test::run_fault;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string reading(const std::string& read_call) {
  return "source lines = " + read_call +
         "\n"
         "sink out = write(\"out.txt\")\n"
         "lines -> out\n";
}

}  // namespace

TEST_CASE("reading a directory fails the run naming the source, the path and EISDIR", "[faults]") {
  auto run = run_fault(reading("read(\".\")"), "{flow}");
  INFO(run.result.err);
  CHECK(run.result.exit_code == 1);
  CHECK(contains(run.result.err, "source lines"));
  CHECK(contains(run.result.err, "'.'"));
  CHECK(contains(run.result.err, std::strerror(EISDIR)));
  REQUIRE(run.metrics.is_object());
  CHECK(run.metrics.at("status") == "failed");
}

TEST_CASE("a read error in the middle of the input fails the run (EIO), not an early end", "[faults]") {
  // The kernel answers a read of this process's memory at address 0 with EIO:
  // a read error from a file that opened fine.
  auto run = run_fault(reading("read(\"/proc/self/mem\")"), "{flow}");
  INFO(run.result.err);
  CHECK(run.result.exit_code == 1);
  CHECK(contains(run.result.err, "source lines"));
  CHECK(contains(run.result.err, "'/proc/self/mem'"));
  CHECK(contains(run.result.err, std::strerror(EIO)));
}

TEST_CASE("a closed standard input fails read(\"-\") with EBADF", "[faults]") {
  auto run = run_fault(reading("read(\"-\")"), "{flow} <&-");
  INFO(run.result.err);
  CHECK(run.result.exit_code == 1);
  CHECK(contains(run.result.err, "source lines"));
  CHECK(contains(run.result.err, "standard input"));
  CHECK(contains(run.result.err, std::strerror(EBADF)));
}

TEST_CASE("a line over max_line fails the run naming its number and the limit", "[faults]") {
  auto dir = flow::test::temp_directory();
  flow::test::write_file(dir + "/in.txt",
                         "short\n" + std::string(1024, 'a') + "\n" + std::string(1025, 'b') + "\nend\n");
  auto run = run_fault(reading(fmt::format("read(\"{}/in.txt\", max_line=1KiB)", dir)), "{flow}");
  INFO(run.result.err);
  CHECK(run.result.exit_code == 1);
  CHECK(contains(run.result.err, "source lines"));
  CHECK(contains(run.result.err, fmt::format("line 3 of '{}/in.txt' is longer than max_line 1KiB", dir)));
}

TEST_CASE("a line without end fails at max_line, having read little more than that", "[faults]") {
  // 20 MB of zero bytes and no newline on standard input. What the source
  // left in the pipe, counted after flow exits, shows that it stopped soon
  // after max_line instead of holding the whole line.
  auto run = run_fault(reading("read(\"-\", max_line=1KiB)"),
                       "head -c 20000000 /dev/zero | {{ {flow}; echo $? > status.txt; wc -c > rest.txt; }}");
  INFO(run.result.err);
  CHECK(flow::test::read_file(run.dir + "/status.txt") == "1\n");
  CHECK(contains(run.result.err, "source lines"));
  CHECK(contains(run.result.err, "line 1 of standard input is longer than max_line 1KiB"));
  CHECK(std::stoul(flow::test::read_file(run.dir + "/rest.txt")) > 19000000);
}

TEST_CASE("the default max_line is 1 MiB", "[faults]") {
  auto dir = flow::test::temp_directory();
  flow::test::write_file(dir + "/in.txt", "one\n" + std::string(1024 * 1024 + 1, 'x'));
  auto run = run_fault(reading(fmt::format("read(\"{}/in.txt\")", dir)), "{flow}");
  INFO(run.result.err);
  CHECK(run.result.exit_code == 1);
  CHECK(contains(run.result.err, "line 2 of"));
  CHECK(contains(run.result.err, "max_line 1MiB"));
}

TEST_CASE("lines up to max_line, Windows line ends and a last line without one all pass", "[faults]") {
  auto dir = flow::test::temp_directory();
  auto longest = std::string(1024, 'a');
  flow::test::write_file(dir + "/in.txt", longest + "\r\n" + longest + "\nlast");
  auto run = run_fault(reading(fmt::format("read(\"{}/in.txt\", max_line=1KiB)", dir)), "{flow}");
  INFO(run.result.err);
  CHECK(run.result.exit_code == 0);
  CHECK(flow::test::read_file(run.dir + "/out.txt") == longest + "\n" + longest + "\nlast\n");
  REQUIRE(run.metrics.is_object());
  CHECK(entry(run.metrics, "sinks", "out").at("delivered") == 3);
}
