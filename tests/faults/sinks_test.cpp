// Sinks count what they wrote: a write the kernel refuses fails the run naming
// the sink, the path and the OS's reason, and what was counted delivered is
// what reached the file. A reader that goes away ends the run as it ends GNU
// tools: status 141, nothing on standard error, the metrics still written.
#include <catch2/catch.hpp>

#include <cerrno>
#include <cstring>

#include "fault_run.hpp"

using flow::test::balanced;
using flow::test::entry;
using flow::test::line_count;
using flow::test::run_fault;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("a write to a full device fails the run naming the sink, the path and ENOSPC", "[faults]") {
  auto run = run_fault(
      "source numbers = generate(count=1000, size=8B)\n"
      "sink out = write(\"/dev/full\")\n"
      "numbers -> out\n",
      "{flow}");
  INFO(run.result.err);
  CHECK(run.result.exit_code == 1);
  CHECK(contains(run.result.err, "sink out"));
  CHECK(contains(run.result.err, "'/dev/full'"));
  CHECK(contains(run.result.err, std::strerror(ENOSPC)));
  REQUIRE(run.metrics.is_object());
  CHECK(run.metrics.at("status") == "failed");
  CHECK(entry(run.metrics, "sinks", "out").at("delivered") == 0);
  CHECK(entry(run.metrics, "nodes", "out").at("errors").get<int>() > 0);
}

TEST_CASE("on_error=skip does not turn a full device into per-message errors", "[faults]") {
  auto run = run_fault(
      "source numbers = generate(count=1000, size=8B)\n"
      "sink out = write(\"/dev/full\") [on_error=skip]\n"
      "numbers -> out\n",
      "{flow}");
  INFO(run.result.err);
  CHECK(run.result.exit_code == 1);
  CHECK(contains(run.result.err, std::strerror(ENOSPC)));
  REQUIRE(run.metrics.is_object());
  CHECK(run.metrics.at("status") == "failed");
  CHECK(entry(run.metrics, "sinks", "out").at("delivered") == 0);
}

TEST_CASE("a file past the size limit (EFBIG) fails the run, and delivered is the lines on disk",
          "[faults]") {
  // 64 lines of 1000 bytes move as one chunk (the source pulls 64 at once into
  // room for 64), and the limit (20480 or 40960 bytes: sh counts 512- or
  // 1024-byte blocks) falls inside a line of it: the kernel takes part of the
  // write, then refuses the rest. The lines it took in full are delivered.
  auto run = run_fault(
      "source numbers = generate(count=64, size=999B)\n"
      "sink out = write(\"out.txt\")\n"
      "numbers -> out [capacity=64]\n",
      "ulimit -f 40; exec {flow}");
  INFO(run.result.err);
  CHECK(run.result.exit_code == 1);
  CHECK(contains(run.result.err, "sink out"));
  CHECK(contains(run.result.err, "'out.txt'"));
  CHECK(contains(run.result.err, std::strerror(EFBIG)));
  auto written = flow::test::read_file(run.dir + "/out.txt");
  CHECK((written.size() == 20480 || written.size() == 40960));
  REQUIRE(run.metrics.is_object());
  CHECK(run.metrics.at("status") == "failed");
  CHECK(entry(run.metrics, "sinks", "out").at("delivered").get<std::uint64_t>() == written.size() / 1000);
  CHECK(line_count(written) == written.size() / 1000);
  CHECK(entry(run.metrics, "nodes", "out").at("errors").get<std::uint64_t>() == 64 - written.size() / 1000);
}

TEST_CASE("stdout() into a full standard output fails the run with ENOSPC", "[faults]") {
  auto run = run_fault(
      "source numbers = generate(count=10)\n"
      "sink out = stdout()\n"
      "numbers -> out\n",
      "{flow} >/dev/full");
  INFO(run.result.err);
  CHECK(run.result.exit_code == 1);
  CHECK(contains(run.result.err, "sink out"));
  CHECK(contains(run.result.err, "standard output"));
  CHECK(contains(run.result.err, std::strerror(ENOSPC)));
  REQUIRE(run.metrics.is_object());
  CHECK(entry(run.metrics, "sinks", "out").at("delivered") == 0);
}

TEST_CASE("stdout() into a closed standard output fails the run with EBADF", "[faults]") {
  auto run = run_fault(
      "source numbers = generate(count=10)\n"
      "sink out = stdout()\n"
      "numbers -> out\n",
      "{flow} >&-");
  INFO(run.result.err);
  CHECK(run.result.exit_code == 1);
  CHECK(contains(run.result.err, "sink out"));
  CHECK(contains(run.result.err, "standard output"));
  CHECK(contains(run.result.err, std::strerror(EBADF)));
  REQUIRE(run.metrics.is_object());
  CHECK(entry(run.metrics, "sinks", "out").at("delivered") == 0);
}

TEST_CASE("a closed standard output does not lend its number to a file the run opens", "[faults]") {
  // Without a stand-in on descriptor 1, write("out.txt") would get it and
  // stdout() would write into the file.
  auto run = run_fault(
      "source numbers = generate(count=10, size=4B)\n"
      "sink out = stdout()\n"
      "sink file = write(\"out.txt\")\n"
      "numbers -> out\n"
      "numbers -> file\n",
      "{flow} >&-");
  CHECK(run.result.exit_code == 1);
  auto written = flow::test::read_file(run.dir + "/out.txt");
  CHECK(line_count(written) <= 10);
  CHECK((written.empty() || written.find("xxxx\n") == 0));
}

TEST_CASE("a reader that goes away ends the run with 141, silently, the metrics written", "[faults]") {
  // An endless source: only the closed pipe can end this run.
  auto run = run_fault(
      "source numbers = generate(size=4B)\n"
      "sink out = stdout()\n"
      "numbers -> out\n",
      "bash -c '{flow} | head -n 1 > head.txt; exit ${{PIPESTATUS[0]}}'");
  INFO(run.result.err);
  CHECK(run.result.exit_code == 141);
  CHECK(run.result.err.empty());
  CHECK(flow::test::read_file(run.dir + "/head.txt") == "xxxx\n");
  REQUIRE(run.metrics.is_object());
  CHECK(run.metrics.at("status") == "broken_pipe");
  CHECK(contains(run.metrics.at("error").get<std::string>(), "sink out"));
  CHECK(contains(run.metrics.at("error").get<std::string>(), std::strerror(EPIPE)));
  // What the pipe refused, and what still reached the sink as the run drained, are errors.
  CHECK(entry(run.metrics, "nodes", "out").at("errors").get<std::uint64_t>() > 0);
  CHECK(entry(run.metrics, "sinks", "out").at("delivered").get<std::uint64_t>() >= 1);
  CHECK(balanced(run.metrics, "numbers"));
}

TEST_CASE("a closed pipe stops the sources while other sinks drain what is in flight", "[faults]") {
  auto run = run_fault(
      "source numbers = generate(size=4B)\n"
      "sink out = stdout()\n"
      "sink file = write(\"out.txt\")\n"
      "numbers -> out\n"
      "numbers -> file\n",
      "bash -c '{flow} | head -n 1 > head.txt; exit ${{PIPESTATUS[0]}}'");
  INFO(run.result.err);
  CHECK(run.result.exit_code == 141);
  REQUIRE(run.metrics.is_object());
  CHECK(run.metrics.at("status") == "broken_pipe");
  CHECK(entry(run.metrics, "sinks", "file").at("delivered").get<std::uint64_t>() ==
        line_count(flow::test::read_file(run.dir + "/out.txt")));
  CHECK(balanced(run.metrics, "numbers"));
}
