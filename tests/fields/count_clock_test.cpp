// count() on the real clock: a window goes out when the clock passes its end,
// with no new input and the input still open (docs/windows.md).
#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <csignal>

#include "child.hpp"
#include "process.hpp"

using namespace std::chrono_literals;

TEST_CASE("a window goes out when time passes, while the input is still open and silent") {
  auto dir = flow::test::temp_directory();
  flow::test::write_file(dir + "/in.log", "a\nb\nc\n");
  flow::test::write_file(dir + "/p.flow", fmt::format("pipeline p\n"
                                                      "source logs = read(\"{}/in.log\", follow=true)\n"
                                                      "stage counts = count(every=300ms)\n"
                                                      "sink out = stdout()\n"
                                                      "logs -> counts -> out\n",
                                                      dir));
  flow::test::Child child(FLOW_BINARY, {"run", dir + "/p.flow", "--quiet"});
  // The three lines are counted in the first window; it goes out ~300 ms
  // later without a fourth line and with the file still followed.
  auto line = child.read_line(20s);
  REQUIRE(line);
  CHECK(line->rfind("count=3 window_start=", 0) == 0);
  CHECK(line->find(" window_end=") != std::string::npos);
  CHECK(::kill(child.pid(), 0) == 0);  // still running: the input has not ended
  // A later line opens a new window, which goes out in its turn.
  REQUIRE(flow::test::run_command("printf 'd\\n' >> " + flow::test::shell_quote(dir + "/in.log")).exit_code ==
          0);
  auto second = child.read_line(20s);
  REQUIRE(second);
  CHECK(second->rfind("count=1 window_start=", 0) == 0);
  child.send(SIGINT);
  CHECK(child.finish(20s) != -1);
}
